"""Resources: every entry as gotcha://{id} and every profile as profile://{name}, in Markdown."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError

from gotcha_kb.kb.models import Entry
from gotcha_kb.mcp_server.state import get_kb


def entry_markdown(e: Entry, source: str | None = None) -> str:
    """The entry rebuilt from its fields (not sliced from the file), so it reads the same wherever it came from.

    `source`: how to name where it came from (relative to the catalog); the absolute path by default."""
    where = f"theme: {e.theme}" + (f" · platform: {e.platform}" if e.platform else "") + f" · source: {source or e.source}"
    parts = [f"### {e.id} — {e.title}", where]
    parts += [f"**{label}**: {text}" for label, text in (("Symptom", e.symptom), ("Root cause", e.root_cause), ("Fix", e.fix)) if text]
    if e.checks:
        parts.append("**Checks**:\n" + "\n".join(f"- `{c.run}`" + (f" — {c.shows}" if c.shows else "") for c in e.checks))
    if e.profile_fields:
        parts.append("**Depends on platform facts**: " + ", ".join(f"`{f}`" for f in e.profile_fields) + " (see profile://NAME)")
    if e.refs:
        parts.append("**See also**: " + ", ".join(f"gotcha://{r}" for r in e.refs))
    return "\n\n".join(parts) + "\n"


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
