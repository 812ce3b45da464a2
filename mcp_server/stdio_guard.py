"""stdio that answers malformed lines with JSON-RPC errors instead of silence.

The SDK's stdio transport drops a line it cannot parse (binary, `[1,2]`, `not json`) and reads
`{"id": null, "method": ...}` as a notification, so a confused client waits forever. Here each
line is checked first: invalid JSON gets -32700 (parse error), JSON that is not a request,
notification or response gets -32600 (invalid request), both with `"id": null` unless the id
could be read; good lines go on to the SDK unchanged. The SDK still owns stdout (its writer
serializes our errors with its own messages) and the server keeps running.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import mcp_types as types
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage

MAX_ID_CHARS = 200


def classify(line: str) -> types.JSONRPCError | None:
    """The error to answer `line` with, or None when the SDK should have it."""
    if not line.strip():
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return _error(None, types.PARSE_ERROR, "Parse error: the line is not JSON")
    if not isinstance(data, dict):
        kind = "a batch (array)" if isinstance(data, list) else type(data).__name__
        return _error(None, types.INVALID_REQUEST, f"Invalid Request: got {kind}; send one JSON-RPC object per line")
    rid = data.get("id")
    usable = isinstance(rid, str) and len(rid) <= MAX_ID_CHARS or isinstance(rid, int) and not isinstance(rid, bool)
    if "id" in data and not usable:
        return _error(None, types.INVALID_REQUEST, "Invalid Request: id must be a string or an integer, not null")
    try:
        types.jsonrpc_message_adapter.validate_python(data, by_name=False)
    except ValueError:
        return _error(rid if usable else None, types.INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 request, notification or response")
    return None


def _error(rid: Any, code: int, message: str) -> types.JSONRPCError:
    return types.JSONRPCError(jsonrpc="2.0", id=rid, error=types.ErrorData(code=code, message=message))


class _Lines:
    """The real stdin as an async line iterator, answering bad lines through `reply`."""

    def __init__(self, wire: Any):
        self._wire = anyio.wrap_file(wire)
        self.reply: Any = None  # the SDK's write stream, set once the transport is up
        self.ready = anyio.Event()

    def __aiter__(self) -> AsyncIterator[str]:
        return self._lines()

    async def _lines(self) -> AsyncIterator[str]:
        async for line in self._wire:
            err = classify(line)
            if err is None:
                yield line
                continue
            await self.ready.wait()
            try:
                await self.reply.send(SessionMessage(err))
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                return


@asynccontextmanager
async def guarded_stdio_server() -> AsyncIterator[tuple[Any, Any]]:
    """Like mcp.server.stdio.stdio_server, with malformed lines answered.

    fd 0 is moved to a private descriptor and /dev/null put in its place, as the SDK does, so a
    child process can never read the protocol stream.
    """
    import io

    wire_fd = os.dup(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    wire = io.TextIOWrapper(os.fdopen(wire_fd, "rb", closefd=False), encoding="utf-8", errors="replace")
    lines = _Lines(wire)
    try:
        async with stdio_server(stdin=lines) as (read_stream, write_stream):  # type: ignore[arg-type]
            lines.reply = write_stream
            lines.ready.set()
            yield read_stream, write_stream
    finally:
        os.dup2(wire_fd, 0)
        os.close(wire_fd)


def run(server: Any) -> None:
    """Serve an MCPServer over guarded stdio until stdin closes."""

    async def main() -> None:
        low = server._lowlevel_server  # the SDK's own run_stdio_async does exactly this
        async with guarded_stdio_server() as (read_stream, write_stream):
            await low.run(read_stream, write_stream, low.create_initialization_options())

    anyio.run(main)
    sys.stdout.flush()
