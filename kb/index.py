"""A compact, cached search index, so `gotcha lookup` starts fast.

Building the index needs the full loader (markdown-it, yaml, pydantic: ~150 ms of imports). The
index is plain data, so it is cached on disk (marshal: no import, fast to read) keyed by the source files' paths, sizes and mtimes,
and a warm `gotcha lookup` imports none of those.

The cache lives in $XDG_CACHE_HOME/gotcha-kb/ (~/.cache/gotcha-kb/), one index-<key>.marshal file
for the current catalog; files of older keys are deleted when a new one is written. A cache file
is only trusted when its whole shape checks out; anything else (truncated, another version,
edited by hand) is rebuilt, never an error. Deleting the folder is always safe.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
import zlib
from typing import Any

from gotcha_kb.kb.paths import expand, resolve_sources

INDEX_VERSION = 6
_MD_NOISE = re.compile(r"```.*?```|[*`_#>|]", re.S)
_ENTRY_STR = ("id", "title", "theme", "symptom", "body", "source")
_ENTRY_LISTS = ("keywords", "error_strings", "profile_fields")


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "gotcha-kb")


def _plain(md: str) -> str:
    return " ".join(_MD_NOISE.sub(" ", md).split())


def _fingerprint(sources: list[str]) -> str:
    """Changes whenever a source file, this code, or the Python version (marshal format) changes."""
    here = os.path.dirname(os.path.abspath(__file__))
    parts = [f"v{INDEX_VERSION}", sys.version]
    for code in ("index.py", "search.py"):
        st = os.stat(os.path.join(here, code))
        parts.append(f"{code}|{st.st_size}|{st.st_mtime_ns}")
    parts += [f"src:{os.path.abspath(s)}" for s in sources]
    for f in expand([s for s in sources if os.path.exists(s)]):
        try:
            st = os.stat(f)
            parts.append(f"{os.path.abspath(f)}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{f}|missing")
    blob = "\n".join(parts).encode("utf-8", "surrogateescape")
    # Two independent 32-bit checksums: plenty to tell catalog versions apart, no hashlib import.
    return f"{zlib.crc32(blob):08x}{zlib.adler32(blob):08x}"


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


def _prune(folder: str, keep: str) -> None:
    """Delete index files of other keys (each catalog edit made one) and temp files of dead writers."""
    import time

    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        full = os.path.join(folder, name)
        stale = name.startswith("index-") and name.endswith(".marshal") and full != keep
        # A temp file is another process's write in progress, unless it is old.
        try:
            stale = stale or (name.startswith("index-") and name.endswith(".tmp") and time.time() - os.stat(full).st_mtime > 600)
            if stale:
                os.unlink(full)
        except OSError:
            pass  # another process pruned it first, or it is not ours to delete


def load_index(paths: list[str] | None = None, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The index for these sources: from the cache when fresh, else built (and cached if we can)."""
    sources = resolve_sources(paths, environ)
    key = _fingerprint(sources)
    path = os.path.join(cache_dir(), f"index-{key}.marshal")
    try:
        with open(path, "rb") as fh:
            data = marshal.loads(fh.read())  # marshal.load(fh) reads piecemeal: 10x slower
        if valid_index(data):
            return data
    except (OSError, ValueError, EOFError, TypeError):
        pass
    from gotcha_kb.kb.loader import load_catalog  # heavy: only on a cache miss

    data = build_index(load_catalog(paths, environ))
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(marshal.dumps(data))
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the new one
        _prune(os.path.dirname(path), keep=path)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass  # a read-only home still gets answers, just without the speed-up
    return data
