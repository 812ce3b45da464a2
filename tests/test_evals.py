"""The eval set and its runner: coverage the issue asks for, leave-one-out, the CI gate, the fit."""

from __future__ import annotations

import json
from argparse import Namespace
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from gotcha_kb.engine.cases import Case, default_cases_path, load_cases

DF_I_FULL = (
    "$ df -i /data\nFilesystem      Inodes   IUsed IFree IUse% Mounted on\n"
    "/dev/vdb      6553600 6553600     0  100% /data\n"
    "cp: cannot create regular file '/data/x': No space left on device\n"
)
XID_79 = (
    "[Tue Mar 12 03:14:07 2024] NVRM: Xid (PCI:0000:41:00): 79, pid=2211, GPU has fallen off the bus.\n"
    "RuntimeError: CUDA error: unspecified launch failure\n"
)


@pytest.fixture(scope="module")
def shipped() -> list[Case]:
    loaded = load_cases(default_cases_path())
    assert not loaded.problems, loaded.problems[:3]
    return loaded.cases


def test_shipped_cases_cover_what_the_issue_asks(shipped, catalog):
    assert len(shipped) >= 200
    assert len({c.id for c in shipped}) == len(shipped)
    unknown = {x for c in shipped for x in c.expect + c.also_ok if catalog.get(x) is None}
    assert not unknown
    assert sum(1 for c in shipped if not c.expect) >= 30
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for c in shipped:
        if c.expect:
            kinds[c.expect[0]][c.kind] += 1
    for e in catalog.entries:
        got = kinds.get(e.id, Counter())
        if e.platform is None:
            assert sum(got.values()) >= 3, f"{e.id} has {sum(got.values())} cases"
            assert got["prose"] >= 1 and got["output"] + got["mixed"] >= 1, f"{e.id}: {dict(got)}"
        else:
            assert sum(got.values()) >= 1, f"{e.id} has no case"
    # A profile question for every platform: prose, the platform given, one of its own gotchas expected.
    asked = {c.platform for c in shipped if c.kind == "prose" and c.expect and c.platform and catalog.get(c.expect[0]).platform == c.platform}
    assert asked >= set(catalog.profiles)


def test_no_case_repeats_its_entrys_own_title(shipped, catalog):
    for c in shipped:
        for x in c.expect:
            assert catalog.get(x).title.lower() not in c.input.lower(), c.id


def _engine(catalog, cases: list[Case]):
    from gotcha_kb.engine.diagnose import Engine

    return Engine(catalog, cases)


def test_a_case_never_sees_itself(catalog):
    # An input no entry resembles, labeled U7: only its own copy could vouch for it.
    odd = Case(id="odd", input="zorblax quuxification frobnicated the wibble", expect=("U7",), kind="prose")
    eng = _engine(catalog, [odd])
    seen = eng.analyze(odd.input)
    held = eng.analyze(odd.input, exclude_case="odd")
    # Evidence names the words shared with the case (no id a user cannot look up).
    assert any(ev.kind == "case" and "'zorblax'" in ev.why for c in seen.scored for ev in c.evidence)
    assert not any(ev.kind == "case" and "zorblax" in ev.why for c in held.scored for ev in c.evidence)
    assert not any("odd" in ev.why.split() for c in seen.scored for ev in c.evidence)


def _write(tmp_path: Path, rows: list[dict]) -> Path:
    p = tmp_path / "cases.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return p


def _args(cases: Path, **kw) -> Namespace:
    base = dict(cases=str(cases), min_top1=None, min_top3=None, min_abstain=None, max_false_abstain=None, quiet=True,
                write_results=False, fit=False, out=None, real=None, real_weight=None, cv=0, cv_repeats=1, json=True, catalog=None)
    return Namespace(**(base | kw))


def test_runner_json_shape_and_gate(tmp_path, capsys):
    from gotcha_kb.evals.cli import run

    path = _write(tmp_path, [
        {"id": "inodes", "input": DF_I_FULL, "expect": ["U7"], "kind": "output", "note": "t"},
        # Labeled out of scope although the catalog covers it: the engine answers, so abstention is 0.
        {"id": "mislabeled", "input": XID_79, "expect": [], "kind": "output", "note": "t"},
    ])
    assert run(_args(path)) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"totals", "per_entry", "confusions", "cases"}
    t = out["totals"]
    assert (t["cases"], t["positives"], t["negatives"]) == (2, 1, 1)
    assert t["top1"] == 1.0 and t["abstain"] == 0.0
    assert {"expected": "(none)", "got": "U22", "count": 1} in out["confusions"]
    row = next(c for c in out["cases"] if c["id"] == "inodes")
    assert row["returned"][0] == "U7" and 0.0 <= row["shortlist_confidence"] <= 1.0
    assert run(_args(path, min_top1=1.0, min_top3=1.0)) == 0
    capsys.readouterr()
    assert run(_args(path, min_abstain=0.5)) == 1
    assert "eval gate FAILED: abstain 0.000 < 0.500" in capsys.readouterr().err
    assert run(_args(path, min_top1=1.5)) == 2


