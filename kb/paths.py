"""Where catalog files come from: --catalog paths, $GOTCHA_CATALOG, or the shipped folders."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "GOTCHA_CATALOG"


def shipped_sources() -> list[Path]:
    """The catalog and profiles that ship with the package (wheel) or sit in the source tree."""
    here = Path(__file__).resolve().parent
    for base in (here / "data", here.parent):
        if (base / "gotchas").is_dir():
            return [p for p in (base / "gotchas", base / "profiles") if p.is_dir()]
    return []


def resolve_sources(paths: list[str] | None = None, environ: dict[str, str] | None = None) -> list[Path]:
    """Explicit paths win, then the environment variable (split like PATH), then the shipped catalog."""
    if paths:
        return [Path(p).expanduser() for p in paths]
    env = os.environ if environ is None else environ
    value = env.get(ENV_VAR, "").strip()
    if value:
        return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]
    return shipped_sources()


def expand(sources: list[Path]) -> list[Path]:
    """Folders become their *.md files (README.md excluded), sorted; files stay as given."""
    files: list[Path] = []
    for src in sources:
        if src.is_dir():
            files.extend(sorted(p for p in src.glob("*.md") if p.name.lower() != "readme.md" and p.is_file()))
        else:
            files.append(src)
    return list(dict.fromkeys(files))
