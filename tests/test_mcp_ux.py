"""What an agent receives: compact diagnose answers, no paths of the server's install, plain
argument errors, limits in the schemas, listed resources, a triage prompt naming the right tools."""

from __future__ import annotations

import json

import pytest
from mcp import Client

from mcp_support import DISK_TEXT, ROOT

pytestmark = pytest.mark.anyio

TYPICAL = [
    DISK_TEXT,
    "[ 9.1] Out of memory: Killed process 4242 (python)",
    "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.69 GiB total capacity)",
    "client_loop: send disconnect: Broken pipe\nmy training died when my laptop went to sleep, I started it "
    "with python train.py in the ssh session",
    "$ bash run.sh\nrun.sh: line 2: $'\\r': command not found",
]


def wire_size(r) -> int:
    text = sum(len(c.text.encode()) for c in r.content)
    return text + len(json.dumps(r.structured_content, separators=(",", ":"), ensure_ascii=False).encode())


@pytest.mark.parametrize("text", TYPICAL)
async def test_a_typical_diagnose_answer_is_at_most_4kb(client, text):
    r = await client.call_tool("diagnose_symptom", {"text": text})
    assert not r.is_error
    assert wire_size(r) <= 4096, wire_size(r)
    summary = r.content[0].text
    assert len(summary) < 800 and not summary.lstrip().startswith("{")  # not a JSON dump
    top = r.structured_content["matches"][0]
    assert top["fix"] and summary.startswith(top["id"])
    assert not any(c in top["fix"] for c in top["commands"])  # each command once, inside the fix


async def test_faint_candidates_only_when_asked(client):
    text = TYPICAL[1]
    r = await client.call_tool("diagnose_symptom", {"text": text})
    confs = [m["confidence"] for m in r.structured_content["matches"]]
    assert all(c >= 0.05 for c in confs[1:])
    r = await client.call_tool("diagnose_symptom", {"text": text, "include_faint": True})
    assert any(m["confidence"] < 0.05 for m in r.structured_content["matches"][1:])


async def _all_responses(c, with_resources: bool = True) -> list[str]:
    out = []
    for tool, args in [("diagnose_symptom", {"text": DISK_TEXT}), ("diagnose_symptom", {"text": TYPICAL[1], "include_faint": True}),
                       ("get_gotcha", {"id": "U7", "platform": "autodl"}), ("lookup_gotcha", {"query": "inode"}),
                       ("list_gotchas", {}), ("get_profile", {"platform": "autodl"}), ("get_profile", {"platform": "runpod"})]:
        r = await c.call_tool(tool, args)
        assert not r.is_error, (tool, r.content[0].text)
        out.append(json.dumps(r.structured_content, ensure_ascii=False))
        out.extend(x.text for x in r.content)
    if with_resources:
        out.append(json.dumps([x.model_dump(mode="json") for x in (await c.list_resources()).resources]))
        for uri in ("gotcha://U7", "gotcha://AD4"):
            out.extend(x.text for x in (await c.read_resource(uri)).contents)
    return out


def _no_absolute_paths(responses: list[str]) -> None:
    for text in responses:
        # The checkout's path, or an installed wheel's copy of the catalog (site-packages/kb/data/...).
        at = max(text.find(str(ROOT)), text.find("/kb/data/"), text.find("site-packages/"))
        assert at < 0, text[max(0, at - 200):at + 80]


async def test_no_absolute_path_in_tool_answers(client):
    responses = await _all_responses(client)
    _no_absolute_paths(responses)
    diag = json.loads(responses[0])
    assert diag["matches"][0]["source"] == "gotchas/02-disk-storage.md:61" or diag["matches"][0]["source"].startswith("gotchas/")


async def test_no_absolute_path_over_http(http_url):
    async with Client(http_url) as c:
        _no_absolute_paths(await _all_responses(c, with_resources=True))


