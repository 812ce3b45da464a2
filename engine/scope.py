"""Is this paste about something the catalog covers at all?

A naive Bayes log-odds over the words of the labeled cases: in-scope examples (expect non-empty)
against out-of-scope ones (expect []). `ModuleNotFoundError`, `KeyError` or `learning rate` lean
out; `instance`, `billing`, `checkpoint` lean in. It answers a different question from the
ranking (which entry?) and feeds only the confidence curve. Like every case-derived feature it
is leave-one-out during evals: a case's own words are taken out before it is scored.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

SMOOTH = 0.5  # add-half smoothing: a word seen on one side only is evidence, not proof


class ScopeModel:
    def __init__(self, examples: Iterable[tuple[set[str], bool]]):
        self.count = {True: Counter(), False: Counter()}
        self.docs = {True: 0, False: 0}
        for words, in_scope in examples:
            self.count[in_scope].update(words)
            self.docs[in_scope] += 1

    def to_plain(self) -> dict[str, Any]:
        return {"in": dict(self.count[True]), "out": dict(self.count[False]), "docs_in": self.docs[True], "docs_out": self.docs[False]}

    @classmethod
    def from_plain(cls, d: dict[str, Any]) -> "ScopeModel":
        self = cls.__new__(cls)
        self.count = {True: Counter(d["in"]), False: Counter(d["out"])}
        self.docs = {True: int(d["docs_in"]), False: int(d["docs_out"])}
        return self

    def log_odds(self, words: set[str], leave_out: tuple[set[str], bool] | None = None) -> float:
        """Per-word-normalised log-odds that `words` are in scope (0.0 = no opinion)."""
        if not words or not self.docs[True] or not self.docs[False]:
            return 0.0
        own, side = leave_out if leave_out else (set(), True)
        n_in = self.docs[True] - (1 if leave_out and side else 0)
        n_out = self.docs[False] - (1 if leave_out and not side else 0)
        z = math.log((n_in + 1) / (n_out + 1))
        for w in words:
            a = self.count[True][w] - (1 if w in own and side else 0)
            b = self.count[False][w] - (1 if w in own and not side else 0)
            if a <= 0 and b <= 0:
                continue  # a word no example used says nothing either way
            z += math.log((a + SMOOTH) / (n_in + 1)) - math.log((b + SMOOTH) / (n_out + 1))
        # Long pastes would otherwise swamp the curve; sqrt keeps length from deciding alone.
        return z / math.sqrt(len(words))
