"""Where catalog files come from: --catalog paths, $GOTCHA_CATALOG, or the shipped folders.

os.path rather than pathlib: this module is on `gotcha lookup`'s start-up path, where every
import shows in the wall time.
"""

from __future__ import annotations

import os
from functools import lru_cache

ENV_VAR = "GOTCHA_CATALOG"


def shipped_sources() -> list[str]:
    """The catalog and profiles that ship with the package (wheel) or sit in the source tree."""
    here = os.path.dirname(os.path.abspath(__file__))
    for base in (os.path.join(here, "data"), os.path.dirname(here)):
        if os.path.isdir(os.path.join(base, "gotchas")):
            return [p for p in (os.path.join(base, "gotchas"), os.path.join(base, "profiles")) if os.path.isdir(p)]
    return []


def resolve_sources(paths: list[str] | None = None, environ: dict[str, str] | None = None) -> list[str]:
    """Explicit paths win, then the environment variable (split like PATH), then the shipped catalog."""
    if paths:
        return [os.path.expanduser(str(p)) for p in paths]
    env = os.environ if environ is None else environ
    value = env.get(ENV_VAR, "").strip()
    if value:
        return [os.path.expanduser(p) for p in value.split(os.pathsep) if p.strip()]
    return shipped_sources()


def expand(sources: list[str]) -> list[str]:
    """Folders become their *.md files (README.md excluded), sorted; files stay as given."""
    files: list[str] = []
    for src in sources:
        if os.path.isdir(src):
            names = sorted(n for n in os.listdir(src) if n.endswith(".md") and n.lower() != "readme.md")
            files.extend(p for p in (os.path.join(src, n) for n in names) if os.path.isfile(p))
        else:
            files.append(src)
    return list(dict.fromkeys(files))


def relative_source(source: str, roots: list[str]) -> str:
    """`/.../site-packages/gotcha_kb/kb/data/gotchas/02-disk.md:61` -> `gotchas/02-disk.md:61`:
    where an entry comes from, without the install path of whoever serves it."""
    path, sep, line = source.rpartition(":")
    if not sep or not line.isdigit():
        path, line = source, ""
    rel = _relative_path(path, tuple(roots))
    return f"{rel}:{line}" if line else rel


@lru_cache(maxsize=4096)
def _relative_path(path: str, roots: tuple[str, ...]) -> str:
    # Resolving paths (realpath) was 4% of an MCP diagnose call; a server sees the same few files.
    real = os.path.realpath(path)
    for root in roots:
        base = os.path.realpath(os.path.dirname(os.path.normpath(root)))  # gotchas/ -> the catalog root
        rel = os.path.relpath(real, base)
        if rel != os.pardir and not rel.startswith(os.pardir + os.sep):
            return rel.replace(os.sep, "/")
    return os.path.basename(path)
