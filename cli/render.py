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
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

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
    from markdown_it.tree import SyntaxTreeNode

    out: list[str] = []
    _blocks(SyntaxTreeNode(_parser().parse(text)).children, _Page(indent, width or term_width(), out), 0, None)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


@dataclass
class _Page:
    indent: str
    width: int
    out: list[str]


def _blocks(nodes: Sequence[Any], page: _Page, depth: int, marker: str | None) -> None:
    """Block nodes at list depth `depth`; `marker` ('- ', '3. ') opens the first block of a list item."""
    indent, width, out = page.indent, page.width, page.out
    for node in nodes:
        t = node.type
        if t in ("paragraph", "heading"):
            content = _inline(node.children[0].token)
            lead = indent + "  " * (depth - 1) if depth else indent
            if depth and marker is not None:
                out.extend(fill(content, width, lead + marker, lead + " " * len(marker)))
                marker = None
            elif depth:
                out.extend(fill(content, width, lead + "  ", lead + "  "))
            else:
                if t == "heading" and out:
                    out.append("")
                out.extend(fill(content, width, lead, lead))
        elif t in ("bullet_list", "ordered_list"):
            start = int(node.attrs.get("start", 1) or 1)
            for k, item in enumerate(node.children):
                _blocks(item.children, page, depth + 1, f"{start + k}. " if t == "ordered_list" else "- ")
        elif t in ("fence", "code_block"):
            lead = f"{indent}{'  ' * depth}  $ "
            if marker is not None:  # a list item that starts with code: its marker leads the first command
                lead = f"{indent}{'  ' * (depth - 1)}{marker}$ "
                marker = None
            for line in node.content.rstrip("\n").split("\n"):
                if line.strip():
                    out.extend(fold_command(line.rstrip(), width, lead))
                    lead = " " * display_width(lead[:-2]) + "$ "
        elif t == "table":
            header, *rows = [[_inline(cell.children[0].token) for cell in tr.children] for part in node.children for tr in part.children]
            if out and out[-1] != "":
                out.append("")
            out.extend(table(header, rows, width, indent))
            out.append("")
        elif t == "hr":
            out.append(indent + "-" * min(20, width - len(indent)))
        elif node.children:  # a blockquote: its paragraphs as paragraphs
            _blocks(node.children, page, depth, marker)


_CODE = re.compile(r"`+([^`]+?)`+")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def plain(text: str) -> str:
    """One line of inline Markdown (a title, a check's note) as plain text: `code` and **bold**
    marks dropped. A regex, not the Markdown parser, so `gotcha lookup` stays light to import."""
    return _STRONG.sub(r"\2", _CODE.sub(r"\1", text))
