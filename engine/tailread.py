"""Read the END of a file or stream within a byte budget: a log breaks at its end.

A file is read from `size - limit` (one seek, no matter how big it is); a pipe cannot seek, so it
is read in chunks keeping only the last `limit` bytes. Either way the caller learns how many
bytes were skipped, so it can say so.
"""

from __future__ import annotations

import os
from typing import BinaryIO

CHUNK = 1024 * 1024
# A pipe that never ends (`yes |`, /dev/zero behind a FIFO) must not keep us reading forever.
MAX_STREAM_BYTES = 2 * 1024**3


class EndlessInput(ValueError):
    """The stream went on past MAX_STREAM_BYTES."""


def read_tail(fh: BinaryIO, limit: int, max_total: int = MAX_STREAM_BYTES) -> tuple[bytes, int]:
    """(the last `limit` bytes of `fh`, how many bytes before them were skipped).

    Raises EndlessInput when more than `max_total` bytes arrive.
    """
    try:
        size = os.fstat(fh.fileno()).st_size
        seekable = fh.seekable() and size > 0
    except (OSError, ValueError, AttributeError):
        seekable = False
    if seekable:
        start = max(0, size - limit)
        fh.seek(start)
        data = fh.read(limit)
        # A file that grew while we read (a live log): keep only the last `limit` bytes.
        extra = fh.read(CHUNK)
        skipped = start
        while extra:
            if skipped > max_total:
                raise EndlessInput(f"more than {max_total // 2**30} GiB arrived and it has not ended")
            data += extra
            if len(data) > 2 * limit:
                skipped += len(data) - limit
                data = data[-limit:]
            extra = fh.read(CHUNK)
        if len(data) > limit:
            skipped += len(data) - limit
            data = data[-limit:]
        return data, skipped
    buf = bytearray()
    skipped = 0
    while True:
        chunk = fh.read(CHUNK)
        if not chunk:
            break
        buf += chunk
        if len(buf) > 2 * limit:  # trim in big steps: deleting from the front copies
            cut = len(buf) - limit
            del buf[:cut]
            skipped += cut
            if skipped > max_total:
                raise EndlessInput(f"more than {max_total // 2**30} GiB arrived and it has not ended")
    if len(buf) > limit:
        skipped += len(buf) - limit
        del buf[: len(buf) - limit]
    return bytes(buf), skipped


def read_log(path: str, limit: int) -> tuple[bytes, int]:
    """The end of the log at `path` ('-': standard input), as read_tail; an InputError naming the
    path when it cannot be read, is a device, or never ends."""
    import stat
    import sys

    from gotcha_kb.kb.names import InputError

    name = "standard input" if path == "-" else repr(path)
    try:
        if path == "-":
            return read_tail(sys.stdin.buffer, limit)
        with open(path, "rb") as fh:
            mode = os.fstat(fh.fileno()).st_mode
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
                raise InputError(f"{name} is a device, not a log file")
            return read_tail(fh, limit)
    except OSError as e:
        raise InputError(f"cannot read {name}: {e.strerror or e}") from None
    except EndlessInput as e:
        raise InputError(f"{name}: {e}; pass its end instead, e.g. `tail -c 8M LOG | gotcha diagnose -`") from None


def read_capped(path: str, limit: int, what: str) -> str:
    """All of a small input at `path` ('-': standard input) as text (undecodable bytes kept as
    surrogates); an InputError when it is unreadable or over `limit` bytes, which is no `what`."""
    import sys

    from gotcha_kb.kb.names import InputError

    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as f:
                data = f.read(limit + 1)
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None
    if len(data) > limit:
        raise InputError(f"{path} is larger than {limit // 2**20} MiB; that is not {what}")
    return data.decode("utf-8", "surrogateescape")
