"""Text similarity: tf-idf cosine against entries and labeled cases, rapidfuzz for phrases.

Words come from kb/text.py (`tokens`), the project's one tokenizer module.

Pure Python over small vocabularies; the corpus is a few hundred documents, so an inverted index
keeps a query proportional to its own length, not to the catalog's size.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process


class TfIdf:
    """Cosine similarity of a query against a fixed set of documents (sublinear tf, smooth idf)."""

    def __init__(self, docs: list[list[str]]):
        self.n = len(docs)
        df: Counter[str] = Counter()
        for d in docs:
            df.update(set(d))
        self.idf = {t: math.log((1 + self.n) / (1 + c)) + 1.0 for t, c in df.items()}
        # Unit-length document vectors: read once, by Centroids, while the engine is built; an
        # index restored from the cache (from_plain) has none.
        self.vectors: list[dict[str, float]] = []
        rows: dict[str, tuple[array, array]] = {}
        for i, d in enumerate(docs):
            weights = {t: (1 + math.log(c)) * self.idf[t] for t, c in Counter(d).items()}
            norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
            unit = {t: v / norm for t, v in weights.items()}
            self.vectors.append(unit)
            for t, v in unit.items():
                ids, ws = rows.setdefault(t, (array("i"), array("d")))
                ids.append(i)
                ws.append(v)
        # Postings as packed bytes (document ids, weights): the cache stores and restores them as
        # two byte strings per word, not as thousands of small tuples to rebuild.
        self.postings: dict[str, tuple[bytes, bytes]] = {t: (ids.tobytes(), ws.tobytes()) for t, (ids, ws) in rows.items()}

    def to_plain(self) -> dict[str, Any]:
        return {"n": self.n, "idf": self.idf, "postings": self.postings}

    @classmethod
    def from_plain(cls, d: dict[str, Any]) -> "TfIdf":
        self = cls.__new__(cls)
        self.n, self.idf, self.postings, self.vectors = int(d["n"]), dict(d["idf"]), dict(d["postings"]), []
        # A query casts these bytes to int32 ids and float64 weights: check they pair up first.
        if any(type(ids) is not bytes or len(ids) % 4 or len(ws) != 2 * len(ids) for ids, ws in self.postings.values()):
            raise ValueError("postings of the wrong shape")
        return self

    def query(self, toks: list[str]) -> dict[int, float]:
        counts = Counter(t for t in toks if t in self.idf)
        if not counts:
            return {}
        q = {t: (1 + math.log(c)) * self.idf[t] for t, c in counts.items()}
        # Unknown words still dilute the query: a paste mostly about something else is less similar.
        unknown = sum(1 for t in set(toks) if t not in self.idf)
        qnorm = math.sqrt(sum(v * v for v in q.values()) + unknown * 1.0) or 1.0
        scores: dict[int, float] = {}
        for t, v in q.items():
            ids, ws = self.postings[t]
            for i, w in zip(memoryview(ids).cast("i"), memoryview(ws).cast("d")):
                scores[i] = scores.get(i, 0.0) + v * w
        return {i: s / qnorm for i, s in scores.items()}


# A log of many lines is first searched whole, once per phrase, with a lower bar: a line that
# scores `cutoff` alone puts the whole text at least this high (see phrase_hits), so a phrase
# under it cannot match any line and is not compared line by line. A few lines are cheaper to
# compare directly.
PREFILTER_LINES = 50


def _prefilter_bar(cutoff: float) -> float:
    """The lowest score the joined lines can have when some line scores `cutoff` (as a share c).

    A line's match is a substring w of it, m <= n chars for a phrase of n, at d <= (1-c)(n+m)
    insertions and deletions from the phrase; since d >= n-m, m >= n*c/(2-c). In the joined text,
    the n-char window around w is at most d + (n-m) edits away, which is largest when w is
    shortest: 78.57 for a cutoff of 88. One point comes off for rounding.
    """
    c = cutoff / 100
    m = c / (2 - c)  # the shortest w, as a share of n
    return 100 * (1 - ((1 - c) * (1 + m) + (1 - m)) / 2) - 1


@lru_cache(maxsize=1 << 16)  # the catalog's phrases, asked about on every paste
def _as_written_only(phrase: str) -> bool:
    return len(phrase) < 12 or any(ch.isdigit() for ch in phrase)


def phrase_hits(phrases: list[str], lines: list[str], cutoff: float = 88.0) -> list[tuple[str, int, float]]:
    """(phrase, line index, score) for phrases that appear, nearly verbatim, in some line.

    partial_ratio aligns the shorter string inside the longer one, so against a line shorter than
    the phrase it asks the wrong question: a line `...` or `Error` "contains" every phrase holding
    those characters. Such lines are compared whole (ratio) instead: they match only when they
    nearly are the phrase.
    """
    lowered = [ln.lower() for ln in lines]
    found: dict[int, tuple[str, int, float]] = {}
    fuzzy: list[tuple[int, int, str]] = []
    for k, ph in enumerate(phrases):
        p = ph.lower()
        if len(p) < 6:
            continue
        if _as_written_only(p):
            # Short or numeric phrases (exit 137, num_workers=0) must appear as written.
            at = next((i for i, ln in enumerate(lowered) if p in ln), None)
            if at is not None:
                found[k] = (ph, at, 100.0)
        else:
            fuzzy.append((len(p), k, p))
    if len(lowered) > PREFILTER_LINES:
        joined, bar = "\n".join(lowered), _prefilter_bar(cutoff)
        fuzzy = [f for f in fuzzy if len(joined) < f[0] or fuzz.partial_ratio(f[2], joined, score_cutoff=bar)]
    # Shortest phrase first: each line moves once from `longer` to `shorter` as the phrases grow.
    # rapidfuzz skips None choices and reports list positions, so indices stay the lines' own.
    longer: list[str | None] = list(lowered)
    shorter: list[str | None] = [None] * len(lowered)
    by_length = sorted(range(len(lowered)), key=lambda i: len(lowered[i]))
    moved = 0
    for n, k, p in sorted(fuzzy):
        while moved < len(by_length) and len(lowered[by_length[moved]]) < n:
            i = by_length[moved]
            shorter[i], longer[i] = lowered[i], None
            moved += 1
        best = [f for f in (process.extractOne(p, longer, scorer=fuzz.partial_ratio, score_cutoff=cutoff),
                            process.extractOne(p, shorter, scorer=fuzz.ratio, score_cutoff=cutoff)) if f is not None]
        if best:
            _, score, at = max(best, key=lambda f: (f[1], -f[2]))
            found[k] = (phrases[k], at, score)
    return [found[k] for k in sorted(found)]


class Centroids:
    """Cosine of a query to each label's centroid of labeled documents, leave-one-out capable.

    The centroid of a label is the weighted sum of its documents' unit vectors, so the query's
    dot product with it is the weighted sum of the per-document cosines the TfIdf index already
    computes; only the centroid norms need precomputing. Dropping one document (leave-one-out)
    adjusts numerator and norm exactly, without rebuilding anything.
    """

    def __init__(self, index: TfIdf, labels: list[list[tuple[str, float]]]):
        self.members: dict[str, list[tuple[int, float]]] = {}
        for i, labs in enumerate(labels):
            for lab, w in labs:
                self.members.setdefault(lab, []).append((i, w))
        self.labels_of: dict[int, list[tuple[str, float]]] | None = None  # built on first use
        self.norm2: dict[str, float] = {}
        self.cross: dict[tuple[str, int], float] = {}  # sum_c w_c * v_c . v_i, for i in the label
        for lab, mem in self.members.items():
            # One pass to build the (unnormalised) centroid; each member's row is then a single
            # dot with it, linear in the label's size rather than quadratic.
            centroid: dict[str, float] = {}
            for j, wj in mem:
                for t, v in index.vectors[j].items():
                    centroid[t] = centroid.get(t, 0.0) + wj * v
            total = 0.0
            for i, wi in mem:
                row = sum(v * centroid.get(t, 0.0) for t, v in index.vectors[i].items())
                self.cross[(lab, i)] = row
                total += wi * row
            self.norm2[lab] = total

    def to_plain(self) -> dict[str, Any]:
        return {"members": self.members, "norm2": self.norm2, "cross": self.cross}

    @classmethod
    def from_plain(cls, d: dict[str, Any]) -> "Centroids":
        self = cls.__new__(cls)
        self.members, self.norm2, self.cross = dict(d["members"]), dict(d["norm2"]), dict(d["cross"])
        self.labels_of = None
        return self

    def _labels_of(self) -> dict[int, list[tuple[str, float]]]:
        out: dict[int, list[tuple[str, float]]] = {}
        for lab, mem in self.members.items():
            for i, w in mem:
                out.setdefault(i, []).append((lab, w))
        return out

    def similarity(self, case_sim: dict[int, float], exclude: int | None = None) -> dict[str, float]:
        # Walk the documents the query touched, not every label's members: cost follows the
        # query, not the number of labeled cases. Ascending document order adds the terms in the
        # same order as a sum over each label's members, so results are bit-identical.
        if self.labels_of is None:
            self.labels_of = self._labels_of()
        num: dict[str, float] = {}
        for i in sorted(case_sim):
            if i == exclude:
                continue
            for lab, w in self.labels_of.get(i, ()):
                num[lab] = num.get(lab, 0.0) + w * case_sim[i]
        out: dict[str, float] = {}
        for lab, n in num.items():
            if n <= 0.0:
                continue
            n2 = self.norm2[lab]
            wx = next((w for i, w in self.members[lab] if i == exclude), None) if exclude is not None else None
            if wx is not None:
                n2 = n2 - 2 * wx * self.cross[(lab, exclude)] + wx * wx
            if n2 > 1e-12:
                out[lab] = n / math.sqrt(n2)
        return out
