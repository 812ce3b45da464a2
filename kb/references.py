"""References a reader cannot follow: ids the catalog lacks and documents this product does not ship.

A user of gotcha-kb has only gotcha-kb. Advice that says "see the X skill", "principle #3",
"Phase 0" or `references/foo.md` sends them to a document they do not have, and an id like U99
sends `gotcha show` to nothing. Both are found line by line so `gotcha check` can cite file:line.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from gotcha_kb.kb.models import Problem

# Each pattern names one way the upstream catalog pointed outside itself. They are deliberately
# narrow: "required for H100" or "a phase of training" are ordinary words and must pass.
OUTSIDE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)\b[a-z0-9]+(?:[-:][a-z0-9]+)+\**\s+skills?\b"), "a named skill"),
    (re.compile(r"(?i)\b(?:that|this|the)\s+skill\b"), "a skill"),
    (re.compile(r"\bREQUIRED\b"), "a REQUIRED cross-link"),
    (re.compile(r"(?i)\bprinciples?\s*#\s*[0-9]+"), "a numbered principle"),
    (re.compile(r"(?i)\bphase[- ][0-9]+\b"), "a numbered phase"),
    (re.compile(r"\breferences/[\w.-]+\.md\b"), "a references/*.md document"),
    (re.compile(r"§\s*[0-9]+"), "a numbered section (§) of another document"),
]


@dataclass(frozen=True)
class Owner:
    """The entry (or profile) a source line belongs to, for messages that say whose text it is."""

    line: int
    name: str


def outside_references(path: str, text: str) -> list[Problem]:
    """One error per line that points at a document outside the catalog."""
    problems: list[Problem] = []
    for n, line in enumerate(text.split("\n"), start=1):
        for pattern, what in OUTSIDE:
            m = pattern.search(line)
            if m:
                problems.append(Problem(path=path, line=n, message=f"refers to {what} ({m.group(0).strip()!r}) that this catalog does not contain; write the advice out instead"))
                break
    return problems


def id_pattern(prefixes: list[str]) -> re.Pattern[str]:
    """Ids the catalog could hold: U<n> plus each profile's gotcha prefix. Longest prefix first."""
    alts = sorted({"U", *prefixes}, key=len, reverse=True)
    return re.compile(r"\b(?:%s)[0-9]+\b" % "|".join(map(re.escape, alts)))


def unknown_ids(path: str, text: str, known: set[str], pattern: re.Pattern[str], owners: list[Owner], default_owner: str) -> list[Problem]:
    """One error per (line, id) for an id-shaped token that names no entry."""
    starts = [o.line for o in owners]
    problems: list[Problem] = []
    for n, line in enumerate(text.split("\n"), start=1):
        for ref in dict.fromkeys(pattern.findall(line)):
            if ref in known:
                continue
            k = bisect.bisect_right(starts, n) - 1
            who = owners[k].name if k >= 0 else default_owner
            problems.append(Problem(path=path, line=n, message=f"{who} refers to {ref}, which does not exist"))
    return problems
