"""An outside client nobody here wrote: the MCP Inspector CLI from npm, against our stdio and HTTP servers.

Skips cleanly when npx is missing or the package cannot be fetched (offline CI); .ci/run installs node/npm.
Slow (a node process per call), so marked `inspector`: the default run leaves it out, .ci/run runs it
with `pytest -m inspector`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from mcp_support import DISK_TEXT, ROOT, child_env, http_server

pytestmark = pytest.mark.inspector

INSPECTOR = os.environ.get("GOTCHA_INSPECTOR_PKG", "@modelcontextprotocol/inspector@2.12.0")
TIMEOUT = 300  # the first run downloads the package (seconds on a warm cache, minutes on a cold one)
# npm's ways of saying "could not get the package": no network, no registry, no such version.
FETCH_FAILURES = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT", "E404", "ERR_SOCKET", "network", "npm ERR!", "npm error")


def inspector(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cmd = ["npx", "-y", INSPECTOR, "--cli", *args]
    return subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=TIMEOUT)


def stdio_target(env: dict[str, str]) -> list[str]:
    # The Inspector passes no variables of ours to the server it spawns: -e forwards them.
    flags = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
    return [*flags, sys.executable, "-m", "gotcha_kb.mcp_server"]


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    return child_env(tmp_path_factory.mktemp("mcp-inspector-cache"))


@pytest.fixture(scope="module")
def tools_list(env) -> dict:
    """The first run: also decides whether the Inspector is usable here at all."""
    if shutil.which("npx") is None:
        pytest.skip("npx is not installed (apt-get install nodejs npm)")
    try:
        proc = inspector(*stdio_target(env), "--method", "tools/list", "--format", "json", "-q", env=env)
    except subprocess.TimeoutExpired:
        pytest.skip(f"fetching {INSPECTOR} took over {TIMEOUT}s")
    if proc.returncode != 0 and not proc.stdout.strip():
        if any(s in proc.stderr for s in FETCH_FAILURES) and "tools" not in proc.stderr:
            lines = [ln for ln in proc.stderr.splitlines() if any(s in ln for s in FETCH_FAILURES) and "complete log" not in ln]
            pytest.skip(f"cannot fetch {INSPECTOR}: {' / '.join(lines[:2])}")
        pytest.fail(f"Inspector failed ({proc.returncode}): {proc.stderr[-2000:]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)["result"]


def test_inspector_lists_our_tools(tools_list):
    tools = {t["name"]: t for t in tools_list["tools"]}
    assert {"diagnose_symptom", "lookup_gotcha", "get_gotcha", "list_gotchas", "get_profile", "probe_script"} <= set(tools)
    diag = tools["diagnose_symptom"]
    assert diag["annotations"]["readOnlyHint"] is True
    assert "outputSchema" in diag and "text" in diag["inputSchema"]["properties"]


def test_inspector_calls_diagnose(tools_list, env):
    proc = inspector(*stdio_target(env), "--method", "tools/call", "--tool-name", "diagnose_symptom",
                     "--tool-arg", f"text={DISK_TEXT}", "--format", "json", "-q", env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)["result"]
    assert result.get("isError") is not True
    assert result["structuredContent"]["matches"][0]["id"] == "U7"


def test_inspector_sees_an_empty_text_as_a_tool_error(tools_list, env):
    proc = inspector(*stdio_target(env), "--method", "tools/call", "--tool-name", "diagnose_symptom",
                     "--tool-arg", "text=   ", "--format", "json", "-q", env=env)
    assert proc.returncode == 5, (proc.returncode, proc.stderr[-2000:])  # 5: the tool answered isError
    assert "tool_is_error" in proc.stderr


def test_inspector_over_http_reads_a_resource(tools_list, env):
    with http_server(env=env) as url:
        proc = inspector(url, "--method", "resources/read", "--uri", "gotcha://U7", "--format", "json", "-q", env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    contents = json.loads(proc.stdout)["result"]["contents"]
    assert contents[0]["mimeType"] == "text/markdown" and contents[0]["text"].startswith("### U7")
