"""Caps on what a catalog may hold: files, entries, and the size of every field.

A catalog can come from anyone (--catalog, $GOTCHA_CATALOG), and everything in it is indexed,
scored against every paste and sent to agents, so each field is measured before it is used. The
limits are ten to twenty times what the shipped catalog needs. File and entry counts can be
raised with an environment variable, for a team that really has a catalog that big.
"""

from __future__ import annotations

import os

from gotcha_kb.kb.models import Entry, Problem

MAX_FILES_VAR = "GOTCHA_MAX_FILES"
MAX_ENTRIES_VAR = "GOTCHA_MAX_ENTRIES"
DEFAULT_MAX_FILES = 200
DEFAULT_MAX_ENTRIES = 2000

# field -> most characters; list fields: (most items, most characters per item)
TEXT_LIMITS = {"id": 20, "title": 300, "theme": 200, "symptom": 20_000, "root_cause": 20_000, "fix": 20_000}
LIST_LIMITS = {
    "keywords": (200, 200),
    "error_strings": (100, 1000),
    "commands": (50, 10_000),
    "profile_fields": (50, 100),
}
MAX_SIGNALS = 100
MAX_CHECKS = 50
MAX_CHECK_CHARS = 2000


def cap(var: str, default: int, environ: dict[str, str] | None = None) -> int:
    """The limit from `var` when it holds a positive integer, else the default."""
    value = (os.environ if environ is None else environ).get(var, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default


def entry_problems(e: Entry) -> list[Problem]:
    """Every field of `e` over its limit, as errors at the entry's heading."""
    out: list[Problem] = []

    def bad(msg: str) -> None:
        out.append(Problem(path=e.source.path, line=e.source.line, message=f"{e.id[:20]}: {msg}"))

    for name, most in TEXT_LIMITS.items():
        n = len(getattr(e, name))
        if n > most:
            bad(f"{name} is {n} characters; the limit is {most}")
    for name, (items, chars) in LIST_LIMITS.items():
        values = getattr(e, name)
        if len(values) > items:
            bad(f"{name} has {len(values)} items; the limit is {items}")
        longest = max((len(v) for v in values), default=0)
        if longest > chars:
            bad(f"an item of {name} is {longest} characters; the limit is {chars}")
    if len(e.signals) > MAX_SIGNALS:
        bad(f"{len(e.signals)} signals; the limit is {MAX_SIGNALS}")
    if len(e.checks) > MAX_CHECKS:
        bad(f"{len(e.checks)} checks; the limit is {MAX_CHECKS}")
    if any(len(c.run) + len(c.shows) > MAX_CHECK_CHARS for c in e.checks):
        bad(f"a check is over {MAX_CHECK_CHARS} characters")
    return out
