"""What the engine works out once from the catalog and the cases, as plain data it can cache.

Building these tables (tokenising every entry and labeled case, two tf-idf indexes, the scope
model, the centroids) is most of what a cold `gotcha diagnose` spends; engine/snapshot.py stores
them with `to_plain()` and restores them with `from_plain()` instead of rebuilding.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from gotcha_kb.engine import semantic
from gotcha_kb.engine.cases import Case
from gotcha_kb.engine.scope import ScopeModel
from gotcha_kb.engine.signals import CompiledSignal, compile_entry
from gotcha_kb.engine.textsim import Centroids, TfIdf
from gotcha_kb.kb.text import tokens
from gotcha_kb.kb.models import Entry
from gotcha_kb.kb.profile_model import Profile

AMBIGUOUS_PLATFORM_WORDS = {"local", "lambda", "china", "generic-ssh", "generic ssh"}
ENTRY_AS_EXAMPLES = 3  # in-scope examples each universal entry's words count as (1 and 3 measured; 3 better)


@dataclass
class Tables:
    entry_index: TfIdf  # rows in catalog order
    case_index: TfIdf  # rows in the order of the engine's cases
    case_words: dict[str, str]  # case id -> its distinct words, space-separated (split on use: cheap to cache)
    case_vocab: Counter[str]  # in how many in-scope cases each word occurs
    scope: ScopeModel
    centroids: Centroids
    phrases: dict[str, list[str]]  # entry id -> error strings and multi-word keywords
    phrase_weight: dict[str, float]  # lowercased phrase -> 1 / number of entries quoting it
    signals: dict[str, list[CompiledSignal]]
    platform_aliases: dict[str, str]  # lowercased name or hint -> profile name
    platform_patterns: dict[str, str]  # lowercased name or hint -> the regex that finds it as a word
    entry_vectors: bytes = b""  # float32 rows, catalog order: each entry in sentence space (engine/semantic.py)


def _hint_pattern(hint: str) -> str:
    """A hint matches as a whole token: `vastai` not inside `myvastaibackup`, a path not inside another path.

    A hint that is one of the ambiguous platform words matches only as written: `Lambda` names
    the cloud, while `lambda` is Python's keyword.
    """
    # Chinese has no spaces, so a CJK hint matches anywhere; ASCII words and paths need edges.
    left = "" if not hint[0].isascii() else r"(?<![\w-])" if hint[0].isalnum() else r"(?<![\w./-])"
    right = r"(?![\w-])" if hint[-1].isascii() and hint[-1].isalnum() else ""
    body = re.escape(hint)
    return left + (f"(?-i:{body})" if hint.lower() in AMBIGUOUS_PLATFORM_WORDS else body) + right


def _entry_doc(e: Entry) -> list[str]:
    # The checks belong here too: people paste the very commands an entry's checks run
    # (`df -i`, `cat /sys/fs/cgroup/memory.events`) and describe what those showed.
    return (
        tokens(e.title) * 2
        + tokens(" ".join(e.keywords)) * 2
        + tokens(" ".join(e.error_strings)) * 2
        + tokens(e.symptom) * 2
        + tokens(e.root_cause)
        + tokens(" ".join(f"{c.run} {c.shows}" for c in e.checks))
    )


def build_tables(entries: list[Entry], cases: list[Case], profiles: dict[str, Profile]) -> Tables:
    entry_index = TfIdf([_entry_doc(e) for e in entries])
    case_toks = [tokens(c.input) for c in cases]
    case_index = TfIdf(case_toks)
    words = {c.id: set(t) for c, t in zip(cases, case_toks)}
    case_vocab: Counter[str] = Counter()
    for c in cases:
        if c.expect:
            case_vocab.update(words[c.id])
    # The catalog's own words are in scope too, each universal entry counted as a few examples:
    # the cases alone teach the gate that a real post's unfamiliar wording means "not ours".
    own = [(set(tokens(" ".join([e.title, *e.keywords, e.symptom]))), True) for e in entries if e.platform is None]
    scope = ScopeModel([(words[c.id], bool(c.expect)) for c in cases] + own * ENTRY_AS_EXAMPLES)
    centroids = Centroids(case_index, [[(c.expect[0], 1.0)] + [(x, 0.5) for x in c.also_ok] if c.expect else [] for c in cases])
    case_index.vectors = []  # only the centroids needed them
    # Phrases: the exact error strings an entry quotes, and its multi-word keywords. A phrase
    # many entries share ("nvidia-smi", "checkpoint") says little, so it counts less.
    phrases = {e.id: list(dict.fromkeys(e.error_strings + [k for k in e.keywords if " " in k.strip()])) for e in entries}
    owners: Counter[str] = Counter(p.lower() for plist in phrases.values() for p in plist)
    aliases, patterns = _platform_names(profiles)
    return Tables(
        entry_index=entry_index,
        case_index=case_index,
        case_words={k: " ".join(sorted(v)) for k, v in words.items()},
        case_vocab=case_vocab,
        scope=scope,
        centroids=centroids,
        phrases=phrases,
        phrase_weight={p: 1.0 / n for p, n in owners.items()},
        signals={e.id: compile_entry(e) for e in entries},
        platform_aliases=aliases,
        platform_patterns=patterns,
        entry_vectors=semantic.entry_vectors(entries) if semantic.enabled() else b"",
    )


def _platform_names(profiles: dict[str, Profile]) -> tuple[dict[str, str], dict[str, str]]:
    """What gives a platform away: its names (except those that are ordinary words, such as
    "local" or "lambda" in Python code) and the hostnames, paths and CLI names its profile
    declares as hints (`connect.westb.seetacloud.com`, `/root/autodl-tmp`)."""
    patterns: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for name, prof in profiles.items():
        display = prof.facts.display_name.lower()
        for alias in {name, display, display.replace(".", "")} - AMBIGUOUS_PLATFORM_WORDS:
            aliases[alias] = name
            patterns[alias] = r"(?i)(?<![\w.])" + re.escape(alias) + r"(?![\w])"
        for hint in prof.facts.hints:
            aliases[hint.lower()] = name
            patterns[hint.lower()] = "(?i)" + _hint_pattern(hint)  # a hint's edges are the looser ones (ssh5.vast.ai)
    return aliases, patterns


def to_plain(t: Tables) -> dict[str, Any]:
    """Dicts, lists, tuples, sets, strings and numbers only: what marshal stores."""
    return {
        "entry_index": t.entry_index.to_plain(),
        "case_index": t.case_index.to_plain(),
        "case_words": t.case_words,
        "case_vocab": dict(t.case_vocab),
        "scope": t.scope.to_plain(),
        "centroids": t.centroids.to_plain(),
        "phrases": t.phrases,
        "phrase_weight": t.phrase_weight,
        "signals": {k: [s.to_plain() for s in v] for k, v in t.signals.items()},
        "platform_aliases": t.platform_aliases,
        "platform_patterns": t.platform_patterns,
        "entry_vectors": t.entry_vectors,
    }


def from_plain(d: dict[str, Any]) -> Tables:
    """The inverse of to_plain; raises KeyError, TypeError or ValueError on data of another shape."""
    return Tables(
        entry_index=TfIdf.from_plain(d["entry_index"]),
        case_index=TfIdf.from_plain(d["case_index"]),
        case_words={str(k): str(v) for k, v in d["case_words"].items()},
        case_vocab=Counter(d["case_vocab"]),
        scope=ScopeModel.from_plain(d["scope"]),
        centroids=Centroids.from_plain(d["centroids"]),
        phrases={str(k): list(v) for k, v in d["phrases"].items()},
        phrase_weight=dict(d["phrase_weight"]),
        signals={str(k): [CompiledSignal.from_plain(s) for s in v] for k, v in d["signals"].items()},
        platform_aliases=dict(d["platform_aliases"]),
        platform_patterns={str(k): str(v) for k, v in d["platform_patterns"].items()},
        entry_vectors=_vectors(d["entry_vectors"]),
    )


def _vectors(data: object) -> bytes:
    if type(data) is not bytes or len(data) % (4 * semantic.DIM):
        raise ValueError("entry vectors of the wrong shape")
    return data
