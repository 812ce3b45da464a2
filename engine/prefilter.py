"""A cheap substring test in front of each regex: skip the regex when its literal is absent.

Python's `re` has no multi-pattern automaton, so with thousands of signals most of the cost is
regexes that cannot match. Nearly every catalog regex contains a literal run ("no space left on
device", "NVRM: Xid"); `str.__contains__` rules it out at C speed. Extraction is conservative:
when in doubt we return None and the regex always runs.
"""

from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]

MIN_LITERAL = 3


def _longest_run(items: list) -> str:
    best, run = "", []
    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if op is C.SUBPATTERN and av[3] is not None:
            inner = _alternatives(list(av[3]))
            if inner is not None and len(inner) == 1 and len(inner[0]) > len(best):
                best = inner[0]
        if len(run) > len(best):
            best = "".join(run)
        run = []
    if len(run) > len(best):
        best = "".join(run)
    return best


def _alternatives(items: list) -> list[str] | None:
    """Literals one of which every match must contain, or None when we cannot tell."""
    if len(items) == 1:
        op, av = items[0]
        if op is C.BRANCH:
            lits = [_longest_run(list(branch)) for branch in av[1]]
            return lits if all(len(x) >= MIN_LITERAL for x in lits) else None
        if op is C.SUBPATTERN and av[3] is not None:
            return _alternatives(list(av[3]))
    lit = _longest_run(items)
    return [lit] if len(lit) >= MIN_LITERAL else None


def required_literals(pattern: str) -> tuple[list[str] | None, bool]:
    """(literals, ignorecase): some literal must occur in any text the pattern matches."""
    try:
        parsed = P.parse(pattern)
    except re.error:
        return None, False
    icase = bool(parsed.state.flags & re.IGNORECASE)
    lits = _alternatives(list(parsed))
    if lits is None:
        return None, icase
    return ([x.lower() for x in lits] if icase else lits), icase
