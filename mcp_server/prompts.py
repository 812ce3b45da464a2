"""The triage prompt: collect readings with the probe, diagnose, run next_checks, then fix."""

# No `from __future__ import annotations`: the prompt's argument description lists the loaded
# profiles, a value known only when the server is built, so annotations are evaluated in place.
from typing import Annotated

from mcp.server.mcpserver import MCPServer
from pydantic import Field

TRIAGE = """\
You are triaging a problem on a rented GPU box (training job, SSH, disk, GPU, transfer, billing).
Use the gotcha-kb tools; do not guess from memory when a tool can tell.

What the user sees: {symptom}
Platform: {platform}

1. If you already have an error message or log tail, call `diagnose_symptom` with it verbatim{platform_arg}.
2. Collect readings: call `probe_script`, run the script on the box (`ssh HOST 'sh -s' < probe.sh`;
   it only reads), and call `diagnose_symptom` again with its whole output plus the error text.
3. Read the answer: `matches` are best first, each with `confidence`, `evidence` (the input lines that
   matched) and a `fix`. If `abstained` is true, or the top two are close, run the `next_checks` commands
   on the box and call `diagnose_symptom` once more with their output added.
4. Before acting, read the full entry with `get_gotcha` (id, and the platform if known) or the
   resource `gotcha://ID`, and on a known platform its values (`get_profile`), since paths and
   billing verbs differ per platform. `lookup_gotcha` only finds ids by keyword.
5. Show the user the diagnosis with its evidence lines and the fix. Ask before running anything that
   kills processes, deletes files, stops or destroys the instance.
"""


def register(mcp: MCPServer, platforms: str) -> None:
    """`platforms`: the loaded profiles' names, for the argument's description."""
    @mcp.prompt(name="triage", title="Triage a problem on a GPU box",
                description="Walks through: probe the box, diagnose_symptom, run next_checks, confirm, fix.")
    def triage(
        symptom: Annotated[str, Field(description="What you see: an error line, a log tail, or a description")] = "(not given yet: ask the user)",
        platform: Annotated[str, Field(description=f"{platforms}; empty if unknown")] = "",
    ) -> str:
        plat = platform.strip()
        return TRIAGE.format(
            symptom=symptom.strip() or "(not given yet: ask the user)",
            platform=plat or "unknown (diagnose_symptom infers it when the text names one)",
            platform_arg=f' and platform="{plat}"' if plat else "",
        )
