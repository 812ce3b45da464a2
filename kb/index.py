"""A compact, cached search index, so `gotcha lookup` starts fast.

Building the index needs the full loader (markdown-it, yaml, pydantic: ~150 ms of imports). The
index is plain data, so it is cached on disk (kb/diskcache.py: one index-<key>.marshal file keyed
by the source files' paths, sizes and mtimes), and a warm `gotcha lookup` imports none of those.
A cache file is only trusted when its whole shape checks out; anything else (truncated, another
version, edited by hand) is rebuilt, never an error.
"""

from __future__ import annotations

import os
import re
from typing import Any

from gotcha_kb.kb import diskcache
from gotcha_kb.kb.paths import expand, resolve_sources

INDEX_VERSION = 6
_MD_NOISE = re.compile(r"```.*?```|[*`_#>|]", re.S)
_ENTRY_STR = ("id", "title", "theme", "symptom", "body", "source")
_ENTRY_LISTS = ("keywords", "error_strings", "profile_fields")


def _plain(md: str) -> str:
    return " ".join(_MD_NOISE.sub(" ", md).split())


def _fingerprint(sources: list[str], environ: dict[str, str] | None) -> str:
    """Changes whenever a source file, this code, or the Python version (marshal format) changes."""
    here = os.path.dirname(os.path.abspath(__file__))
    code = [os.path.join(here, f) for f in ("index.py", "search.py")]
    files = [*code, *expand([s for s in sources if os.path.exists(s)])]
    return diskcache.fingerprint([f"v{INDEX_VERSION}", *(f"src:{os.path.abspath(s)}" for s in sources)], files, environ)


def build_index(catalog: Any) -> dict[str, Any]:
    """Index records from a loaded Catalog (kb.catalog.Catalog)."""
    entries = []
    for e in catalog.entries:
        entries.append(
            {
                "id": e.id,
                "title": e.title,
                "theme": e.theme,
                "platform": e.platform,
                "keywords": e.keywords,
                "error_strings": e.error_strings,
                "symptom": _plain(e.symptom),
                "body": _plain(e.root_cause + " " + e.fix),
                "profile_fields": e.profile_fields,
                "source": f"{e.source.path}:{e.source.line}",
            }
        )
    profiles = {
        name: {"display_name": p.facts.display_name, "facts": p.facts.model_dump(mode="json")}
        for name, p in catalog.profiles.items()
    }
    from gotcha_kb.kb.search import build_vocab

    return {
        "version": INDEX_VERSION,
        "entries": entries,
        "vocab": build_vocab(entries),
        "profiles": profiles,
        "problems": [str(p) for p in catalog.errors],
    }


def _is_str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _postings_ok(postings: str, n_entries: int) -> bool:
    """`entry:best:spread;...` with entry < n_entries and two numbers (build_vocab's encoding)."""
    try:
        for p in postings.split(";"):
            entry, best, spread = p.split(":")
            if not entry.isdigit() or int(entry) >= n_entries:
                return False
            float(best), float(spread)
    except ValueError:
        return False
    return True


def valid_index(data: Any) -> bool:
    """True when `data` has every field search reads, with the right types (a cache is untrusted input)."""
    if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
        return False
    entries, vocab, profiles = data.get("entries"), data.get("vocab"), data.get("profiles")
    if not (isinstance(entries, list) and isinstance(vocab, dict) and isinstance(profiles, dict) and _is_str_list(data.get("problems"))):
        return False
    for e in entries:
        if not (isinstance(e, dict) and all(isinstance(e.get(k), str) for k in _ENTRY_STR)
                and all(_is_str_list(e.get(k)) for k in _ENTRY_LISTS)
                and (e.get("platform") is None or isinstance(e.get("platform"), str))):
            return False
    n = len(entries)
    for word, postings in vocab.items():
        if not (isinstance(word, str) and isinstance(postings, str) and _postings_ok(postings, n)):
            return False
    return all(isinstance(k, str) and isinstance(p, dict) and isinstance(p.get("display_name"), str) and isinstance(p.get("facts"), dict)
               for k, p in profiles.items())


def load_index(paths: list[str] | None = None, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The index for these sources: from the cache when fresh, else built (and cached if we can)."""
    sources = resolve_sources(paths, environ)
    key = _fingerprint(sources, environ)
    data = diskcache.read("index", key)
    if valid_index(data):
        return data
    from gotcha_kb.kb.loader import load_catalog  # heavy: only on a cache miss

    data = build_index(load_catalog(paths, environ))
    diskcache.write("index", key, data)
    return data