@pytest.mark.parametrize("args, words", [
    ({"text": 12345}, ["'text'", "string"]),
    ({"text": "Killed", "limit": "three"}, ["'limit'", "integer"]),
    ({"text": "Killed", "limit": 0}, ["'limit'", "greater than or equal to 1"]),
    ({}, ["'text'", "required"]),
])
async def test_wrong_argument_types_are_one_plain_sentence(client, args, words):
    r = await client.call_tool("diagnose_symptom", args)
    assert r.is_error
    msg = r.content[0].text
    assert "pydantic" not in msg and "\n" not in msg and "validation error" not in msg, msg
    for w in words:
        assert w in msg, msg


async def test_unknown_arguments_are_named(client):
    r = await client.call_tool("diagnose_symptom", {"text": "Killed", "plaform": "autodl"})
    assert r.is_error and "'plaform'" in r.content[0].text and "platform" in r.content[0].text
    r = await client.call_tool("lookup_gotcha", {"query": "oom", "max": 3})
    assert r.is_error and "'max'" in r.content[0].text


async def test_limits_are_in_the_input_schemas(client):
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert tools["diagnose_symptom"].input_schema["properties"]["text"]["maxLength"] == 2 * 2**20
    assert tools["lookup_gotcha"].input_schema["properties"]["query"]["maxLength"] == 500
    # The byte limit is still explained in words when it is passed.
    r = await client.call_tool("diagnose_symptom", {"text": "x" * (2 * 2**20 + 1)})
    assert r.is_error and "MiB" in r.content[0].text


async def test_resources_list_profiles_and_entries(client):
    uris = {str(r.uri) for r in (await client.list_resources()).resources}
    assert {"profile://autodl", "profile://runpod", "gotcha://U7", "gotcha://AD4", "gotcha://U43"} <= uris
    text = (await client.read_resource("gotcha://U7")).contents[0].text
    assert text.startswith("### U7") and "source: gotchas/02-disk-storage.md" in text


async def test_triage_prompt_names_get_gotcha_for_the_full_entry(client):
    p = await client.get_prompt("triage", {"symptom": "Killed"})
    text = p.messages[0].content.text
    assert "`get_gotcha`" in text
    step = next(ln for ln in text.splitlines() if "full entry" in ln)
    assert "get_gotcha" in step and "lookup_gotcha` with the id" not in text


async def test_verify_deploy_takes_exclude(client, tmp_path):
    import subprocess

    local, box = tmp_path / "proj", tmp_path / "box"
    local.mkdir()
    box.mkdir()
    (local / "train.py").write_text("x = 1\n")
    (box / "train.py").write_text("x = 1\n")
    (local / "scratch.log").write_text("local only\n")
    cmd = (await client.call_tool("verify_deploy_command", {"remote_dir": str(box)})).structured_content["command"]
    listing = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, check=True).stdout
    args = {"local_dir": str(local), "listing": listing, "use_git": False}
    r = await client.call_tool("verify_deploy", args)
    assert r.structured_content["verdict"] == "PARTIAL"
    r = await client.call_tool("verify_deploy", {**args, "exclude": ["*.log"]})
    assert r.structured_content["verdict"] == "DEPLOYED"


def test_the_summary_asks_to_tell_apart_only_when_there_is_more_than_one():
    from gotcha_kb.engine.models import Diagnosis, Match, NextCheck
    from gotcha_kb.mcp_server.compact import summary

    def match(i: str) -> Match:
        return Match(id=i, title="t", theme="x", platform=None, confidence=0.9, score=1.0, evidence=[], fix="", commands=[], source="s")

    check = [NextCheck(run="uptime", shows="minutes since boot", separates=["U3"])]
    one = Diagnosis(matches=[match("U3")], next_checks=check, abstained=False, reason="r", shortlist_confidence=0.9)
    two = one.model_copy(update={"matches": [match("U3"), match("U9")]})
    assert "To confirm, run: uptime" in summary(one) and "tell them apart" not in summary(one)
    assert "To tell them apart, run: uptime" in summary(two)
