"""The shortlist (engine/diagnose.py: Engine._shortlist) scores fewer entries and changes no answer."""

from __future__ import annotations

import pytest
from conftest import budget

from gotcha_kb.engine.diagnose import Engine


@pytest.fixture(scope="module")
def engines(engine):
    # The same catalog, cases and tables; only the scoring loop differs.
    full = Engine(engine.catalog, engine.cases, tables=engine.tables)
    full.use_shortlist = False
    return engine, full, engine.cases


def _same(a, b) -> None:
    assert a.ranking == b.ranking
    assert [c.features for c in a.scored] == [c.features for c in b.scored]
    assert a.context == b.context


@pytest.mark.sweep
def test_the_shortlist_changes_no_ranking_on_the_cases(engines):
    short, full, cases = engines
    sample = cases[:: len(cases) // budget(600)]
    assert len(sample) >= 20
    for case in sample:
        _same(short.analyze(case.input, case.platform, exclude_case=case.id), full.analyze(case.input, case.platform, exclude_case=case.id))


@pytest.mark.parametrize("text", [
    "",
    "hello",
    "$ df -i\nFilesystem Inodes IUsed IFree IUse% Mounted on\n/dev/vdb 6553600 6553600 0 100% /root/autodl-tmp",
    "Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\nModuleNotFoundError: No module named 'foo'",
])
def test_the_shortlist_changes_nothing_on_odd_inputs(engines, text):
    short, full, _ = engines
    _same(short.analyze(text), full.analyze(text))
    _same(short.analyze(text, "autodl"), full.analyze(text, "autodl"))


def test_the_shortlist_is_short_on_a_typical_paste(engines):
    short, _, _ = engines
    text = "[ 9.1] Out of memory: Killed process 4242 (python)"
    listed = short._shortlist(short.entries, *_inputs(short, text))
    assert 0 < len(listed) < len(short.entries) / 2


def _inputs(eng: Engine, text: str):
    from gotcha_kb.engine.normalize import normalize
    from gotcha_kb.engine.parsers import parse_all
    from gotcha_kb.engine.signals import TextIndex, drop_repeats
    from gotcha_kb.kb.text import tokens

    lines, _ = normalize(text)
    parsed = parse_all(lines)
    index = TextIndex(drop_repeats(lines))
    q = tokens(text)
    return index, parsed.facts, eng.entry_index.query(q), {}, {}
