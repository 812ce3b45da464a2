"""The one way faces (CLI, MCP server) get an engine: catalog + cases, built once or read from the cache."""

from __future__ import annotations

from gotcha_kb.engine.diagnose import Engine
from gotcha_kb.engine.snapshot import load_engine


def build_engine(catalog_paths: list[str] | None = None, cases_path: str | None = None) -> Engine:
    return load_engine(catalog_paths, cases_path)
