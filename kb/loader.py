"""load_catalog(): read every source, parse, cross-check, and collect every problem found.

Loading never raises on bad content: a broken file becomes Problems with file:line and the rest
of the catalog still loads. Callers decide whether errors are fatal (`gotcha check` does).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from gotcha_kb.kb import limits
from gotcha_kb.kb.catalog import Catalog
from gotcha_kb.kb.entries import parse_entry
from gotcha_kb.kb.markdown import parse_document
from gotcha_kb.kb.models import Entry, Problem
from gotcha_kb.kb.paths import expand, resolve_sources
from gotcha_kb.kb.profile_model import ProfileFacts
from gotcha_kb.kb.profiles import parse_profile
from gotcha_kb.kb.redos import guard_user_regexes
from gotcha_kb.kb.references import Owner, id_pattern, outside_references, unknown_ids

MAX_FILE_BYTES = 4 * 1024 * 1024


def _read(path: Path) -> tuple[str | None, Problem | None]:
    shown = str(path)
    try:
        if not path.exists():
            return None, Problem(path=shown, line=0, message="no such file or folder")
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            # /dev/zero reports size 0 and never ends; a FIFO blocks the read forever.
            return None, Problem(path=shown, line=0, message="not a regular file (a device, FIFO or socket); a catalog is Markdown files")
        size = st.st_size
        if size > MAX_FILE_BYTES:
            return None, Problem(path=shown, line=0, message=f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)  # a file that grew since stat() is still capped
        if len(data) > MAX_FILE_BYTES:
            return None, Problem(path=shown, line=0, message=f"file is over {MAX_FILE_BYTES} bytes; the limit is {MAX_FILE_BYTES}")
    except OSError as e:
        return None, Problem(path=shown, line=0, message=f"cannot read: {e.strerror or e}")
    if b"\x00" in data:
        return None, Problem(path=shown, line=data[: data.index(b"\x00")].count(b"\n") + 1, message="binary file (NUL byte), not Markdown")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        return None, Problem(path=shown, line=data[: e.start].count(b"\n") + 1, message="not UTF-8 text")


def _is_profile(text: str) -> bool:
    return text.startswith("---\n") or text.startswith("---\r\n")


def _catalog_file(path: str, text: str) -> tuple[list[Entry], list[Problem]]:
    doc = parse_document(path, text)
    entries: list[Entry] = []
    problems: list[Problem] = []
    for theme in doc.sections:
        for sec in theme.children:
            entry, p = parse_entry(doc, sec, theme=theme.title, platform=None)
            problems.extend(p)
            if entry is not None:
                entries.append(entry)
    return entries, problems


def load_catalog(paths: list[str] | None = None, environ: dict[str, str] | None = None) -> Catalog:
    sources = resolve_sources(paths, environ)
    cat = Catalog(sources=[str(s) for s in sources])
    if not sources:
        cat.problems.append(Problem(path="<catalog>", line=0, message="no catalog found: pass --catalog PATH or set GOTCHA_CATALOG"))
        return cat
    platform_entries: list[Entry] = []
    texts: list[tuple[str, str, str]] = []  # (path, text, who owns lines outside any entry)
    for src in sources:
        if not Path(src).exists():
            cat.problems.append(Problem(path=str(src), line=0, message="no such file or folder"))
    files = expand([s for s in sources if Path(s).exists()])
    max_files = limits.cap(limits.MAX_FILES_VAR, limits.DEFAULT_MAX_FILES, environ)
    if len(files) > max_files:
        cat.problems.append(Problem(path=os.path.commonpath(files) if files else "<catalog>", line=0,
                                    message=f"{len(files)} catalog files; the limit is {max_files}: only the first {max_files} were read "
                                    f"(set {limits.MAX_FILES_VAR} to raise it)"))
        files = files[:max_files]
    for name in files:
        path = Path(name)
        text, problem = _read(path)
        if problem is not None:
            cat.problems.append(problem)
            continue
        assert text is not None
        shown = str(path)
        text = text.replace("\r\n", "\n")
        if _is_profile(text):
            texts.append((shown, text, f"profile {path.stem!r}"))
            profile, p = parse_profile(shown, text, path.stem)
            cat.problems.extend(p)
            if profile is not None:
                if profile.name in cat.profiles:
                    cat.problems.append(Problem(path=shown, line=1, message=f"profile {profile.name!r} defined twice (also {cat.profiles[profile.name].source})"))
                cat.profiles[profile.name] = profile
                platform_entries.extend(profile.gotchas)
        else:
            texts.append((shown, text, "the text"))
            entries, p = _catalog_file(shown, text)
            cat.entries.extend(entries)
            cat.problems.extend(p)
    cat.entries.extend(platform_entries)
    _enforce_limits(cat, environ)
    cat.problems.extend(guard_user_regexes(cat.entries, [str(s) for s in sources]))
    cat.problems.extend(cross_check(cat))
    cat.problems.extend(check_references(cat, texts))
    return cat


def check_references(cat: Catalog, texts: list[tuple[str, str, str]]) -> list[Problem]:
    """Every reference must resolve inside the catalog: no unknown ids, no outside documents."""
    known = {e.id for e in cat.entries}
    pattern = id_pattern([p.facts.gotcha_prefix for p in cat.profiles.values()])
    problems: list[Problem] = []
    for path, text, default_owner in texts:
        owners = sorted((Owner(line=e.source.line, name=e.id) for e in cat.entries if e.source.path == path), key=lambda o: o.line)
        problems.extend(unknown_ids(path, text, known, pattern, owners, default_owner))
        problems.extend(outside_references(path, text))
    return problems


def _enforce_limits(cat: Catalog, environ: dict[str, str] | None) -> None:
    """Drop entries with an oversized field, then entries past the count cap, each with a Problem."""
    kept = []
    for e in cat.entries:
        too_big = limits.entry_problems(e)
        cat.problems.extend(too_big)
        if not too_big:
            kept.append(e)
    most = limits.cap(limits.MAX_ENTRIES_VAR, limits.DEFAULT_MAX_ENTRIES, environ)
    if len(kept) > most:
        first = kept[most]
        cat.problems.append(Problem(path=first.source.path, line=first.source.line,
                                    message=f"{len(kept)} entries; the limit is {most}: {first.id} and the ones after it were left out "
                                    f"(set {limits.MAX_ENTRIES_VAR} to raise it)"))
        kept = kept[:most]
    cat.entries = kept


def cross_check(cat: Catalog) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, Entry] = {}
    for e in cat.entries:
        if e.id in seen:
            problems.append(Problem(path=e.source.path, line=e.source.line, message=f"duplicate id {e.id} (first at {seen[e.id].source})"))
        else:
            seen[e.id] = e
    owner: dict[str, str] = {}
    for prof in cat.profiles.values():
        for hint in prof.facts.hints:
            other = owner.setdefault(hint.lower(), prof.name)
            if other != prof.name:
                # A hint two platforms share cannot tell them apart; diagnose would flip between them.
                problems.append(Problem(path=prof.source.path, line=1, message=f"hint {hint!r} is also a hint of profile {other!r}"))
    # Nor can a hint that sits inside another platform's hint or name (`vast` in `vast.ai`): the
    # engine looks for each name on its own, so the longer one would count for both platforms.
    names = [(n.lower(), p.name) for p in cat.profiles.values() for n in (p.name, p.facts.display_name, *p.facts.hints)]
    for prof in cat.profiles.values():
        for hint in prof.facts.hints:
            inside = sorted({f"{n!r} of profile {who!r}" for n, who in names if who != prof.name and hint.lower() in n and hint.lower() != n})
            if inside:
                problems.append(Problem(path=prof.source.path, line=1, message=f"hint {hint!r} occurs inside {', '.join(inside)}"))
    known_fields = set(ProfileFacts.model_fields)
    for e in cat.entries:
        for f in e.profile_fields:
            if f not in known_fields:
                problems.append(Problem(path=e.source.path, line=e.source.line, message=f"{e.id} names profile field {f!r}, which profiles do not have"))
                continue
            for prof in cat.profiles.values():
                if str(getattr(prof.facts, f)).strip() == "":
                    problems.append(Problem(path=prof.source.path, line=1, message=f"{f} is empty; {e.id} depends on it (write a value or n/a)"))
    return problems
