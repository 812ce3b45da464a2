"""The catalog, engine and search index, built once per server process and shared by every call.

Building the engine takes about 2 s, so it happens once, lazily, behind a lock. It is not done in a
lifespan: in stateless HTTP the SDK runs the lifespan per request. `warm_up()` starts the build in
a background thread at startup, so the handshake is not held up and the first call waits only for
what is left of it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from gotcha_kb.engine.diagnose import Engine
from gotcha_kb.kb.catalog import Catalog
from gotcha_kb.kb.search import SearchIndex


@dataclass(frozen=True)
class KB:
    engine: Engine
    index: dict[str, Any]  # kb.index's plain form, built from the engine's own catalog
    search: SearchIndex

    @property
    def catalog(self) -> Catalog:
        return self.engine.catalog


_lock = threading.Lock()
_kb: KB | None = None
_catalog_paths: list[str] | None = None


def configure(catalog_paths: list[str] | None) -> None:
    """Serve these catalog sources instead of the shipped ones (or $GOTCHA_CATALOG). Call before the first use."""
    global _catalog_paths, _kb
    with _lock:
        _catalog_paths = list(catalog_paths) if catalog_paths else None
        _kb = None


def built_kb() -> KB | None:
    """The KB if it is built already (never waits)."""
    return _kb


def get_kb() -> KB:
    global _kb
    kb = _kb
    if kb is not None:
        return kb
    with _lock:
        if _kb is None:
            from gotcha_kb.engine.api import build_engine
            from gotcha_kb.kb.index import build_index

            engine = build_engine(_catalog_paths)
            # One catalog load for both faces: the index is built from the engine's catalog, which is
            # what `kb.index.load_index` caches for the CLI, so lookups agree with `gotcha lookup`.
            index = build_index(engine.catalog)
            if engine.entry_vectors:
                from gotcha_kb.engine.minilm import encoder

                encoder()  # the sentence encoder's weights (~40 ms) load here, not in the first call
            _kb = KB(engine=engine, index=index, search=SearchIndex(index))
        return _kb


def platform_names() -> list[str]:
    """The configured catalog's profile names. Reads the catalog cache, which the engine build
    that follows reuses in-process (no second parse)."""
    from gotcha_kb.kb.catalog_cache import load_catalog_cached

    return sorted(load_catalog_cached(_catalog_paths).profiles)


def warm_up() -> threading.Thread:
    """Build the KB in the background; a failure here resurfaces (as a tool error) on first use."""

    def run() -> None:
        try:
            get_kb()
        except Exception:  # noqa: BLE001 - logged and retried on the first call
            import logging

            logging.getLogger(__name__).exception("building the catalog failed; will retry on first call")

    t = threading.Thread(target=run, name="gotcha-kb-warm-up", daemon=True)
    t.start()
    return t