def test_runner_names_bad_lines(tmp_path, capsys):
    from gotcha_kb.evals.cli import run

    path = tmp_path / "cases.jsonl"
    path.write_text('{"id": "a", "input": "x", "expect": ["U7"], "kind": "prose"}\n{not json\n', encoding="utf-8")
    run(_args(path))
    assert f"{path}:2" in capsys.readouterr().err


def test_abstention_follows_the_shortlist_gate(engine):
    for text in (DF_I_FULL, "ModuleNotFoundError: No module named 'timm'", "what learning rate for LoRA?"):
        d = engine.diagnose(text)
        # The decision reads the unrounded value; the field is rounded to 3 decimals for display.
        if abs(d.shortlist_confidence - engine.model.abstain_below) > 1e-3:
            assert d.abstained == (d.shortlist_confidence < engine.model.abstain_below), text
        assert d.abstained == (not d.matches)
    assert not engine.diagnose(DF_I_FULL).abstained


def test_fit_curve_learns_and_keeps_declared_signs():
    from gotcha_kb.engine.scoring import CONF_INPUTS
    from gotcha_kb.evals.fit import fit_curve

    rows = []
    for i in range(40):
        x = {k: 0.0 for k in CONF_INPUTS}
        good = i % 2 == 0
        x["text"] = 0.8 if good else 0.1
        x["neg_sim"] = 0.9 if good else 0.2  # correlates with the label, but it may only lower confidence
        x["margin"] = 0.0 if good else 1.0  # anti-correlated, but more lead may never lower it
        x["signal_neg"] = -1.0 if good else 0.0  # a counter-signal (<= 0) may never raise it
        rows.append((x, 1.0 if good else 0.0))
    c = fit_curve(rows)
    assert c["text"] > 0
    assert c["neg_sim"] <= 0 and c["margin"] >= 0 and c["signal_neg"] >= 0


def test_the_abstain_cut_holds_the_floor_on_the_shipped_negatives_too():
    """Heavy real negatives can meet the floor on the weighted sum while the shipped ones fall under it."""
    from gotcha_kb.engine.cases import Case
    from gotcha_kb.engine.scoring import Context, Model
    from gotcha_kb.evals.fit import Sample, best_threshold

    model = Model()
    model.gate = {"bias": -5.0, "score": 1.0}  # shortlist confidence rises with the top score

    def sample(n: int, score: float, source: str, weight: float) -> Sample:
        case = Case(id=f"{source}-neg-{n}", input="x", expect=[])
        return Sample(case, [("U1", {"text": score / model.weights["text"]})], Context(), frozenset(), {}, weight, source)

    shipped = [sample(n, 5.0 + n / 10, "shipped", 1.0) for n in range(10)]  # confidences 0.5 .. 0.71
    real = [sample(n, 1.0, "real", 10.0) for n in range(10)]  # far below any cut, and heavy
    cut = best_threshold(shipped + real, model, min_abstain=0.9)
    refused = sum(model.shortlist(s.cands[0][1]["text"] * model.weights["text"], 0.0, s.cands[0][1], s.ctx) < cut for s in shipped)
    assert refused >= 9, (cut, refused)


def test_model_round_trips_both_curves(tmp_path):
    from gotcha_kb.engine import scoring

    m = scoring.load()
    assert m.gate != m.conf  # the shipped model carries two distinct curves
    p = tmp_path / "model.json"
    scoring.save(m, p)
    back = scoring.load(p)
    assert back.abstain_below == m.abstain_below
    assert back.gate == pytest.approx(m.gate, abs=1e-4) and back.conf == pytest.approx(m.conf, abs=1e-4)


def test_fit_evaluate_counts_top3_only_for_answered_cases():
    from gotcha_kb.engine.scoring import FEATURES, Context, Model
    from gotcha_kb.evals.fit import Sample, evaluate

    def sample(cid, expect, ranked):
        case = Case(id=cid, input="x", expect=tuple(expect), kind="prose")
        # Candidate features: score = text, so the order below is the ranking.
        return Sample(case, [(eid, {"text": 10.0 - i}) for i, eid in enumerate(ranked)], Context(), frozenset(expect))

    model = Model(weights={k: 0.0 for k in FEATURES} | {"text": 1.0}, abstain_below=0.5)
    model.gate = {"bias": 5.0}  # answers everything
    samples = [sample("a", ["U7"], ["U7", "U6"]), sample("b", ["U6"], ["U7", "U8", "U6"]),
               sample("c", ["U9"], ["U7", "U8", "U6", "U9"]), sample("n", [], ["U7"])]
    got = evaluate(samples, model)
    assert got == {"top1": pytest.approx(1 / 3), "top3": pytest.approx(2 / 3), "abstain": 0.0, "false_abstain": 0.0,
                   "ranked_top1": pytest.approx(1 / 3), "ranked_top3": pytest.approx(2 / 3)}
    model.gate = {"bias": -5.0}  # refuses everything: nothing answered counts
    assert evaluate(samples, model) == {"top1": 0.0, "top3": 0.0, "abstain": 1.0, "false_abstain": 1.0,
                                        "ranked_top1": pytest.approx(1 / 3), "ranked_top3": pytest.approx(2 / 3)}


