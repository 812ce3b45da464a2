"""serve: run the MCP server (stdio by default, or streamable HTTP) for coding agents."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[shared], help="run the MCP server for coding agents (stdio, or --http HOST:PORT)",
                       description="Serve lookup, diagnose and the catalog over MCP: stdio by default, "
                       "streamable HTTP (stateless) at http://HOST:PORT/mcp with --http.")
    # The MCP SDK is imported only when serving: `gotcha lookup` never pays for it.
    from gotcha_kb.mcp_server.__main__ import add_arguments

    add_arguments(p)
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from gotcha_kb.mcp_server.__main__ import run

    return run(args.http, getattr(args, "catalog", None), args.log_level)
