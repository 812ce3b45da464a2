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


def _selective(run: str) -> bool:
    """Long enough to rule text out: a CJK character counts twice (停止 is as rare as 'stop')."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in run) >= MIN_LITERAL


def _plain_group(op, av) -> bool:
    """A group that changes no flags: `(?i:...)` inside a case-sensitive pattern would mislead us."""
    return op is C.SUBPATTERN and av[3] is not None and not av[1] and not av[2]


def _longest_run(items: list) -> str:
    best, run = "", []
    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if _plain_group(op, av):
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
    """Literals one of which every match must contain, or None when we cannot tell.

    In a sequence, any one required item will do: its longest literal run, or a group whose
    every branch has a literal (`\\b(nfs|cifs|ceph)\\s`). The set whose shortest literal is longest
    wins: it rules out the most text.
    """
    if len(items) == 1:
        op, av = items[0]
        if op is C.BRANCH:
            lits: list[str] = []
            for branch in av[1]:
                inner = _alternatives(list(branch))
                if inner is None:
                    return None
                lits.extend(inner)
            return list(dict.fromkeys(lits))
        if _plain_group(op, av):
            return _alternatives(list(av[3]))
    run = _longest_run(items)
    best = [run] if _selective(run) else None
    for op, av in items:
        if op is C.BRANCH or _plain_group(op, av):
            alts = _alternatives([(op, av)])
            if alts and (best is None or (min(map(len, alts)), -len(alts)) > (min(map(len, best)), -len(best))):
                best = alts
    return best


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


# The only characters that IGNORECASE matches to an ASCII letter but str.lower() does not turn
# into it: dotted and dotless i, the long s and the Kelvin sign (checked over every code point).
_ODD_CASE = ("\u0130", "\u0131", "\u017f", "\u212a")


def lowered_exactly(text: str) -> str | None:
    """`text.lower()` when finding a lowercase ASCII literal in it is exactly finding it with a
    case-insensitive regex (same length, so offsets map back; none of the odd letters); else None."""
    low = text.lower()
    if len(low) != len(text) or any(ch in text for ch in _ODD_CASE):
        return None
    return low
