"""The one way faces (CLI, MCP server, evals) get an engine: catalog + cases, built once."""

from __future__ import annotations

from pathlib import Path

from gotcha_kb.engine.cases import load_cases
from gotcha_kb.engine.diagnose import Engine
from gotcha_kb.kb.loader import load_catalog


def build_engine(catalog_paths: list[str] | None = None, cases_path: str | None = None) -> Engine:
    catalog = load_catalog(catalog_paths)
    cases = load_cases(Path(cases_path) if cases_path else None)
    return Engine(catalog, cases.cases)

