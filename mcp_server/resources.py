"""Resources: every entry as gotcha://{id} and every profile as profile://{name}, in Markdown."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError

from gotcha_kb.mcp_server.state import get_kb


@contextmanager
def _not_found_as_resource_error() -> Iterator[None]:
    """The library's NotFound (with its did-you-mean) as the SDK's resource error, same message."""
    from gotcha_kb.kb.names import NotFound

    try:
        yield
    except NotFound as e:
        raise ResourceNotFoundError(str(e)) from None


def register(mcp: MCPServer, platforms: str) -> None:
    """`platforms`: the loaded profiles' names, for the profile resource's description."""
    @mcp.resource(
        "gotcha://{id}",
        name="gotcha",
        title="Catalog entry",
        description="One catalog entry (U1..U43 universal, AD/RP/VAST/... platform gotchas) as Markdown: "
        "symptom, root cause, fix, checks. Ids come from list_gotchas, lookup_gotcha or diagnose_symptom.",
        mime_type="text/markdown",
    )
    def gotcha(id: str) -> str:
        from gotcha_kb.kb.views import find_entry
        from gotcha_kb.mcp_server.ops import relative

        kb = get_kb()
        with _not_found_as_resource_error():
            entry = find_entry(kb.catalog, id)
        from gotcha_kb.kb.views import entry_markdown

        return entry_markdown(entry, relative(kb, str(entry.source)))

    @mcp.resource(
        "profile://{name}",
        name="profile",
        title="Platform profile",
        description="A platform profile as Markdown: facts (paths, billing verbs, proxy), storage survival table, "
        f"its own gotchas. Names: {platforms}.",
        mime_type="text/markdown",
    )
    def profile(name: str) -> str:
        from gotcha_kb.kb.names import find_profile

        with _not_found_as_resource_error():
            prof = find_profile(get_kb().catalog, name)
        # A profile is one Markdown file written to be read whole: serve it as written.
        return Path(prof.source.path).read_text(encoding="utf-8")
