"""Turn an `### ID — title` section into an Entry."""

from __future__ import annotations

import re

from markdown_it.token import Token

from gotcha_kb.kb.markdown import Document, Section
from gotcha_kb.kb.models import Entry, Problem, SourceRef
from gotcha_kb.kb.signals_block import parse_signals_block

HEADING = re.compile(r"^([A-Z]+[0-9]+)\s+[—–-]{1,2}\s+(\S.*)$")
U_REF = re.compile(r"\bU[0-9]+\b")
LABELS = ("symptom", "root cause", "fix")
COMMAND_FENCES = {"", "bash", "sh", "shell", "console", "zsh"}


def _label_of(tokens: list[Token], i: int) -> tuple[str, str] | None:
    """If tokens[i] opens a top-level paragraph starting with a bold label, return (field, raw label)."""
    tok = tokens[i]
    if tok.type != "paragraph_open" or tok.level != 0 or i + 1 >= len(tokens):
        return None
    # markdown-it may lead with an empty text token before the bold label.
    children = [c for c in tokens[i + 1].children or [] if not (c.type == "text" and not c.content)]
    if len(children) < 3 or children[0].type != "strong_open":
        return None
    label = children[1].content.strip()
    low = label.lower()
    for name in LABELS:
        if low.startswith(name):
            return name, label
    return None


def _strip_label(first_line: str, label: str) -> str:
    rest = first_line.split(f"**{label}**", 1)[-1]
    return rest.lstrip(" :—–-")


def parse_entry(doc: Document, sec: Section, theme: str, platform: str | None) -> tuple[Entry | None, list[Problem]]:
    problems: list[Problem] = []
    m = HEADING.match(sec.title)
    if not m:
        problems.append(Problem(path=doc.path, line=sec.line, message=f"malformed heading {sec.title!r}: want '### <ID> — <title>' like '### U7 — Inodes run out'"))
        return None, problems
    entry_id, title = m.group(1), m.group(2).strip()
    toks = sec.tokens

    # Where each labelled field starts, and which lines belong to a signals fence.
    starts: list[tuple[str, str, int]] = []
    fences: list[Token] = []
    for i, tok in enumerate(toks):
        found = _label_of(toks, i)
        if found and tok.map:
            starts.append((found[0], found[1], tok.map[0] + 1))
        if tok.type == "fence":
            fences.append(tok)
    signal_fences = [f for f in fences if f.info.strip().lower() == "signals"]
    skip: set[int] = set()
    for f in signal_fences:
        if f.map:
            skip.update(range(f.map[0] + 1, f.map[1] + 1))

    def body(start: int, end: int, label: str | None) -> str:
        lines = [ln for n, ln in zip(range(start, end), doc.text(start, end).split("\n")) if n not in skip]
        if label is not None and lines:
            lines[0] = _strip_label(lines[0], label)
        return "\n".join(lines).strip()

    fields: dict[str, str] = {}
    field_lines: dict[str, tuple[int, int]] = {}
    order = [name for name, _, _ in starts]
    for k, (name, label, line) in enumerate(starts):
        end = starts[k + 1][2] if k + 1 < len(starts) else sec.end_line
        if name in fields:
            problems.append(Problem(path=doc.path, line=line, message=f"{entry_id} has a second **{label}**"))
            continue
        fields[name] = body(line, end, label)
        field_lines[name] = (line, end)

    block, signals, sig_problems = None, [], []
    if len(signal_fences) > 1 and signal_fences[1].map:
        problems.append(Problem(path=doc.path, line=signal_fences[1].map[0] + 1, message=f"{entry_id} has more than one signals block"))
    if signal_fences and signal_fences[0].map:
        f = signal_fences[0]
        block, signals, sig_problems = parse_signals_block(f.content, doc.path, f.map[0] + 2)
        problems.extend(sig_problems)

    missing = [name for name in LABELS if name not in fields]
    if missing:
        for name in missing:
            pretty = {"symptom": "Symptom", "root cause": "Root cause", "fix": "Fix"}[name]
            problems.append(Problem(path=doc.path, line=sec.line, message=f"{entry_id} has no **{pretty}**"))
    elif not missing and order[:3] != list(LABELS):
        problems.append(Problem(path=doc.path, line=sec.line, message=f"{entry_id}: labels must come in the order Symptom, Root cause, Fix", severity="warning"))

    commands = [f.content.rstrip("\n") for f in fences if f.info.strip().lower() in COMMAND_FENCES and f not in signal_fences]
    errors: list[str] = []
    sym_range = field_lines.get("symptom")
    for tok in toks:
        if tok.type == "inline" and tok.map and sym_range and sym_range[0] <= tok.map[0] + 1 < sym_range[1]:
            errors.extend(c.content for c in tok.children or [] if c.type == "code_inline" and len(c.content) > 3)
    all_text = " ".join([title, *fields.values()])
    refs = sorted({r for r in U_REF.findall(all_text) if r != entry_id}, key=lambda r: int(r[1:]))

    entry = Entry(
        id=entry_id,
        title=title,
        theme=theme,
        symptom=fields.get("symptom", ""),
        root_cause=fields.get("root cause", ""),
        fix=fields.get("fix", ""),
        commands=commands,
        error_strings=list(dict.fromkeys(errors)),
        refs=refs,
        keywords=block.keywords if block else [],
        signals=signals,
        checks=block.checks if block else [],
        profile_fields=block.profile_fields if block else [],
        platform=platform,
        source=SourceRef(path=doc.path, line=sec.line),
    )
    return entry, problems

