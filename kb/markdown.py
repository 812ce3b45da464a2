"""Markdown -> headed sections, with source line numbers, via markdown-it-py's token stream.

Nothing here knows what a gotcha is: it splits a document at `##`/`###` headings and hands each
section its tokens and the raw lines they cover, so callers can cite `path:line` for anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode


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
    sections: list[Section]  # level-2 sections, each holding its level-3 children
    offset: int = 0  # lines of front matter cut off before `lines`

    def text(self, start: int, end: int) -> str:
        """Source text of file lines [start, end), 1-based."""
        return "\n".join(self.lines[start - 1 - self.offset : end - 1 - self.offset])


def parse_document(path: str, text: str, line_offset: int = 0) -> Document:
    """Split `text` at h2/h3 headings. `line_offset` shifts line numbers (front matter removed).

    Walks the top-level blocks of markdown-it's syntax tree: a heading opens a section, every
    other block (with its nested tokens, h4-h6 headings included) belongs to the section open at
    that point. Text before the first heading and h1 titles belong to no section.
    """
    tokens = _parser().parse(text)
    lines = text.split("\n")
    end = len(lines) + 1 + line_offset
    sections: list[Section] = []
    current2: Section | None = None
    current3: Section | None = None
    for node in SyntaxTreeNode(tokens).children:
        if node.type == "heading" and node.tag in ("h2", "h3") and node.map:
            title = node.children[0].content.strip() if node.children else ""
            sec = Section(int(node.tag[1]), title, node.map[0] + 1 + line_offset, end)
            if current3 is not None:
                current3.end_line = sec.line
            if sec.level == 2:
                if current2 is not None:
                    current2.end_line = sec.line
                current2, current3 = sec, None
                sections.append(sec)
                continue
            if current2 is None:  # an h3 before any h2: give it an anonymous theme
                current2 = Section(2, "", sec.line, end)
                sections.append(current2)
            current2.children.append(sec)
            current3 = sec
            continue
        target = current3 if current3 is not None else current2
        if target is not None and not (node.type == "heading" and node.tag == "h1"):
            target.tokens.extend(node.to_tokens())
    if line_offset:
        for tok in tokens:
            if tok.map:
                tok.map = [tok.map[0] + line_offset, tok.map[1] + line_offset]
    return Document(path, lines, sections, line_offset)


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (front matter YAML or None, body, number of lines the front matter took).

    By hand rather than mdit-py-plugins' front_matter: a dependency for ten lines, and the loader
    needs the YAML before parsing the Markdown anyway (it decides whether a file is a profile).
    """
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
