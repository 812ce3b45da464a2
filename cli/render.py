"""Markdown and tables for a terminal: no raw `**` or backticks, lists and tables kept, lines that
fit the terminal (measured in display columns, so a CJK character counts as two).

Only the text output uses this; `--json` keeps the catalog's Markdown as written.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate

ELLIPSIS = "…"


def term_width() -> int:
    """$COLUMNS or the terminal's width, 80 when neither is known; never under 40."""
    return max(40, shutil.get_terminal_size((80, 24)).columns)


def char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def clip(text: str, width: int) -> str:
    """At most `width` columns; a cut is marked with an ellipsis, never silent."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def pad(text: str, width: int) -> str:
    """Left-justify to `width` display columns (str.ljust counts characters, not columns)."""
    return text + " " * max(0, width - display_width(text))


def _split_long(word: str, width: int) -> list[str]:
    pieces, cur, used = [], [], 0
    for ch in word:
        w = char_width(ch)
        if cur and used + w > width:
            pieces.append("".join(cur))
            cur, used = [], 0
        cur.append(ch)
        used += w
    if cur:
        pieces.append("".join(cur))
    return pieces


def fill(text: str, width: int, first: str = "", rest: str | None = None) -> list[str]:
    """Greedy word wrap by display width; a word wider than the line is split, not cut."""
    rest = first if rest is None else rest
    lines: list[str] = []
    prefix = first
    cur = ""
    for word in text.split():
        room = width - display_width(prefix)
        if not cur:
            candidate = word
        else:
            candidate = f"{cur} {word}"
        if display_width(candidate) <= room:
            cur = candidate
            continue
        if cur:
            lines.append(prefix + cur)
            prefix = rest
            room = width - display_width(prefix)
        if display_width(word) > room:
            *full, word = _split_long(word, max(1, room))
            for piece in full:
                lines.append(prefix + piece)
                prefix = rest
        cur = word
    if cur or not lines:
        lines.append(prefix + cur)
    return lines


def fold_command(line: str, width: int, prefix: str) -> list[str]:
    """A shell line that does not fit is continued with a trailing backslash, only at a space the
    shell splits words at: not inside quotes (there the backslash would stay in the pattern), never
    inside a word (the indented continuation would split it) and never inside a comment (its next
    line would run as a command): a trailing comment moves above the command instead. A word
    wider than the terminal runs past its edge: a command that pastes right beats one that fits.
    --json has every command on one line."""
    if display_width(prefix) + display_width(line) <= width:
        return [prefix + line]
    spaces, comment = _shell_words(line)
    if comment is not None and comment > 0:
        note = line[comment:].lstrip("#").strip()
        return [*fill(note, width, prefix + "# ", prefix + "# "), *fold_command(line[:comment].rstrip(), width, prefix)]
    cont = " " * display_width(prefix) + "  "
    upto = list(accumulate((char_width(ch) for ch in line), initial=0))  # columns of line[:i]
    at_space = [upto[i] for i in spaces]
    out: list[str] = []
    head, start = prefix, 0
    while display_width(head) + upto[-1] - upto[start] > width:
        room = width - display_width(head) - 2  # room for " \"
        first = bisect_right(spaces, start)  # the first space after `start`
        if first == len(spaces):
            break
        fitting = bisect_right(at_space, upto[start] + room)
        cut = spaces[fitting - 1] if fitting > first else spaces[first]
        out.append(f"{head}{line[start:cut]} \\")
        head, start = cont, cut + 1
    out.append(head + line[start:])
    return out


def _shell_words(line: str) -> tuple[list[int], int | None]:
    """The spaces between shell words (outside quotes, not escaped) before any comment, and where
    a comment starts (an unquoted # that begins a word), if one does."""
    spaces: list[int] = []
    quote: str | None = None
    escaped = False
    for i, ch in enumerate(line):
        if escaped:
            escaped = False
        elif ch == "\\" and quote != "'":
            escaped = True
        elif quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return spaces, i
        elif ch == " " and i and line[i - 1] != " ":
            spaces.append(i)
    return spaces, None


# --- tables --------------------------------------------------------------------------------

def table(header: Sequence[str], rows: Sequence[Sequence[str]], width: int, indent: str = "",
          keep: Sequence[int] = ()) -> list[str]:
    """Aligned columns; when the natural widths do not fit, the widest columns (except those in
    `keep`) are narrowed and their cells wrap inside the column, so a table stays a table."""
    ncol = len(header)
    cells = [list(header)] + [list(r) + [""] * (ncol - len(r)) for r in rows]
    gap = 2
    avail = width - display_width(indent) - gap * (ncol - 1)
    natural = [max(display_width(r[i]) for r in cells) for i in range(ncol)]
    cols = list(natural)
    floor = [min(natural[i], max(6, max((display_width(w) for r in cells for w in r[i].split()), default=1) if natural[i] < 14 else 8))
             for i in range(ncol)]
    free = [k for k in range(ncol) if k not in keep] or list(range(ncol))
    while sum(cols) > avail:
        i = max(free, key=lambda k: cols[k] - floor[k])
        if cols[i] <= floor[i]:
            i = max(free, key=lambda k: cols[k])
            if cols[i] <= 3:
                break
        cols[i] -= 1
    out: list[str] = []
    for n, row in enumerate(cells):
        wrapped = [fill(row[i], cols[i]) for i in range(ncol)]
        height = max(len(w) for w in wrapped)
        for k in range(height):
            parts = [pad(wrapped[i][k] if k < len(wrapped[i]) else "", cols[i]) for i in range(ncol)]
            out.append((indent + (" " * gap).join(parts)).rstrip())
        if n == 0:
            out.append(indent + (" " * gap).join("-" * c for c in cols))
    return out


# --- Markdown ------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def _inline(tok) -> str:
    """Inline Markdown as plain text: emphasis and code marks dropped, links as their text."""
    parts: list[str] = []
    for child in tok.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def markdown(text: str, indent: str = "  ", width: int | None = None) -> str:
    """Render a Markdown fragment for the terminal; fenced code comes out as `$ command` lines."""
    width = width or term_width()
    tokens = _parser().parse(text)
    out: list[str] = []
    stack: list[list] = []  # open lists: [kind, next number]
    item_prefix: str | None = None  # bullet for the first paragraph of the current item
    i = 0

    def base() -> str:
        return indent + "  " * len(stack[:-1]) + ("  " if stack else "") if stack else indent

    while i < len(tokens):
        tok = tokens[i]
        t = tok.type
        if t in ("bullet_list_open", "ordered_list_open"):
            start = int(tok.attrs.get("start", 1) or 1) if t == "ordered_list_open" else 0
            stack.append(["ol" if t == "ordered_list_open" else "ul", start])
        elif t in ("bullet_list_close", "ordered_list_close"):
            stack.pop()
        elif t == "list_item_open":
            kind = stack[-1]
            if kind[0] == "ol":
                item_prefix = f"{kind[1]}. "
                kind[1] += 1
            else:
                item_prefix = "- "
        elif t == "inline" and tokens[i - 1].type in ("paragraph_open", "heading_open"):
            content = _inline(tok)
            lead = indent + "  " * (len(stack) - 1) if stack else indent
            if stack and item_prefix is not None:
                out.extend(fill(content, width, lead + item_prefix, lead + " " * len(item_prefix)))
                item_prefix = None
            elif stack:
                hang = lead + "  "
                out.extend(fill(content, width, hang, hang))
            else:
                if tokens[i - 1].type == "heading_open" and out:
                    out.append("")
                out.extend(fill(content, width, lead, lead))
        elif t in ("fence", "code_block"):
            lead = (indent + "  " * len(stack)) if stack else indent
            if item_prefix is not None:  # a list item that starts with code
                out.append(lead.rstrip() + " " + item_prefix.strip())
                item_prefix = None
            for line in tok.content.rstrip("\n").split("\n"):
                if line.strip():
                    out.extend(fold_command(line.rstrip(), width, f"{lead}  $ "))
        elif t == "table_open":
            j = i
            header: list[str] = []
            rows: list[list[str]] = []
            in_head = False
            row: list[str] = []
            while tokens[j].type != "table_close":
                tt = tokens[j].type
                if tt == "thead_open":
                    in_head = True
                elif tt == "thead_close":
                    in_head = False
                elif tt == "tr_open":
                    row = []
                elif tt == "inline":
                    row.append(_inline(tokens[j]))
                elif tt == "tr_close":
                    (header.extend(row) if in_head else rows.append(row))
                j += 1
            if out and out[-1] != "":
                out.append("")
            out.extend(table(header, rows, width, indent))
            out.append("")
            i = j
        elif t == "paragraph_close" and not stack:
            pass
        elif t == "hr":
            out.append(indent + "-" * min(20, width - len(indent)))
        i += 1
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


_CODE = re.compile(r"`+([^`]+?)`+")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def plain(text: str) -> str:
    """One line of inline Markdown (a title, a check's note) as plain text: `code` and **bold**
    marks dropped. A regex, not the Markdown parser, so `gotcha lookup` stays light to import."""
    return _STRONG.sub(r"\2", _CODE.sub(r"\1", text))
