"""Markdown -> headed sections, with source line numbers, via markdown-it-py's token stream.

Nothing here knows what a gotcha is: it splits a document at `##`/`###` headings and hands each
section its tokens and the raw lines they cover, so callers can cite `path:line` for anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # html off: catalog text is data, never rendered HTML; tables on for the survival table.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


@dataclass
class Section:
    level: int
    title: str
    line: int  # 1-based line of the heading
    end_line: int  # 1-based, exclusive
    tokens: list[Token] = field(default_factory=list)
    children: list["Section"] = field(default_factory=list)


@dataclass
class Document:
    path: str
    lines: list[str]
    preamble: list[Token]
    sections: list[Section]  # level-2 sections, each holding its level-3 children
    offset: int = 0  # lines of front matter cut off before `lines`

    def text(self, start: int, end: int) -> str:
        """Source text of file lines [start, end), 1-based."""
        return "\n".join(self.lines[start - 1 - self.offset : end - 1 - self.offset])


def parse_document(path: str, text: str, line_offset: int = 0) -> Document:
    """Split `text` at h2/h3 headings. `line_offset` shifts line numbers (front matter removed)."""
    tokens = _parser().parse(text)
    lines = text.split("\n")
    total = len(lines) + 1
    preamble: list[Token] = []
    sections: list[Section] = []
    current2: Section | None = None
    current3: Section | None = None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open" and tok.tag in ("h2", "h3") and tok.map:
            title = tokens[i + 1].content.strip()
            line = tok.map[0] + 1
            if tok.tag == "h2":
                sec = Section(2, title, line + line_offset, total + line_offset)
                if current2 is not None:
                    current2.end_line = sec.line
                    if current3 is not None:
                        current3.end_line = sec.line
                current2, current3 = sec, None
                sections.append(sec)
            else:
                sec = Section(3, title, line + line_offset, total + line_offset)
                if current3 is not None:
                    current3.end_line = sec.line
                if current2 is None:  # an h3 before any h2: give it an anonymous theme
                    current2 = Section(2, "", sec.line, total + line_offset)
                    sections.append(current2)
                current2.children.append(sec)
                current3 = sec
            i += 3  # heading_open, inline, heading_close
            continue
        if tok.type == "heading_open" and tok.tag == "h1":
            i += 3
            continue
        target = current3 if current3 is not None else current2
        (target.tokens if target is not None else preamble).append(tok)
        i += 1
    if line_offset:
        for tok in tokens:
            if tok.map:
                tok.map = [tok.map[0] + line_offset, tok.map[1] + line_offset]
    return Document(path, lines, preamble, sections, line_offset)


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (front matter YAML or None, body, number of lines the front matter took)."""
    if not text.startswith("---"):
        return None, text, 0
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None, text, 0
    for n, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return "\n".join(lines[1:n]), "\n".join(lines[n + 1 :]), n + 1
    return "\n".join(lines[1:]), "", len(lines)


def inline_text(tok: Token) -> str:
    """Plain text of an inline token: code spans kept, emphasis markers dropped."""
    return "".join(c.content for c in (tok.children or []) if c.type in ("text", "code_inline", "softbreak"))
