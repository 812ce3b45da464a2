"""Docs coverage: every command is registered, has help, and is in the README."""

from __future__ import annotations

import argparse

from conftest import ROOT
from gotcha_kb.cli.main import COMMANDS, build_parser


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser([])
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_is_registered_with_help():
    subs = _subparsers()
    assert sorted(subs) == sorted(COMMANDS)
    for name, p in subs.items():
        assert (p.description or "").strip() or p.format_help().strip(), name


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in COMMANDS if f"gotcha {name}" not in readme]
    assert missing == []


def test_readme_keeps_the_two_commands_up_front():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[: readme.index("## Using the CLI")]
    assert "pip install . && gotcha" in head
    assert "pip install '.[test]' && python -m pytest" in head
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -q '.[test]'" in ci and "python -m pytest -q -p no:cacheprovider" in ci
