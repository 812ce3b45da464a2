"""The same mistake gets the same message from the CLI and from the MCP tools (one resolver, kb.names)."""

from __future__ import annotations

import pytest
from gotcha_kb.cli.main import main


# (CLI argv, MCP tool, its arguments, words the message must hold): each mistake on both faces.
MISTAKES = [
    (["list", "--theme", "zzz"], "list_gotchas", {"theme": "zzz"}, ["unknown theme 'zzz'", "known:"]),
    (["list", "--platform", "nosuch"], "list_gotchas", {"platform": "nosuch"}, ["unknown platform", "known:"]),
    (["profile", "nosuch"], "get_profile", {"platform": "nosuch"}, ["unknown platform", "known:"]),
    (["profile", "autodl", "--field", "nope"], "get_profile", {"platform": "autodl", "fields": ["nope"]}, ["unknown field", "known:"]),
    (["show", "U7", "--platform", "nosuch"], "get_gotcha", {"id": "U7", "platform": "nosuch"}, ["unknown platform", "known:"]),
    (["lookup", "inode", "--platform", "nosuch"], "lookup_gotcha", {"query": "inode", "platform": "nosuch"}, ["unknown platform"]),
    (["diagnose", "Killed", "--platform", "nosuch"], "diagnose_symptom", {"text": "Killed", "platform": "nosuch"}, ["unknown platform"]),
    (["show", "U99"], "get_gotcha", {"id": "U99"}, ["unknown id 'U99'", "did you mean", "U9"]),
    (["show", "u77"], "get_gotcha", {"id": "u77"}, ["unknown id 'U77'", "did you mean"]),
    (["show", "AD99"], "get_gotcha", {"id": "AD99"}, ["unknown id 'AD99'", "AD9"]),
    (["lookup", "U99"], "lookup_gotcha", {"query": "U99"}, ["unknown id 'U99'", "did you mean", "U9"]),
    (["lookup", "  "], "lookup_gotcha", {"query": "  "}, ["query is empty"]),
    (["lookup", "--limit", "0", "inode"], "lookup_gotcha", {"query": "inode", "limit": 0}, ["limit"]),
    (["verify-deploy", ".", "--listing", "-", "--symbol", "nocolon"], "verify_deploy_command",
     {"remote_dir": "/root/p", "symbols": ["nocolon"]}, ["expected PATH:TEXT"]),
]


@pytest.mark.anyio
@pytest.mark.parametrize("argv, tool, arguments, words", MISTAKES)
async def test_the_same_mistake_reads_the_same_on_both_faces(capsys, client, argv, tool, arguments, words):
    r = await client.call_tool(tool, arguments)
    assert r.is_error, r.structured_content
    said = r.content[0].text
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    for w in words:
        assert w in err, (w, err)
    # The CLI prefixes "gotcha: "; MCP's own argument checks (a limit under 1) word it their way.
    if "limit" not in words:
        assert err == f"gotcha: {said}", (err, said)


def test_a_query_over_the_cap_is_refused_by_the_library_for_both_faces(capsys):
    from gotcha_kb.kb.names import InputError
    from gotcha_kb.kb.search import MAX_QUERY_CHARS, SearchIndex, lookup
    from gotcha_kb.kb.index import load_index

    data = load_index()
    with pytest.raises(InputError, match=f"the limit is {MAX_QUERY_CHARS}"):
        lookup(data, SearchIndex(data), "word " * 200)
    assert main(["lookup", *(["word"] * 200)]) == 2
    assert f"the limit is {MAX_QUERY_CHARS}" in capsys.readouterr().err


def test_help_and_tool_descriptions_list_the_loaded_platforms(tmp_path, monkeypatch, capsys):
    """Not a hard-coded list: a catalog with one profile offers that one platform, on both faces."""
    import asyncio
    import shutil
    from pathlib import Path

    from gotcha_kb.mcp_server import state
    from gotcha_kb.mcp_server.server import build_server

    root = Path(__file__).resolve().parent.parent
    shutil.copytree(root / "gotchas", tmp_path / "gotchas")
    (tmp_path / "profiles").mkdir()
    shutil.copy(root / "profiles" / "runpod.md", tmp_path / "profiles" / "runpod.md")
    sources = [str(tmp_path / "gotchas"), str(tmp_path / "profiles")]
    monkeypatch.setenv("GOTCHA_CATALOG", ":".join(sources))
    with pytest.raises(SystemExit):
        main(["diagnose", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "(one of: runpod)" in help_text, help_text
    state.configure(sources)
    try:
        tools = {t.name: t for t in asyncio.run(build_server().list_tools())}
        described = tools["diagnose_symptom"].input_schema["properties"]["platform"]["description"]
        assert "if known: runpod." in described and "autodl" not in described, described
    finally:
        state.configure(None)
