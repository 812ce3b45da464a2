"""`gotcha-mcp` / `python -m gotcha_kb.mcp_server`: serve the catalog over stdio (default) or streamable HTTP."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gotcha-mcp", description="MCP server for gotcha-kb: stdio by default, or streamable HTTP.")
    add_arguments(p)
    return p


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Shared with `gotcha serve`."""
    p.add_argument("--http", metavar="HOST:PORT", help="serve streamable HTTP (stateless) at http://HOST:PORT/mcp instead of stdio")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"], help="stderr log level (default info)")


def run(http: str | None, catalog: list[str] | None = None, log_level: str = "info") -> int:
    from gotcha_kb.mcp_server import run as transports
    from gotcha_kb.mcp_server.state import configure

    transports.setup_logging(log_level)
    configure(catalog)
    if http is None:
        transports.serve_stdio()
        return 0
    try:
        host, port = transports.parse_hostport(http)
    except ValueError as e:
        sys.stderr.write(f"gotcha-mcp: --http: {e}\n")
        return 2
    transports.serve_http(host, port)
    return 0


def main() -> None:
    p = build_parser()
    p.add_argument("--catalog", action="append", metavar="PATH", help="catalog file or folder (repeatable); replaces the shipped catalog")
    args = p.parse_args()
    try:
        sys.exit(run(args.http, args.catalog, args.log_level))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
