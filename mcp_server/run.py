"""Transports: stdio (default) and stateless streamable HTTP, with logging on stderr only."""

from __future__ import annotations

import logging
import sys
from typing import Any

log = logging.getLogger("gotcha.mcp")

# HTTP bodies must carry the largest text a tool accepts (ops.MAX_TEXT_BYTES, 2 MiB) after JSON
# escaping, which can grow text up to 6x (\u00XX). Bigger bodies get a 413 before any tool sees them.
MAX_REQUEST_BODY = 16 * 1024 * 1024


def setup_logging(level: str = "info") -> None:
    """stderr only: on stdio, stdout is the protocol. Called before MCPServer() so its basicConfig is a no-op."""
    logging.basicConfig(stream=sys.stderr, level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def parse_hostport(value: str) -> tuple[str, int]:
    """HOST:PORT, [v6]:PORT, :PORT or PORT (host 127.0.0.1)."""
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = "", value
    host = host.strip("[]") or "127.0.0.1"
    try:
        num = int(port)
    except ValueError:
        raise ValueError(f"expected HOST:PORT, got {value!r}") from None
    if not 0 <= num <= 65535:
        raise ValueError(f"port out of range in {value!r}")
    return host, num


def http_app(host: str = "127.0.0.1") -> Any:
    """The Starlette app: /mcp (stateless, JSON responses) and GET /health for load balancers.

    Stateless: no session lives in a process, so any worker or replica can answer any request.
    verify_deploy is left out: it reads local files and uses local ssh keys, which over a network
    would be ours, not the caller's.
    `host` decides DNS-rebinding protection: on for loopback binds, off for 0.0.0.0 (put a proxy in front).
    """
    from starlette.requests import Request
    from starlette.responses import JSONResponse

    from gotcha_kb.mcp_server.server import build_server

    mcp = build_server(local_tools=False)  # the caller's files are not on our disk

    @mcp.custom_route("/health", methods=["GET"], include_in_schema=False)
    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return mcp.streamable_http_app(
        stateless_http=True,
        json_response=True,
        max_request_body_size=MAX_REQUEST_BODY,
        host=host,
    )


def serve_stdio() -> None:
    from gotcha_kb.mcp_server import stdio_guard
    from gotcha_kb.mcp_server.server import build_server
    from gotcha_kb.mcp_server.state import warm_up

    mcp = build_server()
    warm_up()  # in the background: the handshake does not wait for the 2 s engine build
    stdio_guard.run(mcp)  # mcp.run("stdio"), but malformed lines get JSON-RPC errors


def serve_http(host: str, port: int) -> None:
    import uvicorn

    from gotcha_kb.mcp_server.state import warm_up

    app = http_app(host)
    warm_up()
    log.info("serving MCP over streamable HTTP at http://%s:%d/mcp (stateless)", host if ":" not in host else f"[{host}]", port)
    # log_config=None: uvicorn keeps our stderr logging; access lines would be one per tool call.
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
