"""Engine-side checks of a catalog: fact names that no parser produces are typos, and regexes
that backtrack catastrophically on a crafted line are refused before diagnose runs them."""

from __future__ import annotations

from typing import Any

from gotcha_kb.engine.parsers import known_facts
from gotcha_kb.kb.catalog import Catalog
from gotcha_kb.kb.models import Problem
from gotcha_kb.kb.redos import timed_check


def validate_catalog(cat: Catalog) -> list[Problem]:
    known = known_facts()
    problems = []
    slow = timed_check([s.regex for e in cat.entries for s in e.signals if s.regex], thorough=True)
    for e in cat.entries:
        for n, s in enumerate(e.signals):
            for pred in s.predicates:
                if pred.fact not in known:
                    problems.append(Problem(path=e.source.path, line=e.source.line, message=f"{e.id} signals[{n}]: no parser produces fact {pred.fact!r}"))
            if s.regex and s.regex in slow:
                problems.append(Problem(path=e.source.path, line=e.source.line,
                                        message=f"{e.id} signals[{n}]: regex {s.regex!r} {slow[s.regex]}; it backtracks "
                                        "catastrophically: make each repetition need a character the next one cannot match"))
    return problems


def check_report(cat: Catalog) -> dict[str, Any]:
    """What `gotcha check` reports: counts, and every problem from loading and from the checks above."""
    problems = [*cat.problems, *validate_catalog(cat)]
    errors = sum(1 for p in problems if p.severity == "error")
    return {
        "entries": len(cat.entries),
        "universal": sum(1 for e in cat.entries if e.platform is None),
        "platform_gotchas": sum(1 for e in cat.entries if e.platform),
        "profiles": len(cat.profiles),
        "errors": errors,
        "warnings": len(problems) - errors,
        "problems": problems,
        "sources": cat.sources,
    }
