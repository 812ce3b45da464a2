"""A compact, JSON-cached search index, so `gotcha lookup` starts fast.

Building the index needs the full loader (markdown-it, yaml, pydantic: ~150 ms of imports). The
index is plain data, so it is cached on disk keyed by the source files' paths, sizes and mtimes,
and a warm `gotcha lookup` imports none of those.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from kb.paths import expand, resolve_sources

INDEX_VERSION = 3
_MD_NOISE = re.compile(r"```.*?```|[*`_#>|]", re.S)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gotcha-kb"


def _plain(md: str) -> str:
    return " ".join(_MD_NOISE.sub(" ", md).split())


def _fingerprint(sources: list[Path]) -> str:
    h = hashlib.sha256(f"v{INDEX_VERSION}".encode())
    h.update(Path(__file__).read_bytes())
    for src in sources:
        h.update(f"src:{src.resolve() if src.exists() else src}".encode())
    for f in expand([s for s in sources if s.exists()]):
        try:
            st = f.stat()
            h.update(f"{f.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
        except OSError:
            h.update(f"{f}|missing".encode())
    return h.hexdigest()[:32]


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
                "delegated": e.delegated,
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
    return {
        "version": INDEX_VERSION,
        "entries": entries,
        "profiles": profiles,
        "problems": [str(p) for p in catalog.errors],
    }


def load_index(paths: list[str] | None = None, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The index for these sources: from the cache when fresh, else built (and cached if we can)."""
    sources = resolve_sources(paths, environ)
    key = _fingerprint(sources)
    path = cache_dir() / f"index-{key}.json"
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if data.get("version") == INDEX_VERSION:
            return data
    except (OSError, ValueError):
        pass
    from kb.loader import load_catalog  # heavy: only on a cache miss

    data = build_index(load_catalog(paths, environ))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".index-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home still gets answers, just without the speed-up
    return data
