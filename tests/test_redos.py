"""Every regex we run on user input, timed on adversarial text, rather than trusting review.

Covers the catalog's signal regexes (data anyone can add) and the compiled patterns in the engine
and kb modules. Also checks that the literal prefilter never hides a real match.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time

import pytest
from conftest import budget

from gotcha_kb import engine
from gotcha_kb import kb
from gotcha_kb.engine.prefilter import required_literals

ATTACKS = [
    "a" * 20000,
    " " * 20000 + "!",
    "\t" * 20000,
    "0" * 20000,
    "x " * 10000,
    "Killed process " * 2000,
    "no space left on device " * 800,
    "[" * 20000,
    "/" * 20000,
    "=" * 20000,
    ".-" * 10000,
    "ab12" * 5000 + "\n" * 3,
]
BUDGET_S = 0.5  # per pattern, per attack: generous for a loaded 2-core machine


def _module_patterns() -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for pkg in (engine, kb):
        for info in pkgutil.walk_packages(pkg.__path__, prefix=pkg.__name__ + "."):
            mod = importlib.import_module(info.name)
            for name, value in vars(mod).items():
                if isinstance(value, re.Pattern):
                    found.append((f"{info.name}.{name}", value))
    return found


def _catalog_patterns(catalog) -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for e in catalog.entries:
        for n, s in enumerate(e.signals):
            if s.regex:
                out.append((f"{e.id}.signals[{n}]", re.compile(s.regex, re.M)))
    return out


def _slowest(rx: re.Pattern[str]) -> float:
    worst = 0.0
    for text in ATTACKS:
        t = time.perf_counter()
        for m in rx.finditer(text):
            pass
        worst = max(worst, time.perf_counter() - t)
    return worst


def test_module_regexes_are_linear():
    slow = [(name, round(t, 3)) for name, rx in _module_patterns() if (t := _slowest(rx)) > BUDGET_S]
    assert slow == []


def test_catalog_regexes_are_linear(catalog):
    pats = _catalog_patterns(catalog)
    assert len(pats) > 100
    slow = [(name, round(t, 3)) for name, rx in pats if (t := _slowest(rx)) > BUDGET_S]
    assert slow == []


@pytest.mark.sweep
def test_prefilter_never_hides_a_match(catalog):
    from gotcha_kb.engine.cases import load_cases

    cases = load_cases().cases
    texts = [c.input for c in cases][:: max(1, len(cases) // budget(len(cases)))]
    texts += [p.read_text(encoding="utf-8") for p in (__import__("pathlib").Path(__file__).parent / "fixtures" / "diagnose").glob("*.txt")]
    for name, rx in _catalog_patterns(catalog):
        lits, icase = required_literals(rx.pattern)
        if lits is None:
            continue
        for text in texts:
            if rx.search(text):
                hay = text.lower() if icase else text
                assert any(lit in hay for lit in lits), (name, lits)


@pytest.mark.parametrize(
    "pattern, expected",
    [
        (r"(?i)no space left on device", (["no space left on device"], True)),
        (r"(?i)(connection reset|broken pipe)", (["connection reset", "broken pipe"], True)),
        (r"^Killed$", (["Killed"], False)),
        (r"(a|b)c", (None, False)),
        (r".*", (None, False)),
    ],
)
def test_required_literals(pattern, expected):
    assert required_literals(pattern) == expected
