"""engine/textsim.py, scope.py, unexplained.py: the similarity models, in isolation."""

from __future__ import annotations

import math

import pytest


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
