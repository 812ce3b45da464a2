"""Plain-data caches on disk: the lookup index, the parsed catalog, the built engine.

Each cache is one `<kind>-<key>.marshal` file in $XDG_CACHE_HOME/gotcha-kb/ (~/.cache/gotcha-kb/).
The key fingerprints everything the data was built from (source files, the code that built it,
the Python version, GOTCHA_* settings), so an edit anywhere gives a new key. marshal, not pickle:
it holds only plain values (dicts, lists, strings, numbers) and runs no code on load; even so a
cache file is untrusted input, and every reader checks its shape before using it.

Writes go to a temporary file renamed into place, so concurrent first runs never see half a
file; after a write, only the few most recently used files of that kind are kept. Deleting the folder is
always safe. os.path, zlib and marshal only: this module is on every warm start-up path.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from collections.abc import Iterable
from typing import Any

STALE_TMP_SECONDS = 600  # a temp file older than this belongs to a writer that died
# Files kept per kind: a few catalogs used in turn (the shipped one, a $GOTCHA_CATALOG, a
# server's --catalog) each keep their cache instead of evicting each other on every run.
KEEP_PER_KIND = 4


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "gotcha-kb")


def _stat(path: str) -> str:
    try:
        st = os.stat(path)
        return f"{os.path.abspath(path)}|{st.st_size}|{st.st_mtime_ns}"
    except OSError:
        return f"{path}|missing"


def code_stamp(*folders: str) -> list[str]:
    """Size and mtime of every .py file in these folders: a changed module changes the key."""
    out = []
    for folder in folders:
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".py"))
        except OSError:
            continue
        out.extend(_stat(os.path.join(folder, n)) for n in names)
    return out


def fingerprint(parts: Iterable[str], files: Iterable[str] = (), environ: dict[str, str] | None = None) -> str:
    """A key for `parts` plus the current state of `files`, the Python version and GOTCHA_* settings."""
    env = os.environ if environ is None else environ
    settings = [f"{k}={v}" for k, v in sorted(env.items()) if k.startswith("GOTCHA_")]
    blob = "\n".join([sys.version, *parts, *settings, *(_stat(f) for f in files)]).encode("utf-8", "surrogateescape")
    # Two independent 32-bit checksums: plenty to tell versions apart, and no hashlib import.
    return f"{zlib.crc32(blob):08x}{zlib.adler32(blob):08x}"


def path_for(kind: str, key: str) -> str:
    return os.path.join(cache_dir(), f"{kind}-{key}.marshal")


def read(kind: str, key: str) -> Any | None:
    """The cached value, or None when there is none, it is cut short or its checksum fails.

    Callers still check its shape: the checksum catches damage, not a file written on purpose.
    """
    try:
        with open(path_for(kind, key), "rb") as fh:
            raw = fh.read()  # marshal.load(fh) reads piecemeal: 10x slower
        if len(raw) < 4 or zlib.crc32(raw[4:]) != int.from_bytes(raw[:4], "little"):
            return None
        data = marshal.loads(raw[4:])
        os.utime(path_for(kind, key))  # used now: pruning keeps the most recently used
        return data
    except (OSError, ValueError, EOFError, TypeError):
        return None


def write(kind: str, key: str, data: Any) -> None:
    """Store `data` atomically and drop this kind's files of other keys; failures only cost speed."""
    path = path_for(kind, key)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        payload = marshal.dumps(data)
        with open(tmp, "wb") as fh:
            fh.write(zlib.crc32(payload).to_bytes(4, "little") + payload)
        os.replace(tmp, path)  # a concurrent reader sees the old file or the new one
        _prune(kind, keep=path)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass  # a read-only home still gets answers, just without the speed-up


def _prune(kind: str, keep: str) -> None:
    """Keep the KEEP_PER_KIND files of this kind used most recently; drop dead writers' temp files."""
    import time

    folder = os.path.dirname(keep)
    try:
        names = [n for n in os.listdir(folder) if n.startswith(f"{kind}-")]
    except OSError:
        return
    kept: list[tuple[float, str]] = []
    for name in names:
        full = os.path.join(folder, name)
        try:
            mtime = os.stat(full).st_mtime
            if name.endswith(".tmp"):
                # A temp file is another process's write in progress, unless it is old.
                if time.time() - mtime > STALE_TMP_SECONDS:
                    os.unlink(full)
            elif name.endswith(".marshal") and full != keep:
                kept.append((mtime, full))
        except OSError:
            pass  # another process pruned it first, or it is not ours to delete
    for _, full in sorted(kept, reverse=True)[KEEP_PER_KIND - 1 :]:
        try:
            os.unlink(full)
        except OSError:
            pass
