"""Ranked lookup over the index: exact id, keywords, phrases, and typo-tolerant words.

Works on the plain index (kb.index) so it needs only rapidfuzz at run time.
"""

from __future__ import annotations

import re
from typing import Any

from gotcha_kb.kb.names import InputError, UnknownId, platform_key, profile_values
from gotcha_kb.kb.text import STOPWORDS, words


# A query is an id, a keyword or a phrase. Each word is scored against the vocabulary, so 20,000 words
# took 59 s; both faces get this cap from lookup().
MAX_QUERY_CHARS = 500

_ID = re.compile(r"^[A-Za-z]+[0-9]+$")
_ID_PREFIX = re.compile(r"[A-Za-z]+")
# How much a query word found in each field counts, out of 1.
FIELD_WEIGHT = {"id": 1.0, "title": 1.0, "keywords": 1.0, "error_strings": 0.9, "symptom": 0.7, "body": 0.45}
MIN_SCORE = 35.0


def _postings(encoded: str) -> list[tuple[int, float, float]]:
    out = []
    for item in encoded.split(";"):
        n, w, sp = item.split(":")
        out.append((int(n), float(w), float(sp)))
    return out


def _best_partial(phrase: str, candidates: list[str]) -> float:
    """How nearly the query appears inside one of the entry's phrases. A phrase shorter than the
    query is compared whole: partial_ratio would find the keyword 'ssh' inside the query 'ssh
    disconnect' and call that a whole-phrase hit."""
    from rapidfuzz import fuzz

    return max((fuzz.partial_ratio(phrase, p) if len(p) >= len(phrase) else fuzz.ratio(phrase, p) for p in candidates if p),
               default=0.0)


class SearchIndex:
    """Ranked search over an index built by kb.index (its vocabulary is precomputed there)."""

    def __init__(self, index: dict[str, Any]):
        self.entries: list[dict[str, Any]] = index["entries"]
        self.profiles: dict[str, Any] = index.get("profiles", {})
        self.vocab: dict[str, str] = index["vocab"]  # word -> "entry:weight:spread;..." (decoded on use)
        self.vocab_list = list(self.vocab)
        self.phrases = [[k.lower() for k in e["keywords"]] + [e["title"].lower()] + [s.lower() for s in e["error_strings"]] for e in self.entries]
        self.keywords = [{k.lower() for k in e["keywords"]} for e in self.entries]

    def _word_hits(self, w: str) -> dict[int, tuple[float, str]]:
        """Per entry: best (weight x similarity, matched word) for one query word."""
        hits: dict[int, tuple[float, str]] = {}
        candidates: list[tuple[str, float]] = []
        if w in self.vocab:
            candidates.append((w, 1.0))
        if len(w) >= 4 and w not in self.vocab:
            # Typos (exausted). rapidfuzz is imported only here: a query of known words starts faster.
            from rapidfuzz import fuzz, process

            for other, score, _ in process.extract(w, self.vocab_list, scorer=fuzz.ratio, score_cutoff=80, limit=12):
                candidates.append((other, 0.9 * score / 100))
        if len(w) >= 4:
            # Plurals and stems: inode/inodes, throttle/throttling.
            for other in self.vocab_list:
                if len(other) > len(w) and other.startswith(w):
                    candidates.append((other, 0.95))
        for other, sim in candidates:
            for n, weight, spread in _postings(self.vocab[other]):
                # The best field decides; a word present in several fields breaks ties.
                value = (weight + 0.1 * (spread - weight)) * sim
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
            best_phrase = _best_partial(phrase, self.phrases[n]) if len(qwords) > 1 and len(phrase) >= 4 else 0.0
            if best_phrase >= 90:
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
        values = profile_values(e["profile_fields"], self.profiles[platform]["facts"]) if platform in self.profiles else {}
        return {
            "id": e["id"],
            "title": e["title"],
            "theme": e["theme"],
            "platform": e["platform"],
            "score": round(score, 1),
            "matched": matched,
            "symptom": e["symptom"],
            "profile_values": values,
            "source": e["source"],
        }


def build_vocab(entries: list[dict[str, Any]]) -> dict[str, str]:
    """word -> "entry:best field weight:sum of field weights;..." built once per index.

    Encoded as one string per word: loading thousands of strings is far cheaper than loading
    tens of thousands of small lists, and a query decodes only its own words.
    """
    best: dict[str, dict[int, float]] = {}
    spread: dict[str, dict[int, float]] = {}
    for n, e in enumerate(entries):
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
                b = best.setdefault(w, {})
                b[n] = max(b.get(n, 0.0), FIELD_WEIGHT[field])
                sp = spread.setdefault(w, {})
                sp[n] = sp.get(n, 0.0) + FIELD_WEIGHT[field]
    return {w: ";".join(f"{n}:{b[n]:g}:{spread[w][n]:g}" for n in b) for w, b in best.items()}


def resolve_platform(index: dict[str, Any], name: str | None) -> str | None:
    """A profile name from its name, display name or gotcha prefix; kb.names.UnknownName when none."""
    if name is None or not name.strip():
        return None
    aliases = {n: (p["display_name"], str(p["facts"].get("gotcha_prefix", ""))) for n, p in index["profiles"].items()}
    return platform_key(aliases, name)


def suggest_ids(ids: list[str], query: str) -> list[str]:
    """Up to three of `ids` close to `query` (U77 -> U7, U17, U27), for "did you mean"."""
    from rapidfuzz import fuzz, process

    return [c[0] for c in process.extract(query.strip().upper(), ids, scorer=fuzz.ratio, limit=3, score_cutoff=50)]


def lookup(index: dict[str, Any], search: SearchIndex, query: str, platform: str | None = None, limit: int = 8) -> dict[str, Any]:
    """The lookup answer both faces return: {query, platform, matches, did_you_mean}.

    An empty or over-long query, a bad limit, an unknown platform and an id-shaped query naming no
    entry (U99, with a prefix the catalog uses; h100 or fp16 are keywords) raise InputErrors.
    Suggestions come when nothing matched.
    """
    query = " ".join(query.split())
    if not query:
        raise InputError("the query is empty: give an id (U7, AD4), a keyword (inode, oom) or a phrase")
    if len(query) > MAX_QUERY_CHARS:
        raise InputError(f"the query is {len(query)} characters; the limit is {MAX_QUERY_CHARS}. "
                         "A log or command output is for diagnose, not lookup.")
    if limit < 1:
        raise InputError("limit must be at least 1")
    plat = resolve_platform(index, platform)
    ids = [e["id"] for e in index["entries"]]
    if _ID.match(query) and query.upper() not in ids and _ID_PREFIX.match(query).group(0).upper() in _prefixes(ids):
        raise UnknownId(query, suggest_ids(ids, query))
    matches = search.search(query, platform=plat, limit=limit)
    return {"query": query, "platform": plat, "matches": matches, "did_you_mean": [] if matches else suggest_ids(ids, query)}


def _prefixes(ids: list[str]) -> set[str]:
    return {m.group(0) for m in map(_ID_PREFIX.match, ids) if m}
