"""Ranked lookup over the index: exact id, keywords, phrases, and typo-tolerant words.

Works on the plain index (kb.index) so it needs only rapidfuzz at run time.
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz, process

_WORD = re.compile(r"[a-z0-9_./+-]+|[\u4e00-\u9fff]+")
_ID = re.compile(r"^[A-Za-z]+[0-9]+$")
STOPWORDS = frozenset(
    "a an and are as at be but by for from has have how i if in into is it its my of on or so the "
    "that then this to was what when where which while why with you your does do not no".split()
)
# How much a query word found in each field counts, out of 1.
FIELD_WEIGHT = {"id": 1.0, "title": 1.0, "keywords": 1.0, "error_strings": 0.9, "symptom": 0.7, "body": 0.45}
MIN_SCORE = 35.0


def words(text: str) -> list[str]:
    return [w.strip("./-+") for w in _WORD.findall(text.lower()) if w.strip("./-+")]


class SearchIndex:
    """Vocabulary -> (entry index, field weight), built once per index."""

    def __init__(self, index: dict[str, Any]):
        self.entries: list[dict[str, Any]] = index["entries"]
        self.profiles: dict[str, Any] = index.get("profiles", {})
        self.vocab: dict[str, dict[int, float]] = {}
        self.spread: dict[str, dict[int, float]] = {}  # sum of weights of all fields holding the word
        self.phrases: list[list[str]] = []
        for n, e in enumerate(self.entries):
            fields = {
                "id": e["id"],
                "title": e["title"],
                "keywords": " ".join(e["keywords"]),
                "error_strings": " ".join(e["error_strings"]),
                "symptom": e["symptom"],
                "body": e["body"],
            }
            for field, text in fields.items():
                for w in set(words(text)):
                    slot = self.vocab.setdefault(w, {})
                    slot[n] = max(slot.get(n, 0.0), FIELD_WEIGHT[field])
                    spread = self.spread.setdefault(w, {})
                    spread[n] = spread.get(n, 0.0) + FIELD_WEIGHT[field]
            self.phrases.append([k.lower() for k in e["keywords"]] + [e["title"].lower()] + [s.lower() for s in e["error_strings"]])
        self.keywords = [{k.lower() for k in e["keywords"]} for e in self.entries]
        self.vocab_list = list(self.vocab)

    def _word_hits(self, w: str) -> dict[int, tuple[float, str]]:
        """Per entry: best (weight x similarity, matched word) for one query word."""
        hits: dict[int, tuple[float, str]] = {}
        candidates: list[tuple[str, float]] = []
        if w in self.vocab:
            candidates.append((w, 1.0))
        if len(w) >= 4:
            # Plurals and stems (inode/inodes, throttle/throttling) and typos (exausted).
            for other, score, _ in process.extract(w, self.vocab_list, scorer=fuzz.ratio, score_cutoff=80, limit=12):
                if other != w:
                    candidates.append((other, 0.9 * score / 100))
            for other in self.vocab_list:
                if len(other) > len(w) and other.startswith(w):
                    candidates.append((other, 0.95))
        for other, sim in candidates:
            for n, weight in self.vocab[other].items():
                # The best field decides; a word present in several fields breaks ties.
                value = (weight + 0.1 * (self.spread[other][n] - weight)) * sim
                if value > hits.get(n, (0.0, ""))[0]:
                    hits[n] = (value, other)
        return hits

    def search(self, query: str, platform: str | None = None, limit: int = 10) -> list[dict[str, Any]]:
        q = query.strip()
        allowed = [n for n, e in enumerate(self.entries) if platform is None or e["platform"] in (None, platform)]
        if _ID.match(q):
            exact = [n for n in allowed if self.entries[n]["id"] == q.upper()]
            if exact:
                return [self._result(exact[0], 100.0, [f"id {q.upper()}"], platform)]
        qwords = [w for w in words(q) if w not in STOPWORDS] or words(q)
        if not qwords:
            return []
        per_word = [self._word_hits(w) for w in qwords]
        phrase = q.lower()
        results = []
        for n in allowed:
            got = [hits.get(n, (0.0, "")) for hits in per_word]
            coverage = sum(v for v, _ in got) / len(qwords)
            score = 100.0 * coverage
            matched = sorted({m for v, m in got if v > 0})
            # A whole-phrase hit on a keyword, the title or an error string is strong evidence.
            best_phrase = max((fuzz.partial_ratio(phrase, p) for p in self.phrases[n] if p), default=0.0) if len(phrase) >= 4 else 0.0
            if best_phrase >= 90 and len(qwords) > 1:
                score = max(score, best_phrase)
                matched.append(f'"{q}"')
            if phrase in self.keywords[n]:
                score += 20.0  # the author declared this exact alias for the entry
            if platform is None and self.entries[n]["platform"]:
                score *= 0.9  # with no platform named, what applies everywhere comes first
            if score >= MIN_SCORE:
                results.append((score, n, matched))
        results.sort(key=lambda r: (-r[0], r[1]))
        return [self._result(n, s, m, platform) for s, n, m in results[:limit]]

    def _result(self, n: int, score: float, matched: list[str], platform: str | None) -> dict[str, Any]:
        e = self.entries[n]
        values: dict[str, Any] = {}
        if platform and platform in self.profiles:
            facts = self.profiles[platform]["facts"]
            values = {f: facts.get(f) for f in e["profile_fields"]}
        return {
            "id": e["id"],
            "title": e["title"],
            "theme": e["theme"],
            "platform": e["platform"],
            "delegated": e["delegated"],
            "score": round(score, 1),
            "matched": matched,
            "symptom": e["symptom"],
            "profile_values": values,
            "source": e["source"],
        }
