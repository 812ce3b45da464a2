"""all-MiniLM-L6-v2 sentence embeddings in numpy: BERT's WordPiece tokenizer and its 6-layer encoder.

Why here and not a library: the runtimes that run this model (torch, onnxruntime) weigh tens to
hundreds of MB and download weights at first use; the encoder itself is a page of matrix products.
The weights (Apache-2.0, sentence-transformers) ship with the package as int8 rows with one float
scale each (`engine/data/minilm.npz`, made by `python -m gotcha_kb.engine.minilm SAFETENSORS VOCAB`);
their cosines stay within ~0.01 of the float32 model's.

What it is for: real reports word a trap in ways no keyword list anticipates. A sentence embedding
places "the box rebooted and my run is gone" next to U3 without sharing its words (README: accuracy).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np

WEIGHTS = Path(__file__).with_name("data") / "minilm.npz"
MAX_TOKENS = 256  # positions shipped; the model was trained on 128-token texts
LAYERS, HEADS, HIDDEN = 6, 12, 384


class WordPiece:
    """BERT's uncased tokenizer: lower-case, strip accents, split on spaces, punctuation and CJK
    characters, then longest-match-first word pieces."""

    def __init__(self, vocab: list[str]):
        self.ids = {t: i for i, t in enumerate(vocab)}
        self.unk, self.cls, self.sep = self.ids["[UNK]"], self.ids["[CLS]"], self.ids["[SEP]"]

    def words(self, text: str) -> list[str]:
        return list(self.iter_words(text))

    def iter_words(self, text: str) -> Iterator[str]:
        """Words one at a time: `encode` stops at its token limit, and a paste is often much longer."""
        cur: list[str] = []
        for ch in unicodedata.normalize("NFD", text.lower()):
            cat = unicodedata.category(ch)
            if cat == "Mn" or (cat in ("Cc", "Cf") and not ch.isspace()) or ch == "\ufffd":
                continue
            if ch.isspace():
                if cur:
                    yield "".join(cur)
                    cur = []
            elif _is_cjk(ord(ch)) or _is_punct(ch, cat):
                if cur:
                    yield "".join(cur)
                    cur = []
                yield ch
            else:
                cur.append(ch)
        if cur:
            yield "".join(cur)

    @lru_cache(maxsize=65536)  # noqa: B019 (one tokenizer per process; words repeat across pastes)
    def pieces(self, word: str) -> tuple[int, ...]:
        if len(word) > 100:
            return (self.unk,)
        out, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    out.append(self.ids[piece])
                    break
                end -= 1
            else:
                return (self.unk,)
            start = end
        return tuple(out)

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        ids: list[int] = []
        for w in self.iter_words(text):
            ids.extend(self.pieces(w))
            if len(ids) >= max_tokens - 2:
                break
        return [self.cls, *ids[: max_tokens - 2], self.sep]


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _is_punct(ch: str, cat: str) -> bool:
    cp = ord(ch)
    return 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126 or cat.startswith("P")


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + 1e-12) * g + b


def _gelu(x: np.ndarray) -> np.ndarray:
    # The tanh form (the one the original BERT code used): within 5e-4 of the erf form, far below
    # what the int8 weights move, and a quarter of the encoder's time less (numpy has no erf, and
    # an erf polynomial of a dozen array passes was a third of a paste's encoding).
    y = x * x
    y *= x
    y *= np.float32(0.044715)
    y += x
    y *= np.float32(np.sqrt(2 / np.pi))
    np.tanh(y, out=y)
    y += 1
    out = x * np.float32(0.5)
    out *= y
    return out


class Encoder:
    """The model: text -> a unit vector of 384 floats (mean of the last layer over the tokens)."""

    def __init__(self, weights: dict[str, np.ndarray], vocab: list[str]):
        self.w = weights
        self.tokenizer = WordPiece(vocab)
        # The same paste is often read twice in a row (a retried tool call, an eval that compares
        # two engines); the encoder is most of a diagnosis, the tokens are cheap to key on.
        self._by_ids = lru_cache(maxsize=512)(self._embed_ids)

    def embed(self, text: str, max_tokens: int = MAX_TOKENS) -> np.ndarray:
        vec = self._by_ids(tuple(self.tokenizer.encode(text, min(max_tokens, MAX_TOKENS))))
        return vec.copy()

    def forget(self) -> None:
        """Drop the remembered vectors (a benchmark times new pastes, not remembered ones)."""
        self._by_ids.cache_clear()

    def _embed_ids(self, ids: tuple[int, ...]) -> np.ndarray:
        w = self.w
        n, d = len(ids), HIDDEN // HEADS
        rows = list(ids)
        x = w["word"][rows] * w["word.scale"][rows, None] + w["position"][:n] + w["token_type"]
        x = _layer_norm(x, w["ln0.g"], w["ln0.b"])
        for i in range(LAYERS):
            p = f"{i}."
            # In place where numpy allows: the element-wise passes, not the products, were half the time.
            qkv = x @ w[p + "qkv"]  # (n, 3 * 384): query, key and value side by side
            qkv += w[p + "qkv.b"]
            q, k, v = (qkv[:, j * HIDDEN:(j + 1) * HIDDEN].reshape(n, HEADS, d).transpose(1, 0, 2) for j in range(3))
            scores = q @ k.transpose(0, 2, 1)
            scores *= np.float32(1 / np.sqrt(d))
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(1, 0, 2).reshape(n, HIDDEN) @ w[p + "out"]
            ctx += w[p + "out.b"]
            ctx += x
            x = _layer_norm(ctx, w[p + "ln1.g"], w[p + "ln1.b"])
            h = x @ w[p + "up"]
            h += w[p + "up.b"]
            h = _gelu(h) @ w[p + "down"]
            h += w[p + "down.b"]
            h += x
            x = _layer_norm(h, w[p + "ln2.g"], w[p + "ln2.b"])
        e = x.mean(0)
        return (e / (np.linalg.norm(e) or 1.0)).astype(np.float32)


_MATRICES = ("word", "position") + tuple(f"{i}.{m}" for i in range(LAYERS) for m in ("qkv", "out", "up", "down"))
_LAYER_MATRICES = _MATRICES[1:]


@lru_cache(maxsize=1)
def encoder(path: Path = WEIGHTS) -> Encoder:
    """The shipped model, loaded once per process: int8 rows times their scales -> float32, except
    the 30,522-word table, whose rows are scaled only when a paste uses them (most of the load)."""
    with np.load(path) as z:
        w = {k: z[k] for k in z.files if k != "vocab"}
        vocab = bytes(z["vocab"]).decode("utf-8").split("\n")
    for k in _LAYER_MATRICES:
        rows, scale = w[k], w.pop(k + ".scale")
        if k == "position":
            w[k] = rows.astype(np.float32) * scale[:, None]
        else:
            # Stored as (out, in) rows for the scales; products want (in, out): scale and
            # transpose in one pass (a third of the load was the separate copy).
            w[k] = np.multiply(rows.T, scale, out=np.empty(rows.shape[::-1], np.float32))
    return Encoder(w, vocab)


def export(safetensors: str, vocab: str, out: Path = WEIGHTS) -> None:
    """Convert sentence-transformers' model.safetensors + vocab.txt into the shipped int8 file."""
    import json
    import struct

    raw = Path(safetensors).read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + size])
    t = {k: np.frombuffer(raw, np.float32, int(np.prod(v["shape"])), 8 + size + v["data_offsets"][0]).reshape(v["shape"])
         for k, v in header.items() if k != "__metadata__" and v["dtype"] == "F32"}
    e, L = "embeddings.", "encoder.layer."
    w = {"word": t[e + "word_embeddings.weight"], "position": t[e + "position_embeddings.weight"][:MAX_TOKENS],
         "token_type": t[e + "token_type_embeddings.weight"][0], "ln0.g": t[e + "LayerNorm.weight"], "ln0.b": t[e + "LayerNorm.bias"]}
    for i in range(LAYERS):
        p, a = f"{L}{i}.", f"{L}{i}.attention."
        w[f"{i}.qkv"] = np.concatenate([t[a + f"self.{s}.weight"] for s in ("query", "key", "value")])
        w[f"{i}.qkv.b"] = np.concatenate([t[a + f"self.{s}.bias"] for s in ("query", "key", "value")])
        w[f"{i}.out"], w[f"{i}.out.b"] = t[a + "output.dense.weight"], t[a + "output.dense.bias"]
        w[f"{i}.ln1.g"], w[f"{i}.ln1.b"] = t[a + "output.LayerNorm.weight"], t[a + "output.LayerNorm.bias"]
        w[f"{i}.up"], w[f"{i}.up.b"] = t[p + "intermediate.dense.weight"], t[p + "intermediate.dense.bias"]
        w[f"{i}.down"], w[f"{i}.down.b"] = t[p + "output.dense.weight"], t[p + "output.dense.bias"]
        w[f"{i}.ln2.g"], w[f"{i}.ln2.b"] = t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"]
    packed: dict[str, np.ndarray] = {}
    for k, v in w.items():
        if k in _MATRICES:
            scale = np.maximum(np.abs(v).max(axis=1), 1e-12) / 127
            packed[k] = np.round(v / scale[:, None]).astype(np.int8)
            packed[k + ".scale"] = scale.astype(np.float32)
        else:
            packed[k] = v.astype(np.float32)
    words = [ln for ln in Path(vocab).read_text(encoding="utf-8").split("\n") if ln]
    packed["vocab"] = np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8)
    np.savez(out, **packed)


if __name__ == "__main__":
    import sys

    export(sys.argv[1], sys.argv[2])
