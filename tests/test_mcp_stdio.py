"""The MCP server through the SDK's client: the tools through its in-memory transport (the
`client` fixture, the server in this process), the stdio transport itself through servers spawned
as `python -m gotcha_kb.mcp_server` and `gotcha serve`.

Not calling the functions: every assertion here is about what a coding agent receives from the SDK.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from mcp import Client, MCPError

from mcp_support import DISK_TEXT, ROOT, cli_json, stdio_params

pytestmark = pytest.mark.anyio

TOOLS = {"diagnose_symptom", "lookup_gotcha", "get_gotcha", "list_gotchas", "get_profile", "probe_script",
         "verify_deploy", "verify_deploy_command"}


async def call_ok(client, tool: str, args: dict) -> dict:
    r = await client.call_tool(tool, args)
    assert not r.is_error, r.content[0].text
    if tool == "diagnose_symptom":
        # A short summary for the reader, not a second copy of the structured result.
        assert r.content[0].text.split()[0] in {m["id"] for m in r.structured_content["matches"]} | {"No"}
    else:
        # The same JSON goes out twice: structured, and as text for clients that ignore structure.
        assert json.loads(r.content[0].text) == r.structured_content
    return r.structured_content


def compacted(cli: dict) -> dict:
    """What diagnose_symptom makes of the CLI's --json (engine/brief.py)."""
    from gotcha_kb.engine.brief import ALT_EVIDENCE, FAINT, MAX_EVIDENCE

    out = dict(cli)
    matches = []
    for k, m in enumerate(cli["matches"]):
        if k and m["confidence"] < FAINT:
            continue
        m = dict(m, evidence=m["evidence"][: MAX_EVIDENCE if not k else ALT_EVIDENCE])
        m["source"] = m["source"].split("/")[-2] + "/" + m["source"].split("/")[-1]
        if k:
            m["fix"], m["commands"] = "", []
        else:
            m["commands"] = [c for c in m["commands"] if c not in m["fix"]]
        matches.append(m)
    out["matches"], out["next_checks"] = matches, cli["next_checks"][:3]
    return out


async def call_err(client, tool: str, args: dict) -> str:
    r = await client.call_tool(tool, args)
    assert r.is_error, r.structured_content
    text = r.content[0].text
    assert "Traceback" not in text and 'File "' not in text
    return text


# -- discovery -----------------------------------------------------------------------------------


async def test_tools_are_described_typed_and_read_only(client):
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert TOOLS <= set(tools)
    for name in TOOLS:
        t = tools[name]
        assert t.description and len(t.description) > 60, name
        assert t.output_schema and t.output_schema.get("type") == "object", name
        for pname, prop in t.input_schema.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{pname} has no description"
        a = t.annotations
        assert a.read_only_hint is True and a.idempotent_hint is True and a.destructive_hint is False, name
        # Only verify_deploy reaches outside (ssh to the box); the rest read the catalog.
        assert a.open_world_hint is (name == "verify_deploy"), name
    diag = tools["diagnose_symptom"]
    assert diag.input_schema["required"] == ["text"]
    assert {"matches", "next_checks", "abstained"} <= set(diag.output_schema["properties"])


async def test_both_resource_templates_are_listed(client):
    templates = {t.uri_template: t for t in (await client.list_resource_templates()).resource_templates}
    assert set(templates) >= {"gotcha://{id}", "profile://{name}"}
    assert all(t.mime_type == "text/markdown" for t in templates.values())


# -- tools ---------------------------------------------------------------------------------------


async def test_diagnose_equals_cli_json(client):
    data = await call_ok(client, "diagnose_symptom", {"text": DISK_TEXT, "limit": 3})
    assert data["matches"][0]["id"] == "U7"
    assert data["abstained"] is False
    code, cli = cli_json("diagnose", "--top", "3", DISK_TEXT)
    assert code == 0
    for m in cli["matches"]:
        for ev in m["evidence"]:
            if ev["text"] and len(ev["text"]) > 120:
                ev["text"] = ev["text"][:119] + "…"
    assert data == compacted(cli)


