"""The installed package claims one import name, gotcha_kb, and carries its data."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUBPACKAGES = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name != "gotcha_kb")


def _installed_files() -> list[Path]:
    try:
        files = importlib.metadata.distribution("gotcha-kb").files or []
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("gotcha-kb is not installed")
    return [Path(str(f)) for f in files]


def test_the_wheel_installs_one_top_level_name():
    py = [f for f in _installed_files() if f.suffix == ".py" and f.parts[0] != ".."]
    if not any(f.parts[0] == "gotcha_kb" for f in py):
        pytest.skip("an editable install: nothing was copied to check")
    assert {f.parts[0] for f in py} == {"gotcha_kb"}


def test_every_package_of_the_repository_is_installed_under_gotcha_kb():
    files = {f.as_posix() for f in _installed_files()}
    if "gotcha_kb/__init__.py" not in files:
        pytest.skip("an editable install: nothing was copied to check")
    for name in SUBPACKAGES:
        assert f"gotcha_kb/{name}/__init__.py" in files, name
    for data in ("gotcha_kb/engine/model.json", "gotcha_kb/evals/cases.jsonl", "gotcha_kb/kb/data/gotchas/02-disk-storage.md"):
        assert data in files, data


def test_the_source_tree_imports_the_same_names():
    import gotcha_kb.cli.main
    import gotcha_kb.engine.diagnose
    import gotcha_kb.mcp_server.server

    assert gotcha_kb.engine.diagnose.Engine.__module__ == "gotcha_kb.engine.diagnose"
    assert callable(gotcha_kb.cli.main.cli)
