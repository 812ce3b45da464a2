"""Printing helpers shared by the commands: JSON for machines, wrapped text for people."""

from __future__ import annotations

import sys
from typing import Any


class UsageError(Exception):
    """Bad arguments found after parsing (an unknown platform, ...): exit 2 with the message."""


def emit_json(data: Any) -> None:
    import json

    if hasattr(data, "model_dump"):
        data = data.model_dump(mode="json")
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def error(message: str) -> None:
    sys.stderr.write(f"gotcha: {message}\n")


def wrap(text: str, indent: str = "  ", width: int = 100) -> str:
    """Wrap prose but keep fenced code as shell commands, one per line with `$ `."""
    import textwrap

    out: list[str] = []
    in_fence = False
    para: list[str] = []
    item = [False]  # is `para` a list item (hanging indent)?

    def flush() -> None:
        if para:
            sub = indent + "  " if item[0] else indent
            out.append(textwrap.fill(" ".join(para), width=width, initial_indent=indent, subsequent_indent=sub))
            para.clear()
        item[0] = False

    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            if stripped:
                out.append(f"{indent}  $ {line.rstrip()}")
            continue
        if not stripped:
            flush()
            continue
        if stripped.startswith(("- ", "* ")) or (stripped[:1].isdigit() and stripped[1:3] in (". ", ") ")):
            flush()
            item[0] = True
        para.append(stripped)
    flush()
    return "\n".join(out)
