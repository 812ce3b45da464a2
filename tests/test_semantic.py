"""engine/minilm.py (the sentence encoder in numpy) and engine/semantic.py (its two ranking features)."""

from __future__ import annotations

import pytest

from gotcha_kb.engine.minilm import MAX_TOKENS, encoder


def test_the_tokenizer_splits_like_bert():
    tok = encoder().tokenizer
    assert tok.words("CUDA out-of-memory: 显存不足!") == ["cuda", "out", "-", "of", "-", "memory", ":", "显", "存", "不", "足", "!"]
    ids = tok.encode("hello world")
    assert ids[0] == tok.cls and ids[-1] == tok.sep and len(ids) == 4
    assert len(tok.encode("word " * 1000)) == MAX_TOKENS
    assert tok.encode("\u2603\u2603")[1] == tok.unk  # a word no piece spells is one [UNK]


def test_the_encoder_reproduces_the_published_similarity():
    """sentence-transformers documents 0.7553 for this pair with the float32 model; int8 rows stay within 0.01."""
    enc = encoder()
    a, b = enc.embed("A man is eating food."), enc.embed("A man is eating a piece of bread.")
    far = enc.embed("The GPU ran out of memory while training the model.")
    assert abs(float(a @ b) - 0.7553) < 0.01
    assert float(a @ far) < 0.2
    assert abs(float(a @ a) - 1.0) < 1e-5


def test_a_repeated_paste_reuses_its_vector_and_callers_cannot_spoil_it():
    enc = encoder()
    first = enc.embed("CUDA error: an illegal memory access was encountered", 128)
    first[:] = 0.0  # a caller scribbling on its copy
    again = enc.embed("CUDA error: an illegal memory access was encountered", 128)
    assert abs(float(again @ again) - 1.0) < 1e-5
    # Only the tokens the encoder reads are the key: text past the limit does not change the vector.
    long = "word " * 200
    assert (enc.embed(long, 16) == enc.embed(long + "different tail", 16)).all()


def test_the_shipped_vectors_are_the_encoders_and_cover_most_of_the_catalog():
    """An entry without a shipped vector is embedded at a cold start (~0.1 s each), so a new section
    needs nothing else; a file gone stale for most of the catalog is what this catches. To refresh
    engine/data/entry_vectors.npz: `python -m gotcha_kb.engine.semantic`."""
    from gotcha_kb.engine import semantic
    from gotcha_kb.kb.loader import load_catalog

    shipped = semantic._shipped()
    entries = load_catalog(None).entries
    covered = [e for e in entries if semantic._key(semantic.entry_text(e)) in shipped]
    assert len(covered) >= 0.9 * len(entries), "stale: run python -m gotcha_kb.engine.semantic"
    for e in covered[:: max(1, len(covered) // 3)]:
        text = semantic.entry_text(e)
        assert float(shipped[semantic._key(text)] @ encoder().embed(text, semantic.ENTRY_TOKENS)) > 0.999, e.id


def test_meaning_is_evidence_and_can_be_turned_off(monkeypatch):
    from gotcha_kb.engine.api import build_engine

    text = "the box rebooted overnight and my detached training run is simply gone, no traceback anywhere"
    d = build_engine().diagnose(text)
    kinds = {ev.kind for m in d.matches for ev in m.evidence}
    assert "semantic" in kinds
    monkeypatch.setenv("GOTCHA_SEMANTIC", "0")
    eng = build_engine()
    assert eng.entry_vectors == b""
    a = eng.analyze(text)
    assert all(c.features.get("semantic", 0.0) == 0.0 for c in a.scored)
    assert "semantic" not in {ev.kind for c in a.scored for ev in c.evidence}


def test_entry_vectors_of_the_wrong_shape_are_refused():
    from gotcha_kb.engine.tables import _vectors

    assert _vectors(b"\0" * 4 * 384) == b"\0" * 4 * 384
    for bad in (b"\0" * 10, "text", None):
        with pytest.raises(ValueError):
            _vectors(bad)


def test_gelu_stays_within_a_thousandth_of_the_exact_erf_form():
    """The encoder uses GELU's tanh form for speed; BERT was trained with the erf form."""
    import math

    import numpy as np

    from gotcha_kb.engine.minilm import _gelu

    x = np.linspace(-8, 8, 4001, dtype=np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()])
    assert np.abs(_gelu(x) - exact).max() < 1e-3
    assert _gelu(np.array([0.0], np.float32))[0] == 0.0


def test_a_paste_without_candidates_never_runs_the_encoder(monkeypatch):
    from gotcha_kb.engine import semantic
    from gotcha_kb.engine.api import build_engine

    eng = build_engine()
    calls: list[str] = []
    real = semantic.similarities
    monkeypatch.setattr(semantic, "similarities", lambda m, t: calls.append(t) or real(m, t))
    d = eng.diagnose("qwzx vbnm plkj")
    assert d.abstained and not d.matches and calls == []
    eng.diagnose("the box rebooted overnight and my detached training run is simply gone")
    assert len(calls) == 1
