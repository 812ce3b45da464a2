"""The shortlists (engine/diagnose.py: Engine._shortlist scores fewer entries, PHRASE_CANDIDATES
matches phrases for fewer candidates) change no answer."""

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


@pytest.mark.sweep
def test_phrases_for_the_best_candidates_only_change_no_answer(engine, monkeypatch):
    import gotcha_kb.engine.diagnose as diagnose

    sample = engine.cases[7 :: len(engine.cases) // budget(600)]
    assert len(sample) >= 20

    def answers(n: int) -> list:
        monkeypatch.setattr(diagnose, "PHRASE_CANDIDATES", n)
        out = []
        for case in sample:
            d = engine.diagnose(case.input, platform=case.platform, exclude_case=case.id)
            out.append(([m.id for m in d.matches], d.abstained, [round(m.confidence, 2) for m in d.matches[:1]]))
        return out

    assert answers(diagnose.PHRASE_CANDIDATES) == answers(len(engine.entries))


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


def test_literal_heads_find_every_literal_a_short_text_holds(engine):
    """Looking only for literals whose first three characters occur finds all that a full scan finds."""
    import random

    from gotcha_kb.engine.evidence import Line
    from gotcha_kb.engine.signals import TextIndex

    rng = random.Random(5)
    owners = engine.owners
    keys = sorted(owners.literals)
    assert owners.by_head
    for _ in range(budget(400, 40)):
        picked = [lit.upper() if rng.random() < 0.3 else lit for lit, _ in rng.sample(keys, 6)]
        text = " ".join(p[rng.randrange(len(p)) :] if rng.random() < 0.3 else p for p in picked)
        index = TextIndex([Line(1, text)])
        full = {k for k in owners.literals if index.may_contain((k[0],), k[1])}
        assert full  # the texts do hold literals
        assert {k for k in owners.candidates(index) if index.may_contain((k[0],), k[1])} == full
