"""The same mistake gets the same message from the CLI and from the MCP tools (one resolver, kb.names)."""

from __future__ import annotations

import pytest
from mcp.server.mcpserver.exceptions import ToolError

from gotcha_kb.cli.main import main


@pytest.mark.parametrize(
    "cli, call",
    [
        (["list", "--theme", "zzz"], lambda ops, kb: ops.list_entries(kb, "zzz", None)),
        (["list", "--platform", "nosuch"], lambda ops, kb: ops.list_entries(kb, None, "nosuch")),
        (["profile", "nosuch"], lambda ops, kb: ops.profile_view(kb, "nosuch", None)),
        (["profile", "autodl", "--field", "nope"], lambda ops, kb: ops.profile_view(kb, "autodl", ["nope"])),
        (["show", "U7", "--platform", "nosuch"], lambda ops, kb: ops.get_entry(kb, "U7", "nosuch")),
        (["lookup", "inode", "--platform", "nosuch"], lambda ops, kb: ops.lookup(kb, "inode", "nosuch", 5)),
    ],
)
def test_unknown_names_read_the_same_on_both_faces(capsys, cli, call):
    from gotcha_kb.mcp_server import ops
    from gotcha_kb.mcp_server.state import get_kb

    with pytest.raises(ToolError) as tool:
        call(ops, get_kb())
    assert main(cli) == 2
    err = capsys.readouterr().err
    assert "known:" in str(tool.value) and str(tool.value) in err, (str(tool.value), err)


@pytest.mark.parametrize("given", ["U99", "u77", "AD99"])
def test_an_unknown_id_reads_the_same_on_both_faces(capsys, given):
    from gotcha_kb.mcp_server import ops
    from gotcha_kb.mcp_server.state import get_kb

    with pytest.raises(ToolError) as tool:
        ops.get_entry(get_kb(), given, None)
    assert main(["show", given]) == 2
    err = capsys.readouterr().err
    assert "did you mean" in str(tool.value) and str(tool.value) in err, (str(tool.value), err)


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