async def test_diagnose_with_platform_equals_cli_json(client):
    text = "wandb: Network error (ConnectTimeout), entering retry loop"
    data = await call_ok(client, "diagnose_symptom", {"text": text, "platform": "autodl"})
    assert data["platform"] == "autodl"
    assert data == compacted(cli_json("diagnose", "--platform", "autodl", text)[1])


@pytest.mark.parametrize(
    "words, platform",
    [(["inode"], None), (["No", "space", "left"], None), (["u7"], None), (["wandb", "timeout"], "AutoDL"), (["exausted"], None)],
)
async def test_lookup_equals_cli_json(client, words, platform):
    args: dict = {"query": " ".join(words), "limit": 5}
    argv = ["lookup", *words, "--limit", "5"]
    if platform:
        args["platform"] = platform
        argv += ["--platform", platform]
    data = await call_ok(client, "lookup_gotcha", args)
    assert data["matches"], data
    cli = cli_json(*argv)[1]
    for a, b in zip(data["matches"], cli["matches"]):  # a catalog-relative source over MCP
        assert b["source"].endswith("/" + a.pop("source")) and b.pop("source")
    assert data == cli


async def test_lookup_by_id_is_best_first(client):
    data = await call_ok(client, "lookup_gotcha", {"query": "AD4"})
    assert data["matches"][0]["id"] == "AD4"


async def test_get_gotcha_has_the_fix_and_platform_values(client):
    data = await call_ok(client, "get_gotcha", {"id": "u7", "platform": "autodl"})
    assert data["id"] == "U7" and data["fix"] and data["root_cause"]
    cli = cli_json("show", "U7", "--platform", "autodl")[1]
    assert data["source"]["path"] == "gotchas/02-disk-storage.md" and cli["source"]["path"].endswith("/gotchas/02-disk-storage.md")
    data.pop("source"), cli.pop("source")  # relative to the catalog over MCP, a local path in the CLI
    assert data == cli


async def test_list_gotchas_equals_cli_json(client):
    data = await call_ok(client, "list_gotchas", {"theme": "disk", "platform": "runpod"})
    assert data == cli_json("list", "--theme", "disk", "--platform", "runpod")[1]
    everything = await call_ok(client, "list_gotchas", {})
    ids = [e["id"] for e in everything["entries"]]
    assert "U1" in ids and "U43" in ids and "AD1" in ids


async def test_get_profile_whole_and_fields(client):
    whole = await call_ok(client, "get_profile", {"platform": "autodl"})
    cli = cli_json("profile", "autodl")[1]
    assert whole["facts"] == cli["facts"]
    assert [s["title"] for s in whole["sections"]] == [s["title"] for s in cli["sections"]]
    assert [g["id"] for g in whole["gotchas"]] == [g["id"] for g in cli["gotchas"]]
    some = await call_ok(client, "get_profile", {"platform": "AutoDL", "fields": ["durable_path", "meter_stop_verb"]})
    assert some["facts"] == {"durable_path": cli["facts"]["durable_path"], "meter_stop_verb": cli["facts"]["meter_stop_verb"]}
    assert some["sections"] == []
    msg = await call_err(client, "get_profile", {"platform": "autodl", "fields": ["nope"]})
    assert "unknown field" in msg and "durable_path" in msg


async def test_probe_script_equals_cli(client):
    data = await call_ok(client, "probe_script", {})
    assert data["script"] == cli_json("probe")[1]["script"]
    assert data["script"].startswith("#!/bin/sh") and "gotcha-probe" in data["script"]
    assert "diagnose_symptom" in data["usage"]


# -- resources and prompt ------------------------------------------------------------------------


async def test_gotcha_resource_is_markdown(client):
    r = await client.read_resource("gotcha://U7")
    c = r.contents[0]
    assert c.mime_type == "text/markdown"
    assert c.text.startswith("### U7 — ") and "**Fix**" in c.text and "**Symptom**" in c.text
    lower = await client.read_resource("gotcha://ad4")  # ids are case-insensitive, as in the CLI
    assert lower.contents[0].text.startswith("### AD4 — ")


