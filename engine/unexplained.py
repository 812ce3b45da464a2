"""Does the best candidate account for the errors in the paste?

A paste that ends in `ModuleNotFoundError` or `fatal: refusing to merge` is about that error. If
the catalog entry that scores best neither matched that line (a signal or phrase fired on it)
nor resembles it, the entry is most likely explaining something else in the text, and the
honest answer leans towards "no confident match". This is the strongest out-of-scope cue the
eval set shows: most uncovered errors have such a line, few covered ones leave it unexplained.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from itertools import accumulate

from gotcha_kb.engine.evidence import Line
from gotcha_kb.engine.prefilter import lowered_exactly

# Lines that announce a failure in the usual ways: a Python exception class, `error:`/`fatal:`,
# FAILED, "not found", "denied", and the Chinese words for error and failure.
ERROR_LINE = re.compile(
    r"\b[A-Z]\w*(?:Error|Exception)\b|(?i:traceback|\bfatal\b|\berror\b|\bfailed\b|\bdenied\b|not found"
    r"|\bcannot\b|\bcan't\b|\bunable\b)|错误|失败"
)
MAX_ERROR_LINES = 20  # the last ones: where a long log broke
RESEMBLES = 0.15  # cosine of one error line to an entry's words that counts as "this entry talks about it"


# Every match of ERROR_LINE holds one of these, lowercased ('...Error' and 'error' alike). Looking
# for them with str.find is a C scan; the regex, tried at every position of every line, cost
# ~140 ms per MB of log. Only lines that hold one are searched.
_ERROR_WORDS = ("error", "exception", "traceback", "fatal", "failed", "denied", "not found", "cannot", "can't",
                "unable", "错误", "失败")


def error_lines(lines: list[Line]) -> list[Line]:
    """The last MAX_ERROR_LINES error lines, in order; the newest are found first."""
    low = lowered_exactly("\n".join(ln.text for ln in lines))
    if low is None:
        candidates: Iterable[int] = range(len(lines) - 1, -1, -1)
    else:
        starts = list(accumulate((len(ln.text) + 1 for ln in lines), initial=0))
        hit: set[int] = set()
        for word in _ERROR_WORDS:
            at = low.find(word)
            while at != -1:
                line = bisect_right(starts, at) - 1
                hit.add(line)
                at = low.find(word, starts[line + 1])  # the next line: one hit per line is enough
        candidates = sorted(hit, reverse=True)
    found: list[Line] = []
    for i in candidates:
        if ERROR_LINE.search(lines[i].text):
            found.append(lines[i])
            if len(found) == MAX_ERROR_LINES:
                break
    return found[::-1]


class ErrorCoverage:
    """Per error line, how much each entry resembles it; computed once, read per candidate."""

    def __init__(self, errors: list[Line], similarity: Callable[[str], dict[int, float]]):
        self.errors = errors
        self.numbers = {ln.no for ln in errors}
        self._sims = [similarity(ln.text) for ln in errors]

    def unexplained(self, row: int, evidence_lines: set[int]) -> float:
        """1.0 when the paste has error lines and the entry at `row` neither hit nor resembles any."""
        if not self.errors:
            return 0.0
        if self.numbers & evidence_lines:
            return 0.0
        if any(s.get(row, 0.0) >= RESEMBLES for s in self._sims):
            return 0.0
        return 1.0
