"""Parse one `profiles/<name>.md` into a Profile, reporting every problem with file:line."""

from __future__ import annotations

import shlex

from pydantic import ValidationError

from gotcha_kb.kb import yamlio
from gotcha_kb.kb.entries import U_REF, parse_entry
from gotcha_kb.kb.markdown import Document, Section, inline_text, parse_document, split_front_matter
from gotcha_kb.kb.models import Problem, SourceRef
from gotcha_kb.kb.profile_model import OVERRIDE_KEYS, SECTION_ORDER, Profile, ProfileFacts, ProfileSection, SurvivalRow

SURVIVAL_HEADER = ["tier", "path", "survives stop", "survives destroy", "cap"]
SURVIVAL_WORDS = ("yes", "no", "n/a", "depends")


def _facts(raw_yaml: str | None, path: str, stem: str) -> tuple[ProfileFacts | None, list[Problem]]:
    if raw_yaml is None:
        return None, [Problem(path=path, line=1, message="profile has no YAML front matter (a '---' block first)")]
    try:
        data = yamlio.safe_load(raw_yaml)
    except yamlio.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = 2 + (mark.line if mark is not None else 0)
        return None, [Problem(path=path, line=line, message=f"bad YAML in front matter: {getattr(e, 'problem', e)}")]
    if not isinstance(data, dict):
        return None, [Problem(path=path, line=1, message="front matter must be a YAML mapping")]
    key_lines = {}
    for n, line in enumerate(raw_yaml.split("\n"), start=2):
        key = line.split(":", 1)[0].strip()
        if key and not line.startswith((" ", "#")):
            key_lines.setdefault(key, n)
    try:
        facts = ProfileFacts.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            line = key_lines.get(field, 1)
            if err["type"] == "extra_forbidden":
                msg = f"unknown field {field!r}"
            elif err["type"] == "missing":
                msg = f"missing field {field!r}"
            else:
                msg = f"field {field!r}: {err['msg']} (got {err.get('input')!r})"
            problems.append(Problem(path=path, line=line, message=msg))
        # pydantic reports one error per Union member; keep one message per field and line.
        return None, list({(p.line, p.message.split(":")[0]): p for p in problems}.values())
    if facts.platform != stem:
        return facts, [Problem(path=path, line=key_lines.get("platform", 1), message=f"platform {facts.platform!r} must equal the file name {stem!r}")]
    return facts, []


def _survival(doc: Document, sec: Section) -> tuple[list[SurvivalRow], list[Problem]]:
    rows: list[SurvivalRow] = []
    problems: list[Problem] = []
    toks = sec.tokens + [t for child in sec.children for t in child.tokens]
    found = False
    i = 0
    while i < len(toks):
        if toks[i].type != "table_open":
            i += 1
            continue
        j = i
        cells: list[list[str]] = []
        row: list[str] = []
        row_lines: list[int] = []
        while j < len(toks) and toks[j].type != "table_close":
            t = toks[j]
            if t.type == "tr_open":
                row = []
                row_lines.append((t.map[0] + 1) if t.map else sec.line)
            elif t.type == "inline":
                row.append(inline_text(t).strip())
            elif t.type == "tr_close":
                cells.append(row)
            j += 1
        i = j + 1
        if not cells or [c.lower().rstrip("?") for c in cells[0]] != SURVIVAL_HEADER:
            continue
        found = True
        for cols, line in zip(cells[1:], row_lines[1:]):
            for col in (cols[2], cols[3]):
                if not col.lower().startswith(SURVIVAL_WORDS):
                    problems.append(Problem(path=doc.path, line=line, message=f"survival cell {col!r} must start with yes, no, n/a or depends"))
            rows.append(SurvivalRow(tier=cols[0], path=cols[1], survives_stop=cols[2], survives_destroy=cols[3], cap=cols[4], line=line))
    if not found:
        problems.append(Problem(path=doc.path, line=sec.line, message="Storage model has no survival table (header | Tier | Path | Survives stop | Survives destroy | Cap |)"))
    return rows, problems


def _overrides(doc: Document, sec: Section) -> tuple[dict[str, str], list[Problem]]:
    fence = next((t for t in sec.tokens if t.type == "fence" and t.info.strip() in ("sh", "bash")), None)
    if fence is None or not fence.map:
        return {}, [Problem(path=doc.path, line=sec.line, message="Script overrides needs a ```sh block of KEY=value lines")]
    out: dict[str, str] = {}
    problems: list[Problem] = []
    for n, line in enumerate(fence.content.split("\n"), start=fence.map[0] + 2):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, eq, value = line.removeprefix("export ").partition("=")
        if not eq or not key.isidentifier():
            problems.append(Problem(path=doc.path, line=n, message=f"override line {line!r} is not KEY=value"))
            continue
        try:
            parts = shlex.split(value, comments=True)
        except ValueError as e:
            problems.append(Problem(path=doc.path, line=n, message=f"override {key}: {e}"))
            continue
        out[key] = parts[0] if parts else ""
    for key in OVERRIDE_KEYS:
        if key not in out:
            problems.append(Problem(path=doc.path, line=fence.map[0] + 1, message=f"Script overrides lacks {key}"))
    return out, problems


def parse_profile(path: str, text: str, stem: str) -> tuple[Profile | None, list[Problem]]:
    raw, body, offset = split_front_matter(text)
    facts, problems = _facts(raw, path, stem)
    doc = parse_document(path, body, line_offset=offset)
    titles = [s.title for s in doc.sections]
    wanted = [t.lower() for t in SECTION_ORDER]
    present = [t.lower() for t in titles if t.lower() in wanted]
    for want in SECTION_ORDER:
        if want.lower() not in present:
            problems.append(Problem(path=path, line=offset + 1, message=f"profile lacks section '## {want}'"))
    if present != [w for w in wanted if w in present]:
        sec = next(s for s, t in zip(doc.sections, titles) if t.lower() in wanted)
        problems.append(Problem(path=path, line=sec.line, message=f"sections out of order: want {', '.join(SECTION_ORDER)}"))

    sections: list[ProfileSection] = []
    survival: list = []
    overrides: dict[str, str] = {}
    gotchas = []
    for sec in doc.sections:
        sections.append(ProfileSection(title=sec.title, line=sec.line, text=doc.text(sec.line + 1, sec.end_line).strip()))
        low = sec.title.lower()
        if low == "storage model":
            survival, p = _survival(doc, sec)
            problems.extend(p)
        elif low == "script overrides":
            overrides, p = _overrides(doc, sec)
            problems.extend(p)
        elif low == "top gotchas":
            for child in sec.children:
                entry, p = parse_entry(doc, child, theme=f"Platform: {stem}", platform=stem)
                problems.extend(p)
                if entry is None:
                    continue
                if facts and not entry.id.startswith(facts.gotcha_prefix) or (facts and not entry.id[len(facts.gotcha_prefix):].isdigit()):
                    problems.append(Problem(path=path, line=child.line, message=f"{entry.id} must use this profile's prefix {facts.gotcha_prefix} and a number"))
                gotchas.append(entry)
    refs = sorted(set(U_REF.findall(body)), key=lambda r: int(r[1:]))
    if facts is None:
        return None, problems
    profile = Profile(name=stem, facts=facts, sections=sections, survival=survival, overrides=overrides, gotchas=gotchas, refs=refs, source=SourceRef(path=path, line=1))
    return profile, problems
