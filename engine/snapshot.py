"""A built engine cached on disk, so a warm `gotcha diagnose` skips parsing and indexing.

The catalog comes through its own cache (kb/catalog_cache.py); this one (kb/diskcache.py,
`engine-<key>.marshal`) holds the cases' labels and the engine's tables (engine/tables.py), all
plain data. Its key covers the catalog's key, the cases file, the fitted model, the code of
engine/ and the Python version, so any edit rebuilds it. A file that does not restore cleanly is
rebuilt and overwritten, never trusted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gotcha_kb.engine import minilm, scoring, semantic
from gotcha_kb.engine.cases import Case, default_cases_path, load_cases
from gotcha_kb.engine.diagnose import Engine
from gotcha_kb.engine.tables import from_plain, to_plain
from gotcha_kb.kb import diskcache
from gotcha_kb.kb.catalog import Catalog
from gotcha_kb.kb.catalog_cache import load_catalog_keyed

SNAPSHOT_VERSION = 2  # 2: entry vectors
_CASE_FIELDS = ("id", "input", "expect", "also_ok", "platform", "kind", "note", "line")


def _key(catalog_key: str, cases: Path, environ: dict[str, str] | None) -> str:
    code = diskcache.code_stamp(os.path.dirname(os.path.abspath(__file__)))
    parts = [f"engine v{SNAPSHOT_VERSION}", catalog_key, *code, f"cases:{cases.resolve()}"]
    # The model's weights and the shipped entry vectors feed the tables too (engine/semantic.py).
    data = [str(scoring.PATH), str(semantic.VECTORS), str(minilm.WEIGHTS)]
    return diskcache.fingerprint(parts, [str(cases), *data], environ)


def _plain(engine: Engine) -> dict[str, Any]:
    return {
        "version": SNAPSHOT_VERSION,
        "cases": [tuple(getattr(c, f) for f in _CASE_FIELDS) for c in engine.cases],
        "tables": to_plain(engine.tables),
    }


def _restore(data: Any, catalog: Catalog) -> Engine:
    if not isinstance(data, dict) or data.get("version") != SNAPSHOT_VERSION:
        raise ValueError("not an engine snapshot of this version")
    cases = [Case(**dict(zip(_CASE_FIELDS, row, strict=True))) for row in data["cases"]]
    engine = Engine(catalog, cases, tables=from_plain(data["tables"]))
    if len(engine.cases) != len(cases) or engine.case_index.n != len(cases) or engine.entry_index.n != len(catalog.entries):
        raise ValueError("tables do not fit the catalog and cases")
    return engine


def load_engine(catalog_paths: list[str] | None = None, cases_path: str | None = None, environ: dict[str, str] | None = None) -> Engine:
    """The engine for this catalog and these cases: restored from the cache when fresh, else built and cached."""
    catalog, catalog_key = load_catalog_keyed(catalog_paths, environ)
    cases_file = Path(cases_path) if cases_path else default_cases_path()
    key = _key(catalog_key, cases_file, environ)
    data = diskcache.read("engine", key)
    if data is not None:
        try:
            return _restore(data, catalog)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            pass  # any shape of broken or foreign file means the same thing: rebuild it
    cases = load_cases(cases_file).cases
    engine = Engine(catalog, cases)
    diskcache.write("engine", key, _plain(engine))
    return engine

