"""The MCP server: thin tools over kb/ and engine/, typed results, errors an agent can act on.

Each tool is a few lines: validate, call ops/engine, return the same pydantic model the CLI prints
with --json. The SDK turns the return type into outputSchema + structuredContent, a ToolError into
an isError result, and any other exception into a bare "Error executing tool" (traceback to stderr).
"""

# No `from __future__ import annotations`: the tools' annotations name the per-server `Platform`
# type (its description lists the loaded profiles), so they must be evaluated where they are written.
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field, ValidationError

from gotcha_kb import version
from gotcha_kb.engine.brief import FAINT
from gotcha_kb.engine.models import Diagnosis
from gotcha_kb.kb.names import InputError
from gotcha_kb.kb.search import MAX_QUERY_CHARS
from gotcha_kb.kb.results import EntryDetail, EntryList, LookupResult, ProfileView
from gotcha_kb.mcp_server import ops, prompts, resources
from gotcha_kb.mcp_server.compact import summary as compact_summary
from gotcha_kb.mcp_server.models import ProbeScript
from gotcha_kb.mcp_server.state import built_kb, get_kb, platform_names

# Up to here a diagnosis takes tens of milliseconds: no worker thread (bench_mcp_load.py measured
# worker threads at 65 calls/s against 71 inline, the sentence encoder included).
INLINE_TEXT_CHARS = 64 * 1024

# Every tool here only reads the catalog: same input, same answer, nothing outside touched.
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False, destructive_hint=False)

INSTRUCTIONS = """\
gotcha-kb knows the traps of training models on rented GPU boxes (AutoDL, RunPod, Vast.ai, Lambda,
Paperspace, plain SSH): disks full of inodes, OOM kills, dead SSH sessions, stale deploys, billing that
keeps running. When something on a box misbehaves, call diagnose_symptom with the error text or command
output verbatim; if it abstains, run probe_script's script on the box and diagnose its output.
Use lookup_gotcha for a known id or topic. Entries are also resources: gotcha://U7, profile://autodl.
"""



def plain_validation_error(tool: str, exc: ValidationError) -> str:
    """One sentence instead of pydantic's report (with its errors.pydantic.dev link)."""
    err = exc.errors()[0]
    name = ".".join(str(p) for p in err["loc"]) or "arguments"
    if err["type"] == "missing":
        return f"{tool}: the argument '{name}' is required"
    msg = str(err["msg"])
    msg = msg.replace("Input should be", "it should be").replace("String should", "it should").replace("List should", "it should")
    more = f" ({len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    return f"{tool}: wrong value for '{name}': {msg}{more}"


class GotchaServer(MCPServer):
    """MCPServer whose argument errors an agent can act on: unknown arguments are named, not
    silently dropped, a wrong type is one plain sentence, and the library's InputError (an unknown
    id or platform, a bad ref) is its own message."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        tool = self._tool_manager.get_tool(name)
        if tool is not None:
            known = set(tool.parameters.get("properties", {}))
            unknown = sorted(set(arguments) - known)
            if unknown:
                raise ToolError(f"{name}: unknown argument(s) {', '.join(map(repr, unknown))}; "
                                f"it takes {', '.join(sorted(known)) or 'none'}")
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as e:
            if isinstance(e.__cause__, ValidationError):
                raise ToolError(plain_validation_error(name, e.__cause__)) from None
            if isinstance(e.__cause__, InputError):  # the library's message, as the CLI prints it
                raise ToolError(str(e.__cause__)) from None
            raise

    async def list_resources(self) -> list[Any]:
        """The templates' instances too: every profile and every entry, so a client can browse them."""
        from mcp.types import Resource

        listed = await super().list_resources()
        kb = await anyio.to_thread.run_sync(get_kb)
        for name, prof in sorted(kb.catalog.profiles.items()):
            listed.append(Resource(uri=f"profile://{name}", name=f"profile {name}", title=f"{prof.facts.display_name} profile",
                                   mime_type="text/markdown"))
        for e in kb.catalog.entries:
            listed.append(Resource(uri=f"gotcha://{e.id}", name=e.id, title=e.title, mime_type="text/markdown"))
        return listed


