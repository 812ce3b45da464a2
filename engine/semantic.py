"""Meaning, not words: cosine of a paste to each entry in all-MiniLM-L6-v2's sentence space.

The lexical models (tf-idf, cases, phrases) need the paste to share words with the catalog; real
reports often describe a trap in words no entry uses. The embedding adds two ranking features,
`semantic` and `semantic_rel`, fitted like the others (README: accuracy, what moved the figures).

Entry vectors are the model's reading of each entry's title, symptom, root cause and fix. Embedding
the shipped catalog takes ~15 s, so its vectors ship in `engine/data/entry_vectors.npz`, keyed by a
hash of that text; an entry whose text is not there (a user's catalog, an edited entry) is embedded
when the engine is built, once, and then lives in the engine's disk cache like the other tables.
`python -m gotcha_kb.engine.semantic` regenerates the shipped file.

GOTCHA_SEMANTIC=0 turns it off (both features read 0): faster, and less accurate on real text.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from gotcha_kb.kb.models import Entry

VECTORS = Path(__file__).with_name("data") / "entry_vectors.npz"
DIM = 384
# A paste is read for its first 128 tokens (the length the model was trained on: the cost is
# quadratic in it, and 256 measured no better on the real posts under cross-validation); an
# entry, read once and cached, for 256 (its symptom runs into its root cause).
QUERY_TOKENS = 128
ENTRY_TOKENS = 256
# The encoder reads 256 tokens; more characters than this never reach it (a token is rarely
# under one character), and tokenising a megabyte of log in Python to throw it away costs seconds.
MAX_CHARS = 8192


def enabled() -> bool:
    return os.environ.get("GOTCHA_SEMANTIC", "1") != "0"


def entry_text(e: Entry) -> str:
    return f"{e.title}. {e.symptom} {e.root_cause} {e.fix}"


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _shipped() -> dict[str, np.ndarray]:
    try:
        with np.load(VECTORS) as z:
            keys = [str(k) for k in z["keys"]]
            return dict(zip(keys, z["vectors"]))
    except (OSError, KeyError, ValueError):
        return {}  # a missing or damaged file only costs time: every entry is embedded


def entry_vectors(entries: list[Entry]) -> bytes:
    """The entries' unit vectors, one row each in catalog order, as float32 bytes (cacheable)."""
    shipped = _shipped()
    rows = []
    for e in entries:
        text = entry_text(e)
        vec = shipped.get(_key(text))
        if vec is None:
            from gotcha_kb.engine.minilm import encoder

            vec = encoder().embed(text, ENTRY_TOKENS)
        rows.append(np.asarray(vec, dtype=np.float32))
    return np.stack(rows).astype(np.float32).tobytes() if rows else b""


def similarities(matrix: bytes, text: str) -> np.ndarray | None:
    """Cosine of `text` to each entry (unit vectors, rows in catalog order); None when off or empty."""
    from gotcha_kb.engine.minilm import encoder

    if not matrix or not text.strip():
        return None
    m = np.frombuffer(matrix, dtype=np.float32).reshape(-1, DIM)
    return m @ encoder().embed(text[:MAX_CHARS], QUERY_TOKENS)


def write_shipped(entries: list[Entry], path: Path = VECTORS) -> None:
    from gotcha_kb.engine.minilm import encoder

    texts = [entry_text(e) for e in entries]
    np.savez(path, keys=np.array([_key(t) for t in texts]), vectors=np.stack([encoder().embed(t, ENTRY_TOKENS) for t in texts]))


if __name__ == "__main__":
    from gotcha_kb.kb.loader import load_catalog

    write_shipped(list(load_catalog(None).entries))