async def test_profile_resource_is_the_profile_markdown(client):
    r = await client.read_resource("profile://runpod")
    c = r.contents[0]
    assert c.mime_type == "text/markdown"
    assert c.text == (ROOT / "profiles" / "runpod.md").read_text(encoding="utf-8")


async def test_unknown_resources_are_not_found_with_suggestions(client):
    with pytest.raises(MCPError) as e:
        await client.read_resource("gotcha://U99")
    assert "U9" in str(e.value)
    with pytest.raises(MCPError) as e:
        await client.read_resource("profile://nowhere")
    assert "autodl" in str(e.value)


async def test_triage_prompt(client):
    prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert "triage" in prompts
    r = await client.get_prompt("triage", {"symptom": "Killed", "platform": "autodl"})
    text = r.messages[0].content.text
    for step in ("probe_script", "diagnose_symptom", "next_checks", "Killed", 'platform="autodl"'):
        assert step in text
    bare = await client.get_prompt("triage", {})
    assert "diagnose_symptom" in bare.messages[0].content.text


# -- errors an agent can act on ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t  "])
async def test_empty_text_is_an_error(client, text):
    assert "empty" in await call_err(client, "diagnose_symptom", {"text": text})


async def test_unknown_id_is_an_error_with_suggestions(client):
    msg = await call_err(client, "lookup_gotcha", {"query": "U99"})
    assert "U99" in msg and "did you mean" in msg and "U9" in msg
    msg = await call_err(client, "get_gotcha", {"id": "AD99"})
    assert "AD99" in msg and "AD9" in msg


async def test_keyword_that_looks_like_an_id_is_not_an_error(client):
    # fp16 and h100 have the shape of an id but no catalog prefix: they are keywords.
    await call_ok(client, "lookup_gotcha", {"query": "fp16"})


async def test_oversized_text_names_the_limit(client):
    msg = await call_err(client, "diagnose_symptom", {"text": "x" * (2 * 2**20 + 1)})
    assert "2.0 MiB" in msg and "2097152" in msg
    msg = await call_err(client, "lookup_gotcha", {"query": "oom " * 200})
    assert "500" in msg and "diagnose" in msg


async def test_unknown_platform_lists_the_known_ones(client):
    for tool, args in [("diagnose_symptom", {"text": "Killed"}), ("lookup_gotcha", {"query": "oom"}), ("list_gotchas", {})]:
        msg = await call_err(client, tool, {**args, "platform": "mars"})
        assert "mars" in msg and "runpod" in msg, tool


@pytest.mark.parametrize(
    "tool, args",
    [
        ("diagnose_symptom", {"text": 12345}),
        ("diagnose_symptom", {"text": "Killed", "limit": "three"}),
        ("diagnose_symptom", {"text": "Killed", "limit": 0}),
        ("diagnose_symptom", {}),
        ("lookup_gotcha", {"query": ["inode"]}),
        ("get_profile", {"platform": "autodl", "fields": "durable_path,x"}),
    ],
)
async def test_malformed_arguments_are_errors_and_the_server_keeps_serving(client, tool, args):
    await call_err(client, tool, args)
    data = await call_ok(client, "lookup_gotcha", {"query": "inode", "limit": 1})
    assert data["matches"][0]["id"] == "U7"


async def test_unknown_tool_is_an_error(client):
    r = await client.call_tool("no_such_tool", {})
    assert r.is_error


# -- entry points --------------------------------------------------------------------------------


async def test_gotcha_serve_speaks_mcp_over_stdio(env):
    from mcp import StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=["-m", "gotcha_kb.cli", "serve"], cwd=str(ROOT), env=env)
    async with Client(params) as c:
        r = await c.call_tool("lookup_gotcha", {"query": "U7"})
        assert not r.is_error and r.structured_content["matches"][0]["id"] == "U7"