def build_server(local_tools: bool = True) -> MCPServer:
    """local_tools: add verify_deploy, which reads this machine's disk and ssh keys (stdio only; see verify.py)."""
    mcp = GotchaServer("gotcha-kb", instructions=INSTRUCTIONS, version=version())
    platforms = ", ".join(platform_names())
    Platform = Annotated[
        str | None,
        Field(description=f"The rental platform, if known: {platforms}. "
              "Adds that platform's own gotchas and fills in its paths and values. Omit when unknown."),
    ]

    @mcp.tool(title="Diagnose what you see on a GPU box", annotations=READ_ONLY)
    async def diagnose_symptom(
        text: Annotated[str, Field(description="What you see, verbatim: an error message, a log tail, command output "
                                   "(df -i, nvidia-smi, dmesg, free -m), or the whole output of the probe script. "
                                   f"At most {ops.MAX_TEXT_BYTES // 2**20} MiB; send the end of a long log.",
                                   json_schema_extra={"maxLength": ops.MAX_TEXT_BYTES})],
        platform: Platform = None,
        limit: Annotated[int, Field(ge=1, le=20, description="How many candidates to return (default 3)")] = 3,
        include_faint: Annotated[bool, Field(description=f"Also return candidates under {FAINT} confidence (left out by default)")] = False,
    ) -> Annotated[CallToolResult, Diagnosis]:
        """Name the trap behind a problem on a rented GPU box, with evidence and the fix.

        Call this first when a training job, SSH session, disk, GPU, download or upload on a remote box
        misbehaves. Returns `matches` best first (each with `id`, `confidence` 0-1, `evidence` lines;
        the best one with its `fix`, commands included, get_gotcha ID for another's), `next_checks` (commands
        to run on the box to tell candidates apart) and `abstained` (true: nothing fits well enough; run
        next_checks or probe_script and call again with their output). Read-only: it never touches the box.
        """
        # A typical paste is answered on the event loop: the hop to a worker thread cost more CPU
        # than the diagnosis (bench/bench_http_cpu.py). A long log, or a catalog still being
        # built, goes to a thread so that other requests are not held up meanwhile.
        kb = built_kb() or await anyio.to_thread.run_sync(get_kb)

        def run() -> Diagnosis:
            return ops.diagnose(kb, text, platform, limit, include_faint)

        d = run() if len(text) <= INLINE_TEXT_CHARS else await anyio.to_thread.run_sync(run)
        return CallToolResult(content=[TextContent(type="text", text=compact_summary(d))],
                              structured_content=d.model_dump(mode="json"))

    @mcp.tool(title="Look up catalog entries", annotations=READ_ONLY)
    def lookup_gotcha(
        query: Annotated[str, Field(description="An id (U7, AD4), a keyword (inode, oom, crlf) or a short phrase; typos are fine. "
                                    f"At most {MAX_QUERY_CHARS} characters: for logs use diagnose_symptom.",
                                    json_schema_extra={"maxLength": MAX_QUERY_CHARS})],
        platform: Platform = None,
        limit: Annotated[int, Field(ge=1, le=50, description="At most this many matches (default 8)")] = 8,
    ) -> LookupResult:
        """Find catalog entries by id, keyword or phrase; `matches` best first, each with `id`, `title`, `symptom`.

        Use it when you know the topic or id rather than having an error to diagnose. An unknown id is an
        error whose message suggests close ids. For the full entry (root cause, fix, checks) call
        get_gotcha or read the resource gotcha://ID.
        """
        return ops.lookup(get_kb(), query, platform, limit)

    @mcp.tool(title="Get one entry in full", annotations=READ_ONLY)
    def get_gotcha(
        id: Annotated[str, Field(description="Entry id, e.g. U7 or AD4 (case-insensitive)", max_length=20)],
        platform: Platform = None,
    ) -> EntryDetail:
        """One catalog entry in full: symptom, root cause, fix (Markdown), commands, checks, and with a platform its values.

        Same content as the resource gotcha://ID, for clients that do not read resources.
        """
        return ops.get_entry(get_kb(), id, platform)

    @mcp.tool(title="List catalog entries", annotations=READ_ONLY)
    def list_gotchas(
        theme: Annotated[str | None, Field(description="Only this theme, by prefix or substring: 'disk', 'memory', 'ssh', 'gpu', 'cost'...")] = None,
        platform: Platform = None,
    ) -> EntryList:
        """List catalog entries (id, title, theme, platform): universal ones, plus a platform's own when given.

        Use it to browse or to find the id of a topic; with a platform, other platforms' gotchas are left out.
        """
        return ops.list_entries(get_kb(), theme, platform)

    @mcp.tool(title="Get a platform profile", annotations=READ_ONLY)
    def get_profile(
        platform: Annotated[str, Field(description=f"One of {platforms} (or a display name or gotcha prefix)")],
        fields: Annotated[list[str] | None, Field(description="Only these facts, e.g. ['durable_path', 'meter_stop_verb']; "
                                                  "omit for the whole profile including its prose sections", max_length=40)] = None,
    ) -> ProfileView:
        """A rental platform's facts: durable and scratch paths, how to stop billing, spot grace, proxy, inode caps...

        Call it before acting on a fix whose commands depend on the platform (paths, teardown verbs).
        """
        return ops.profile_view(get_kb(), platform, fields)

    @mcp.tool(title="Get the probe script", annotations=READ_ONLY)
    def probe_script() -> ProbeScript:
        """A read-only sh script to run on the box; pass its whole output to diagnose_symptom.

        Use it when diagnose_symptom abstains or you have no error text yet: it collects uptime, free,
        df -h/-i, cgroup memory events, nvidia-smi and the relevant dmesg lines under markers diagnose reads.
        """
        return ops.probe()

    if local_tools:
        from gotcha_kb.mcp_server import verify

        verify.register(mcp)
    resources.register(mcp, platforms)
    prompts.register(mcp, platforms)
    return mcp

