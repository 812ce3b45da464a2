"""Which entries a paste can give signal evidence for, without evaluating a single signal.

An entry's regex can fire only if one of its required literals (engine/prefilter.py) is in the
text, and its fact predicates only if the parsers produced that fact. This index maps literals and
facts back to their entries, so the diagnosis scores the entries a paste touches, not the whole
catalog (Engine._shortlist).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gotcha_kb.engine.signals import CompiledSignal, TextIndex

# Up to this long, a text's three-character heads pick the literals to look for; beyond, every
# literal is scanned (C string search over the text beats a set of all its heads).
HEADS_TEXT_CHARS = 20_000
HEAD = 3

Key = tuple[str, bool]  # (literal, case-insensitive)


class SignalOwners:
    def __init__(self, signals: Mapping[str, Iterable[CompiledSignal]]):
        self.literals: dict[Key, set[str]] = {}  # literal -> entries with a regex that needs it
        self.facts: dict[str, set[str]] = {}  # fact -> entries with a predicate on it
        self.unguarded: set[str] = set()  # entries with a regex no literal guards: always scored
        for eid, sigs in signals.items():
            for sig in sigs:
                if sig.pattern is not None and sig.literals is None:
                    self.unguarded.add(eid)
                elif sig.pattern is not None:
                    for lit in sig.literals or ():
                        self.literals.setdefault((lit, sig.icase), set()).add(eid)
                elif sig.predicates:
                    self.facts.setdefault(sig.predicates[0].fact, set()).add(eid)
        # A catalog of thousands of entries has thousands of literals; a short paste holds the
        # first three characters of few of them.
        self.by_head: dict[Key, list[Key]] = {}
        self.short: list[Key] = []
        for key in self.literals:
            if len(key[0]) >= HEAD:
                self.by_head.setdefault((key[0][:HEAD], key[1]), []).append(key)
            else:
                self.short.append(key)

    def candidates(self, index: TextIndex) -> Iterable[Key]:
        """The literals worth looking for in the text: those whose head occurs in it (all of them
        in a long text, where collecting the heads would cost more than the scans)."""
        text = index.text
        if len(text) > HEADS_TEXT_CHARS:
            return self.literals
        low = text.lower()
        heads = {(text[i : i + HEAD], False) for i in range(len(text) - HEAD + 1)}
        heads |= {(low[i : i + HEAD], True) for i in range(len(low) - HEAD + 1)}
        return [key for head in heads for key in self.by_head.get(head, ())] + self.short

    def entries_for(self, index: TextIndex, facts: Iterable[str]) -> set[str]:
        """Entries with a signal that could fire on this text and these parsed facts."""
        ids = set(self.unguarded)
        for lit, icase in self.candidates(index):
            if index.may_contain((lit,), icase):
                ids |= self.literals[(lit, icase)]
        for fact in facts:
            ids |= self.facts.get(fact, set())
        return ids
