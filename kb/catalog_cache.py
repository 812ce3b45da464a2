"""load_catalog through a disk cache: a warm `gotcha show`, `list` or `diagnose` parses no Markdown.

The parsed catalog (problems included) is stored as plain data (kb/diskcache.py,
`catalog-<key>.marshal`) keyed by the catalog files, the code of kb/ and the GOTCHA_* settings,
and read back through the same pydantic models that validate it on a fresh load, so a file of
the wrong shape fails validation and is rebuilt. `gotcha check` always reads the files.
"""

from __future__ import annotations

import os

from pydantic import ValidationError

from gotcha_kb.kb import diskcache
from gotcha_kb.kb.catalog import Catalog
from gotcha_kb.kb.paths import expand, resolve_sources

CACHE_VERSION = 1


def catalog_key(sources: list[str], environ: dict[str, str] | None = None) -> str:
    code = diskcache.code_stamp(os.path.dirname(os.path.abspath(__file__)))
    parts = [f"catalog v{CACHE_VERSION}", *code, *(f"src:{os.path.abspath(s)}" for s in sources)]
    return diskcache.fingerprint(parts, expand([s for s in sources if os.path.exists(s)]), environ)


_last: tuple[str, Catalog] | None = None  # one process asking again (a server, a test run) reads nothing


def load_catalog_cached(paths: list[str] | None = None, environ: dict[str, str] | None = None) -> Catalog:
    """The catalog for these sources. Callers share the returned object: treat it as read-only."""
    return load_catalog_keyed(paths, environ)[0]


def load_catalog_keyed(paths: list[str] | None = None, environ: dict[str, str] | None = None) -> tuple[Catalog, str]:
    """The catalog and its cache key (caches built on the catalog extend that key)."""
    global _last
    key = catalog_key(resolve_sources(paths, environ), environ)
    where = f"{diskcache.cache_dir()}|{key}"
    if _last is None or _last[0] != where:
        _last = (where, _load(paths, environ, key))
    return _last[1], key


def _load(paths: list[str] | None, environ: dict[str, str] | None, key: str) -> Catalog:
    data = diskcache.read("catalog", key)
    if data is not None:
        try:
            return Catalog.model_validate(data)
        except ValidationError:
            pass  # damaged or foreign: rebuilt below
    from gotcha_kb.kb.loader import load_catalog  # markdown-it and yaml: only on a cache miss

    catalog = load_catalog(paths, environ)
    diskcache.write("catalog", key, catalog.model_dump(mode="json"))
    return catalog
