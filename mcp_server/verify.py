"""verify_deploy and verify_deploy_command: thin tools over engine.deploy (U42: is the box's code yours?).

Registered on stdio only. These tools read the local disk and may ssh out with the user's keys; on
stdio the server runs as the agent's own user on the agent's machine, which is what they are for.
Over HTTP the caller is somewhere else: its project is not on our disk, and letting it hash our
files or borrow our ssh keys would be a hole, so the HTTP server leaves them out.
"""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

from gotcha_kb.engine.deploy.models import DeployReport

MAX_LISTING_BYTES = 64 * 1024 * 1024  # ~500k files of `sha256  path`; more is not a code tree

Symbols = Annotated[
    list[str] | None,
    Field(description="Also require this text in the box's copy of a file, each as 'PATH:TEXT', e.g. "
          "['train.py:def warmup_schedule']: the line your fix added. The text must be in the local copy too.",
          max_length=50),
]
ChangedSince = Annotated[
    str | None,
    Field(description="Only check files changed since this git ref (e.g. HEAD~1, main), plus untracked ones: the fix itself"),
]


class RemoteCommand(BaseModel):
    command: str = Field(description="One shell command to run on the box; it only reads (sha256sum, grep)")
    usage: str = Field(description="How to run it and what to pass back")


def command_for(remote_dir: str, local_dir: str | None, changed_since: str | None, symbols: list[str] | None) -> RemoteCommand:
    from gotcha_kb.engine.deploy import print_command

    cmd = print_command(remote_dir, local_dir=local_dir, changed_since=changed_since, symbols=symbols or ())
    return RemoteCommand(
        command=cmd,
        usage="Run it on the box (e.g. ssh -p PORT root@HOST '<command>' > box.txt) and pass its whole stdout "
        "as `listing` to verify_deploy, with the same local_dir, changed_since and symbols.",
    )


def verify(
    local_dir: str,
    listing: str | None,
    ssh: str | None,
    port: int | None,
    identity: str | None,
    changed_since: str | None,
    symbols: list[str] | None,
    use_git: bool,
    timeout: float,
    exclude: list[str] | None = None,
) -> DeployReport:
    from gotcha_kb.engine.deploy import SshOptions, verify_deploy

    if (listing is None) == (ssh is None):
        raise ToolError("give `listing` (what the box printed for verify_deploy_command's command) "
                        "or `ssh` ('[user@]host:DIR'), exactly one of them")
    if listing is not None and len(listing) > MAX_LISTING_BYTES:
        raise ToolError(f"listing is {len(listing)} characters; the limit is {MAX_LISTING_BYTES // 2**20} MiB. "
                        "Use changed_since to check only the files you changed.")
    if listing is not None and not listing.strip():
        raise ToolError("listing is empty: run the command from verify_deploy_command on the box and pass its output")
    common = {"changed_since": changed_since, "symbols": symbols or (), "use_git": use_git, "exclude": exclude or ()}
    if ssh is not None:
        return verify_deploy(local_dir, ssh=ssh, ssh_options=SshOptions(port=port, identity=identity, timeout=timeout), **common)
    return verify_deploy(local_dir, listing=listing, source="listing (pasted)", **common)


def register(mcp: MCPServer) -> None:
    @mcp.tool(
        title="Get the command that lists the box's code",
        annotations=ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False, destructive_hint=False),
    )
    def verify_deploy_command(
        remote_dir: Annotated[str, Field(description="The project directory on the box, e.g. /root/proj")],
        local_dir: Annotated[str | None, Field(description="The project on this machine (absolute path); needed with changed_since or symbols")] = None,
        changed_since: ChangedSince = None,
        symbols: Symbols = None,
    ) -> RemoteCommand:
        """The one read-only command to run on the box before verify_deploy, when you cannot give an ssh target.

        Its output (sha256 of every file under remote_dir, plus greps for symbols) is the `listing`
        verify_deploy compares against your local tree.
        """
        return command_for(remote_dir, local_dir, changed_since, symbols)

    @mcp.tool(
        title="Verify the box runs the code you have",
        # Reads local files and, with ssh, runs a read-only listing on the box: nothing is changed
        # anywhere, but the box is outside this machine (open world).
        annotations=ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=True, destructive_hint=False),
    )
    def verify_deploy(
        local_dir: Annotated[str, Field(description="The project directory on this machine; an absolute path is safest")],
        listing: Annotated[str | None, Field(description="What the box printed for the command from verify_deploy_command. "
                                             "Give this or ssh, not both.")] = None,
        ssh: Annotated[str | None, Field(description="Fetch the listing over ssh instead: '[user@]host:DIR', e.g. "
                                         "'root@connect.example.com:/root/proj' (ssh config aliases work; key auth only, no prompts)")] = None,
        port: Annotated[int | None, Field(ge=1, le=65535, description="ssh port (AutoDL and RunPod give one)")] = None,
        identity: Annotated[str | None, Field(description="ssh private key file, if not the default")] = None,
        changed_since: ChangedSince = None,
        symbols: Symbols = None,
        use_git: Annotated[bool, Field(description="Compare the files git tracks plus untracked, non-ignored ones (default); false: every file")] = True,
        timeout: Annotated[float, Field(gt=0, le=600, description="Give up on ssh after this many seconds (default 120)")] = 120,
        exclude: Annotated[list[str] | None, Field(description="Leave these files out, as globs: ['*.log', 'scratch/']. "
                                                   "Patterns in local_dir/.gotchaignore are always honoured.", max_length=100)] = None,
    ) -> DeployReport:
        """Prove the code on the rented box is the code you have (catalog entry U42), by sha256 of every file.

        Call it after syncing code and before trusting a run's results. `verdict`: DEPLOYED (every file
        matches), STALE (some differ: the box runs other code), PARTIAL (some missing), UNVERIFIABLE
        (the listing is empty, garbled or ssh failed). `files` lists the problems first with reasons.
        """
        return verify(local_dir, listing, ssh, port, identity, changed_since, symbols, use_git, timeout, exclude)