def test_real_world_format_loads_text_as_the_paste(tmp_path):
    path = tmp_path / "dev.jsonl"
    row = {"id": "dev-1", "text": "df -i shows 100% IUse", "expect": ["U7"], "also_ok": [], "source": "x", "kind": "mixed"}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    loaded = load_cases(path)
    assert not loaded.problems
    assert loaded.cases[0].input == "df -i shows 100% IUse" and loaded.cases[0].kind == "mixed"


def test_scoring_rank_never_answers_a_platform_gotcha_without_platform_context():
    from gotcha_kb.engine.scoring import REF_GAP, rank

    ids, scores = ["PS11", "U9", "U28"], [9.0, 5.0, 4.0]
    got = rank(scores, ids, {"PS11": ("U28",)})
    assert [ids[n] for _, n in got] == ["U28", "PS11", "U9"]
    assert got[0][0] == 9.0 and got[1][0] == pytest.approx(9.0 - REF_GAP)
    # With the platform known (nothing held below), scores are untouched.
    assert [ids[n] for _, n in rank(scores, ids, {})] == ids
    # A platform gotcha that refines no universal entry sits under the best universal candidate.
    got = rank([9.0, 5.0, 4.0], ["GEN10", "U9", "U3"], {"GEN10": ()})
    assert [n for _, n in got] == [1, 0, 2] and got[1][0] == pytest.approx(5.0 - REF_GAP)
    # ...unless nothing universal is a candidate at all: then it keeps its score.
    assert rank([9.0], ["GEN10"], {"GEN10": ()}) == [(9.0, 0)]


def test_accepted_ids_follow_the_platform_rule(engine):
    from gotcha_kb.evals.runner import accepted_ids

    refining = next(e for e in engine.entries if e.platform and e.refs)
    universal = refining.refs[0]
    case = Case(id="x", input="x", expect=(universal,))
    assert refining.id in accepted_ids(case, engine, refining.platform)
    assert refining.id not in accepted_ids(case, engine, None)
    # ...and a platform gotcha expected on a paste with no platform: its universal entry is right too.
    assert universal in accepted_ids(Case(id="y", input="y", expect=(refining.id,)), engine, None)


def test_fit_is_reproducible_and_cross_validates_per_fold(engine, tmp_path):
    from gotcha_kb.engine import scoring
    from gotcha_kb.evals.fit import collect, cross_validate_real, fit

    cases = load_cases(default_cases_path()).cases[::48]
    samples = collect(engine, cases)
    real = collect(engine, cases[:25], weight=2.0)
    paths = []
    for n in range(2):
        p = tmp_path / f"m{n}.json"
        scoring.save(fit(samples + real), p)
        paths.append(p.read_bytes())
    assert paths[0] == paths[1]
    folds = cross_validate_real(samples, real, k=5)
    assert len(folds) == 5 and sum(f["cases"] for f in folds) == 25
    assert all(0.0 <= f[k] <= 1.0 for f in folds for k in ("top1", "top3", "abstain", "false_abstain"))


def test_what_a_fit_learns_from_does_not_depend_on_the_loaded_model(engine):
    from gotcha_kb.engine.diagnose import Engine
    from gotcha_kb.engine.scoring import FEATURES, Model
    from gotcha_kb.evals.fit import collect

    engine = Engine(engine.catalog, engine.cases, tables=engine.tables)  # its own model to swap
    few = engine.cases[::80]
    before = [(s.cands, s.ok) for s in collect(engine, few)]
    engine.model = Model(weights={k: 1.0 for k in FEATURES})  # a very different ranking
    assert [(s.cands, s.ok) for s in collect(engine, few)] == before


@pytest.mark.parametrize("content", [None, "{not json", '{"weights": {}}', '{"weights": {"text": "x"}}'])
def test_a_missing_or_corrupt_model_is_an_error_not_a_silent_fallback(tmp_path, content):
    from gotcha_kb.engine import scoring

    path = tmp_path / "model.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(scoring.ModelError) as e:
        scoring.load(path)
    assert str(path) in str(e.value) and "refit" in str(e.value)
