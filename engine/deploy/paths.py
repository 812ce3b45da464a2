"""One spelling of a relative path for both sides of a comparison, and the checks that keep it inside."""

from __future__ import annotations

import os
import unicodedata

# Never compared on either side: git internals, and bytecode the box writes as soon as code runs.
PRUNE_NAMES = frozenset({".git", "__pycache__"})


class UnsafePath(ValueError):
    """A path that would leave the directory it is relative to."""


def normalize_rel(path: str) -> str:
    """`./a//b/./c.py` -> `a/b/c.py`; raises UnsafePath for absolute paths and `..` components.

    NFC because a tree that passed through macOS may spell `é` decomposed while Linux keeps
    whatever bytes it was given; both name the same file to the person comparing.
    """
    if not path:
        raise UnsafePath("empty path")
    if "\0" in path:
        raise UnsafePath("path contains a NUL byte")
    if path.startswith("/"):
        raise UnsafePath(f"absolute path {path!r}")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafePath(f"path {path!r} contains '..'")
    if not parts:
        raise UnsafePath(f"path {path!r} names the directory itself, not a file")
    rel = "/".join(parts)
    return rel if rel.isascii() else unicodedata.normalize("NFC", rel)


def inside(root_real: str, path_real: str) -> bool:
    """Is an already-resolved path the root or below it?"""
    return path_real == root_real or path_real.startswith(root_real.rstrip(os.sep) + os.sep)


def display(path: str) -> str:
    """A path fit for JSON and terminals: undecodable bytes (kept as surrogates so both sides
    compare equal) are shown as \\xNN instead of crashing the encoder."""
    if path.isascii():
        return path
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
