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