async def test_legacy_handshake_clients_work(env):
    async with Client(stdio_params(env=env), mode="legacy") as c:
        r = await c.call_tool("diagnose_symptom", {"text": DISK_TEXT})
        assert not r.is_error and r.structured_content["matches"][0]["id"] == "U7"


def test_lookup_cli_never_imports_the_mcp_sdk(env):
    code = (
        "import sys, io, contextlib\n"
        "from gotcha_kb.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['lookup', 'inode'])\n"
        "sys.exit(1 if any(m == 'mcp' or m.startswith('mcp.') for m in sys.modules) else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env}, timeout=60)
    assert proc.returncode == 0, "gotcha lookup imported the MCP SDK"


# -- verify_deploy (stdio only: it reads this machine's files) -----------------------------------


@pytest.fixture()
def project(tmp_path):
    local, box = tmp_path / "proj", tmp_path / "box"
    local.mkdir()
    (local / "train.py").write_text("def warmup_schedule():\n    return 1\n")
    (local / "cfg.yaml").write_text("lr: 0.1\n")
    box.mkdir()
    for f in local.iterdir():
        (box / f.name).write_bytes(f.read_bytes())
    return local, box


async def box_listing(client, local, box, symbols: list[str]) -> str:
    cmd = await call_ok(client, "verify_deploy_command", {"remote_dir": str(box), "local_dir": str(local), "symbols": symbols})
    # The "box" is a local directory: run the command as the box's shell would.
    return subprocess.run(["sh", "-c", cmd["command"]], capture_output=True, text=True, timeout=60, check=True).stdout


async def test_verify_deploy_with_a_pasted_listing(client, project, tmp_path):
    local, box = project
    symbols = ["train.py:def warmup_schedule"]
    listing = await box_listing(client, local, box, symbols)
    args = {"local_dir": str(local), "listing": listing, "symbols": symbols, "use_git": False}
    report = await call_ok(client, "verify_deploy", args)
    assert report["verdict"] == "DEPLOYED" and report["symbols"][0]["found_on_box"] is True

    (box / "train.py").write_text("def old():\n    return 0\n")  # the box runs other code
    (box / "cfg.yaml").unlink()
    listing = await box_listing(client, local, box, [])
    report = await call_ok(client, "verify_deploy", {**args, "listing": listing, "symbols": []})
    assert report["verdict"] == "STALE"
    assert {f["path"]: f["status"] for f in report["files"]} == {"train.py": "differs", "cfg.yaml": "missing"}

    (tmp_path / "box.txt").write_text(listing)
    code, cli = cli_json("verify-deploy", str(local), "--listing", str(tmp_path / "box.txt"), "--no-git")
    assert code == 1
    for key in ("source", "summary"):  # where the listing came from: a file for the CLI, pasted here
        cli.pop(key), report.pop(key)
    assert report == cli


async def test_verify_deploy_over_ssh_that_fails_is_unverifiable(client, project):
    local, _ = project
    report = await call_ok(client, "verify_deploy", {"local_dir": str(local), "ssh": "127.0.0.1:/tmp/box", "port": 1, "timeout": 20, "use_git": False})
    assert report["verdict"] == "UNVERIFIABLE"


@pytest.mark.parametrize(
    "args, words",
    [
        ({}, ["listing", "ssh"]),
        ({"listing": "x", "ssh": "h:/d"}, ["exactly one"]),
        ({"listing": "   "}, ["empty"]),
        ({"ssh": "-oProxyCommand=touch /tmp/pwned:/d"}, ["option"]),
        ({"listing": "x", "symbols": ["no-colon"]}, ["PATH:TEXT"]),
    ],
)
async def test_verify_deploy_input_errors(client, project, args, words):
    local, _ = project
    msg = await call_err(client, "verify_deploy", {"local_dir": str(local), **args})
    for w in words:
        assert w in msg
    msg = await call_err(client, "verify_deploy", {"local_dir": str(local / "nope"), "listing": "x"})
    assert "not a directory" in msg
