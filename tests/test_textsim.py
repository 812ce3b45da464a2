"""engine/textsim.py, scope.py, unexplained.py: the similarity models, in isolation."""

from __future__ import annotations

import math

import pytest
from conftest import budget
from hypothesis import given, settings
from hypothesis import strategies as st


def test_error_coverage_counts_hits_and_resemblance():
    from gotcha_kb.engine.evidence import Line
    from gotcha_kb.engine.unexplained import ErrorCoverage, error_lines

    lines = [Line(1, "epoch 3 loss 0.41"), Line(2, "OSError: [Errno 28] No space left on device")]
    errs = error_lines(lines)
    assert [ln.no for ln in errs] == [2]
    cov = ErrorCoverage(errs, lambda text: {7: 0.4, 8: 0.05})
    assert cov.unexplained(7, set()) == 0.0  # resembles the error line
    assert cov.unexplained(8, set()) == 1.0  # neither resembles nor hit it
    assert cov.unexplained(8, {2}) == 0.0  # a signal fired on that very line
    assert ErrorCoverage([], lambda text: {}).unexplained(8, set()) == 0.0  # no error, nothing unexplained


_ERRORISH = st.sampled_from(["error", "Error", "ValueError", "ERROR:", "fatal", "FAILED", "not found", "not  found",
                             "can't", "cannot", "unable", "Traceback", "denied", "错误", "失败", "errors", "terror",
                             "\u212aeyError", "fa\u0131led", "FA\u0130LED", "\u0130", "step 3 loss 0.4", "\n", " ", "x"])


@settings(max_examples=budget(400), deadline=None)
@given(st.lists(st.lists(_ERRORISH, max_size=6).map(" ".join), max_size=40))
def test_error_lines_finds_what_a_regex_on_every_line_finds(texts: list[str]):
    """The literal prefilter is only a speed-up: the same lines as ERROR_LINE tried on each line."""
    from gotcha_kb.engine.evidence import Line
    from gotcha_kb.engine.unexplained import ERROR_LINE, MAX_ERROR_LINES, error_lines

    lines = [Line(n, t.replace("\n", " ")) for n, t in enumerate(texts, 1)]
    expected = [ln for ln in lines if ERROR_LINE.search(ln.text)][-MAX_ERROR_LINES:]
    assert error_lines(lines) == expected


def test_scope_model_leans_on_words_seen_in_and_out_of_scope():
    from gotcha_kb.engine.scope import ScopeModel

    m = ScopeModel([({"instance", "billing", "stopped"}, True), ({"instance", "checkpoint"}, True), ({"keyerror", "pandas"}, False)])
    assert m.log_odds({"billing", "stopped"}) > 0 > m.log_odds({"keyerror", "pandas"})
    assert m.log_odds(set()) == 0.0
    assert m.log_odds({"never", "seen"}) == pytest.approx(math.log(3 / 2) / math.sqrt(2))  # the prior alone
    # Leave-one-out: a case's own words no longer vouch for it.
    own = ({"keyerror", "pandas"}, False)
    assert m.log_odds({"keyerror", "pandas"}, leave_out=own) > m.log_odds({"keyerror", "pandas"})


def test_centroid_leave_one_out_equals_rebuilding_without_the_case():
    from gotcha_kb.engine.textsim import Centroids, TfIdf
    from gotcha_kb.kb.text import tokens

    docs = ["disk full no space left", "inodes exhausted no space", "gpu xid 79 fell off the bus", "xid 48 double bit ecc"]
    labels = [[("U7", 1.0)], [("U7", 1.0), ("U6", 0.5)], [("U22", 1.0)], [("U22", 1.0)]]
    index = TfIdf([tokens(d) for d in docs])
    full = Centroids(index, labels)
    query = index.query(tokens("no space left on device, inodes"))
    held = full.similarity(query, exclude=1)
    # The same centroids built without document 1 (its vector kept in the index, its labels dropped).
    rebuilt = Centroids(index, [labs if i != 1 else [] for i, labs in enumerate(labels)]).similarity(query)
    assert set(held) == set(rebuilt)
    for lab in rebuilt:
        assert held[lab] == pytest.approx(rebuilt[lab], rel=1e-9)
    assert full.similarity(query)["U7"] != pytest.approx(held["U7"])  # leaving it out does change U7


def test_a_line_shorter_than_a_phrase_does_not_contain_it():
    """partial_ratio aligns the shorter string in the longer: a pasted `...` or `Error` line once
    "contained" every long phrase with those characters (22 wrong /dev/shm hits on real posts)."""
    from gotcha_kb.engine.textsim import phrase_hits

    phrases = ["unable to write to file </torch_...>", "NCCL WARN Error while creating shm segment"]
    assert phrase_hits(phrases, ["...", "Error", "nccl", "shm segment"]) == []
    hits = phrase_hits(phrases, ["...", "ERROR: unable to write to file </torch_1234_5678>", "nccl warn error while creating shm segmen"])
    assert [(p, i) for p, i, _ in hits] == [(phrases[0], 1), (phrases[1], 2)]
    assert all(score >= 88 for _, _, score in hits)


_PHRASES = ["no space left on device", "cuda out of memory", "connection reset by peer", "bus error (core dumped)",
            "unable to write to file", "permission denied (publickey)"]


@st.composite
def _near_lines(draw) -> list[str]:
    """Lines holding phrases nearly verbatim (a few characters changed, cut, or padded), among noise."""
    out = []
    for _ in range(draw(st.integers(60, 120))):
        base = draw(st.sampled_from(_PHRASES + ["step 12 loss 0.41", "epoch 3", "ok"]))
        for _ in range(draw(st.integers(0, 4))):
            at = draw(st.integers(0, len(base)))
            base = base[:at] + draw(st.sampled_from(["", "x", " ", "e"])) + base[at + draw(st.integers(0, 2)):]
        cut = draw(st.integers(0, 6))
        out.append(draw(st.sampled_from(["", "[rank0] ", "E: "])) + base[cut:] + draw(st.sampled_from(["", " ...", "!"])))
    return out


@settings(max_examples=budget(250), deadline=None)
@given(_near_lines())
def test_the_whole_text_prefilter_never_loses_a_phrase(lines: list[str]):
    """Searching a long paste whole first is only a speed-up: the same hits as line by line."""
    from gotcha_kb.engine import textsim

    fast = textsim.phrase_hits(_PHRASES, lines)
    saved, textsim.PREFILTER_LINES = textsim.PREFILTER_LINES, 10**9
    try:
        assert fast == textsim.phrase_hits(_PHRASES, lines)
    finally:
        textsim.PREFILTER_LINES = saved
