"""Server CPU per diagnose call over HTTP: the MCP server against a bare Starlette endpoint.

Both serve the same call (mcp_server.ops.diagnose on the same KB, answer as JSON) from one
process on loopback; one client makes the same sequence of calls to each, after a warm-up. The
figure is the server process's user+system CPU (from /proc) divided by the calls, so client cost
and machine noise from other processes stay out. Goal (issue 15): MCP <= 1.3x the bare endpoint.
Run: python bench/bench_http_cpu.py [--calls 100] [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from bench_mcp_load import cpu_seconds, diagnosis_text  # noqa: E402


def serve_bare(port: int) -> None:
    """The same diagnose call behind a plain Starlette route: the baseline."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from gotcha_kb.mcp_server import ops
    from gotcha_kb.mcp_server.state import get_kb

    async def diagnose(request: Request) -> JSONResponse:
        body = await request.json()
        d = ops.diagnose(get_kb(), body["text"], None, 3)
        return JSONResponse(d.model_dump(mode="json"))

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    get_kb()
    app = Starlette(routes=[Route("/diagnose", diagnose, methods=["POST"]), Route("/health", health)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def bare_calls(port: int, calls: int) -> None:
    for i in range(calls):
        data = json.dumps({"text": diagnosis_text(i)}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/diagnose", data=data, headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            json.loads(r.read())


async def mcp_calls(url: str, calls: int) -> None:
    from mcp import Client

    async with Client(url) as c:
        for i in range(calls):
            r = await c.call_tool("diagnose_symptom", {"text": diagnosis_text(i)})
            assert not r.is_error


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=100, help="calls per round and server")
    ap.add_argument("--rounds", type=int, default=7, help="rounds, alternating the two servers")
    ap.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare)
        return
    import statistics

    import anyio

    from mcp_support import child_env, free_port, http_server_process

    env = {**os.environ, **child_env()}
    port = free_port()
    bare = subprocess.Popen([sys.executable, __file__, "--serve-bare", str(port)], env=env, stderr=subprocess.DEVNULL)
    try:
        with http_server_process(env=child_env()) as (url, proc):
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            bare_calls(port, 20)
            anyio.run(mcp_calls, url, 20)
            bare_ms, mcp_ms = [], []
            # Alternating rounds, so that noise from other processes hits both servers alike.
            for _ in range(args.rounds):
                c0 = cpu_seconds(bare.pid)
                bare_calls(port, args.calls)
                bare_ms.append((cpu_seconds(bare.pid) - c0) / args.calls * 1000)
                c0 = cpu_seconds(proc.pid)
                anyio.run(mcp_calls, url, args.calls)
                mcp_ms.append((cpu_seconds(proc.pid) - c0) / args.calls * 1000)
    finally:
        bare.terminate()
        bare.wait()
    ratios = [m / b for m, b in zip(mcp_ms, bare_ms)]
    print(f"bare Starlette endpoint  median {statistics.median(bare_ms):5.2f} ms CPU per diagnose call ({args.rounds} rounds of {args.calls})")
    print(f"MCP server (HTTP)        median {statistics.median(mcp_ms):5.2f} ms CPU per diagnose call")
    print(f"ratio, per round         median {statistics.median(ratios):5.2f}x (min {min(ratios):.2f}, max {max(ratios):.2f})   goal <= 1.3x")


if __name__ == "__main__":
    main()
