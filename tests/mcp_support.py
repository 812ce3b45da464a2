"""Shared by the MCP tests and the load benchmark: spawn the server, ask the CLI for the same answer."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent

# A mixed paste: a disk error plus the `df -i` that proves it is inodes (U7), with platform noise.
DISK_TEXT = (
    "OSError: [Errno 28] No space left on device: '/root/autodl-tmp/ckpt/step_1200.pt'\n"
    "$ df -h /root/autodl-tmp\n"
    "Filesystem      Size  Used Avail Use% Mounted on\n"
    "/dev/vdb        200G   68G  133G  34% /root/autodl-tmp\n"
    "$ df -i /root/autodl-tmp\n"
    "Filesystem       Inodes   IUsed IFree IUse% Mounted on\n"
    "/dev/vdb        6553600 6553600     0  100% /root/autodl-tmp\n"
)


def child_env(tmp_cache: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """What a spawned server needs: the repo importable and a cache that is not the user's."""
    env = {"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    # The SDK hands a stdio server only a few safe variables: without this it would use ~/.cache.
    cache = tmp_cache if tmp_cache is not None else os.environ.get("XDG_CACHE_HOME")
    if cache:
        env["XDG_CACHE_HOME"] = str(cache)
    return env


def stdio_params(*args: str, env: dict[str, str] | None = None) -> Any:
    from mcp import StdioServerParameters

    return StdioServerParameters(command=sys.executable, args=["-m", "gotcha_kb.mcp_server", *args], cwd=str(ROOT), env=env or child_env())


def cli_json(*argv: str) -> tuple[int, Any]:
    """`gotcha --json ARGV`, run in this process (the console script's own process is tested in test_cli.py)."""
    import contextlib
    import io

    from gotcha_kb.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["--json", *argv])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 2
    text = out.getvalue()
    return code, json.loads(text) if text.strip() else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def http_server(*extra: str, env: dict[str, str] | None = None, timeout: float = 60.0) -> Iterator[str]:
    """`python -m gotcha_kb.mcp_server --http 127.0.0.1:PORT` until /health answers; yields the /mcp URL; always stopped."""
    with http_server_process(*extra, env=env, timeout=timeout) as (url, _):
        yield url


@contextlib.contextmanager
def http_server_process(
    *extra: str, env: dict[str, str] | None = None, timeout: float = 60.0
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """As http_server, and the process too (the load test reads its CPU time)."""
    port = free_port()
    # stderr to a file, not a pipe: nobody drains a pipe while tests run, and a full one blocks the server.
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gotcha_kb.mcp_server", "--http", f"127.0.0.1:{port}", "--log-level", "warning", *extra],
        cwd=ROOT, env={**os.environ, **(env or child_env())}, stdout=subprocess.DEVNULL, stderr=log, text=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"server exited with {proc.returncode}: {log.read()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer /health in time")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp", proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
