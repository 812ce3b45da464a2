"""The MCP server over streamable HTTP: `python -m gotcha_kb.mcp_server --http 127.0.0.1:PORT`, the SDK's client."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import anyio
import pytest
from mcp import Client

from mcp_support import DISK_TEXT

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def url(http_url):
    return http_url


async def test_list_and_call_over_http(url):
    async with Client(url) as c:
        names = {t.name for t in (await c.list_tools()).tools}
        assert {"diagnose_symptom", "lookup_gotcha", "get_gotcha", "list_gotchas", "get_profile", "probe_script"} <= names
        # verify_deploy reads the server's disk and uses its ssh keys: never offered to the network.
        assert not names & {"verify_deploy", "verify_deploy_command"}
        r = await c.call_tool("diagnose_symptom", {"text": DISK_TEXT})
        assert not r.is_error
        assert r.structured_content["matches"][0]["id"] == "U7"
        r = await c.call_tool("lookup_gotcha", {"query": "inode"})
        assert r.structured_content["matches"][0]["id"] == "U7"
        res = await c.read_resource("gotcha://U7")
        assert res.contents[0].text.startswith("### U7")
        p = await c.get_prompt("triage", {"symptom": "CUDA out of memory"})
        assert "diagnose_symptom" in p.messages[0].content.text


async def test_handshake_era_client_works_statelessly(url):
    # Stateless: no session id to lose, so any worker or replica can take any request.
    async with Client(url, mode="legacy") as c:
        r = await c.call_tool("lookup_gotcha", {"query": "AD4"})
        assert not r.is_error and r.structured_content["matches"][0]["id"] == "AD4"


async def test_oversized_text_reaches_the_tool_and_names_the_limit(url):
    # 3 MiB of text fits the HTTP body cap, so the agent gets the tool's message rather than a bare 413.
    async with Client(url) as c:
        r = await c.call_tool("diagnose_symptom", {"text": "y" * (3 * 2**20)})
        assert r.is_error
        assert "2.0 MiB" in r.content[0].text


async def test_text_at_the_limit_is_accepted(url):
    line = "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB\n"
    text = (line * (2 * 2**20 // len(line)))[: 2 * 2**20]
    async with Client(url) as c:
        r = await c.call_tool("diagnose_symptom", {"text": text, "limit": 1})
        assert not r.is_error, r.content[0].text


async def test_errors_then_keeps_serving(url):
    async with Client(url) as c:
        for args in ({"text": "  "}, {"text": {"nested": 1}}, {"text": "x", "limit": -1}):
            r = await c.call_tool("diagnose_symptom", args)
            assert r.is_error and "Traceback" not in r.content[0].text
        r = await c.call_tool("lookup_gotcha", {"query": "U99"})
        assert r.is_error and "U9" in r.content[0].text
        r = await c.call_tool("lookup_gotcha", {"query": "oom"})
        assert not r.is_error


async def test_concurrent_clients(url):
    results: list[bool] = []

    async def one(i: int) -> None:
        async with Client(url) as c:
            r = await c.call_tool("lookup_gotcha" if i % 2 else "diagnose_symptom", {"query": "inode"} if i % 2 else {"text": DISK_TEXT})
            results.append(not r.is_error)

    async with anyio.create_task_group() as tg:
        for i in range(10):
            tg.start_soon(one, i)
    assert results == [True] * 10


def test_health_endpoint(url):
    with urllib.request.urlopen(url.replace("/mcp", "/health"), timeout=5) as r:
        assert r.status == 200 and json.load(r) == {"status": "ok"}


def test_foreign_host_header_is_refused(url):
    # Bound to loopback, the server keeps the SDK's DNS-rebinding protection on.
    req = urllib.request.Request(
        url, method="POST", data=b"{}",
        headers={"Host": "evil.example:80", "Content-Type": "application/json", "Accept": "application/json, text/event-stream"},
    )
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=5)
    assert e.value.code == 421
