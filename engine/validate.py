"""Engine-side checks of a catalog: fact names that no parser produces are typos."""

from __future__ import annotations

from engine.parsers import known_facts
from kb.catalog import Catalog
from kb.models import Problem
from kb.predicates import parse_predicate


def validate_catalog(cat: Catalog) -> list[Problem]:
    known = known_facts()
    problems = []
    for e in cat.entries:
        for n, s in enumerate(e.signals):
            for text in s.fact:
                pred = parse_predicate(text)
                if pred.fact not in known:
                    problems.append(Problem(path=e.source.path, line=e.source.line, message=f"{e.id} signals[{n}]: no parser produces fact {pred.fact!r}"))
    return problems
