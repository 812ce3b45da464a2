"""The one place text becomes words: one stopword list, and the two ways the project splits text.

- `words()`: for lookup. Keeps what people type as one unit (`df`, `/root/autodl-tmp`, `fp16`,
  `num_workers`) and does not fold suffixes, because a query word is matched against the
  catalog's own spelling of ids, paths and flags.
- `tokens()`: for the diagnosis text models. Drops stopwords, long numbers (pids, sizes) and
  one-letter words, folds suffixes ("compressed" meets "compression") and splits Chinese into
  character bigrams, because a paste is compared with entries and cases by the words they share.

Plain `re` only: lookup's fast path imports this.
"""

from __future__ import annotations

import re
from functools import lru_cache

STOPWORDS = frozenset(
    """a an and are as at be been but by can could did do does doing for from had has have he her his how i if in
    into is it its just me my no not of on or our out over so some than that the their them then there these they
    this those to too up very was we were what when where which while who why will with would you your yes also
    after before again all any both each few more most other same should only own about above below between
    get got one two new now here like still even ok okay please thanks thank help anyone know""".split()
)

_LOOKUP_WORD = re.compile(r"[a-z0-9_./+-]+|[\u4e00-\u9fff]+")
_TOKEN = re.compile(r"[a-z][a-z0-9_+]*(?:[.-][a-z0-9_]+)*|\d+|[\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Crude suffix folding, longest suffix first; the stem must keep 4+ letters, and only plain words
# are folded (not paths, ids).
_SUFFIXES = ("ations", "ation", "ions", "ion", "ings", "ing", "edly", "ed", "ers", "er", "es", "ly", "s")


def words(text: str) -> list[str]:
    """Lowercased words as typed, paths and flags whole, edge punctuation trimmed (lookup)."""
    return [w.strip("./-+") for w in _LOOKUP_WORD.findall(text.lower()) if w.strip("./-+")]


def tokens(text: str) -> list[str]:
    """Content words, stemmed; Chinese as character bigrams (the diagnosis text models)."""
    out: list[str] = []
    for w in _TOKEN.findall(text.lower()):
        if _CJK.match(w):
            # Chinese has no spaces: character bigrams are a cheap, decent unit.
            out.extend(w[i : i + 2] for i in range(max(1, len(w) - 1)))
            continue
        if w in STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        if w.isdigit() and len(w) > 4:
            continue  # pids, sizes, timestamps: noise
        out.append(_stem(w))
    return out


def spellings(text: str) -> dict[str, str]:
    """Each token of `tokens(text)` -> how the text first spelled it: people read 'compression'
    and 'pytorchstreamwriter', not the stems 'compress' and 'pytorchstreamwrit'."""
    out: dict[str, str] = {}
    for w in _TOKEN.findall(text.lower()):
        if not _CJK.match(w):
            out.setdefault(_stem(w), w)
    return out


@lru_cache(maxsize=1 << 16)  # a paste repeats its words; a cached stem is a dict lookup
def _stem(w: str) -> str:
    if not w.isalpha() or len(w) < 5:
        return w
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 4 and not (suf == "s" and w.endswith("ss")):
            return w[: -len(suf)]
    return w
