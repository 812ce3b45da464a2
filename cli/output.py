"""Printing helpers shared by the commands: JSON for machines, wrapped text for people.

Exit codes, the same for every command and in --json mode: 0 found / ok, 1 nothing found /
abstained / check failed / not verified, 2 usage error (a bad argument, an unknown id, platform,
theme, section or field). Under --json an error is one JSON object on stderr,
{"error": "...", "code": N}, so a script reads failures the way it reads results.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gotcha_kb.cli import render

USAGE = 2

_json_errors = False


class UsageError(Exception):
    """Bad arguments found after parsing (an unknown platform, ...): exit 2 with the message."""


def set_json_errors(on: bool) -> None:
    global _json_errors
    _json_errors = on


def emit_json(data: Any) -> None:
    import json

    if hasattr(data, "model_dump"):
        data = data.model_dump(mode="json")
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def error(message: str, code: int = USAGE) -> int:
    """Report an error on stderr (JSON under --json) and return its exit code."""
    if _json_errors:
        import json

        sys.stderr.write(json.dumps({"error": message, "code": code}, ensure_ascii=False) + "\n")
    else:
        sys.stderr.write(f"gotcha: {message}\n")
    return code


def warn(message: str) -> None:
    if _json_errors:
        import json

        sys.stderr.write(json.dumps({"warning": message}, ensure_ascii=False) + "\n")
    else:
        sys.stderr.write(f"gotcha: {message}\n")


def wrap(text: str, indent: str = "  ") -> str:
    """A Markdown field for the terminal (see render.markdown): fits $COLUMNS, no raw markup."""
    return render.markdown(text, indent=indent)


def lines(text: str, first: str = "", rest: str | None = None) -> str:
    """One plain-text paragraph wrapped to the terminal with a hanging indent."""
    return "\n".join(render.fill(text, render.term_width(), first, rest))


class HelpFormatter(argparse.HelpFormatter):
    """Help that fits $COLUMNS: prose paragraphs are refilled, indented lines (examples) kept."""

    def __init__(self, prog: str, **kw: Any) -> None:
        kw.setdefault("width", render.term_width())
        kw.setdefault("max_help_position", 28)
        super().__init__(prog, **kw)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out: list[str] = []
        para: list[str] = []

        def flush() -> None:
            if para:
                out.extend(render.fill(" ".join(para), self._width, indent, indent))
                para.clear()

        for line in text.splitlines():
            if not line.strip():
                flush()
                out.append("")
            elif line[:1].isspace() or line.rstrip().endswith(":"):
                flush()
                out.append(indent + line)
            else:
                para.append(line.strip())
        flush()
        return "\n".join(out)

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: Any) -> str:
        text = super()._format_usage(usage, actions, groups, prefix)
        # argparse never breaks inside a group (`[--a X | --b Y | --c Z]`); do it here.
        fixed: list[str] = []
        for line in text.split("\n"):
            if render.display_width(line) <= self._width:
                fixed.append(line)
                continue
            lead = " " * (len(line) - len(line.lstrip()))
            fixed.extend(render.fill(line.strip(), self._width, lead, lead + "  "))
        return "\n".join(fixed)


class Parser(argparse.ArgumentParser):
    """argparse with the shared help formatter and --json-aware usage errors (exit 2)."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        kw.setdefault("formatter_class", HelpFormatter)
        super().__init__(*a, **kw)

    def error(self, message: str) -> Any:  # type: ignore[override]
        if not _json_errors:
            self.print_usage(sys.stderr)
        self.exit(error(f"{self.prog.removeprefix('gotcha ')}: {message}" if " " in self.prog else message))


class _KnownPlatforms:
    """The loaded profiles' names, read only when a help text is printed (argparse formats
    `%(platforms)s` from the action's attributes), so no command pays for it otherwise."""

    def __str__(self) -> str:
        try:
            from gotcha_kb.kb.index import load_index

            names = sorted(load_index().get("profiles", {}))
        except Exception:  # noqa: BLE001 (help must print even when the catalog cannot be read)
            names = []
        return ", ".join(names) or "none loaded"


def platform_argument(parser: Any, *flags: str, help: str, **kw: Any) -> None:
    """An argument naming a platform; its help ends with the platforms the catalog has."""
    action = parser.add_argument(*flags, help=f"{help} (one of: %(platforms)s)", **kw)
    action.platforms = _KnownPlatforms()
