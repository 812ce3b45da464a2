"""The catalog as both faces show it: one entry, a list, a profile. Typed results, NotFound errors.

The CLI prints these (or their --json) and maps kb.names.NotFound to a usage error; the MCP server
returns them as structured output and maps NotFound to a tool error. Only presentation differs:
the MCP face shortens source paths, the CLI renders for a terminal.
"""

from __future__ import annotations

from typing import Any

from gotcha_kb.kb.catalog import Catalog
from gotcha_kb.kb.models import Entry
from gotcha_kb.kb.names import UnknownId, check_field, find_profile, match_themes, profile_values
from gotcha_kb.kb.profile_model import Profile, ProfileFacts
from gotcha_kb.kb.results import EntryDetail, EntryList, EntrySummary, ProfileView


def _summary(e: Any) -> EntrySummary:
    return EntrySummary(id=e.id, title=e.title, theme=e.theme, platform=e.platform)


def find_entry(catalog: Catalog, entry_id: str) -> Entry:
    """The entry with this id (case-insensitive); UnknownId with the closest ids otherwise."""
    entry = catalog.get(entry_id)
    if entry is None:
        from gotcha_kb.kb.search import suggest_ids

        raise UnknownId(entry_id, suggest_ids([e.id for e in catalog.entries], entry_id))
    return entry


def get_entry(catalog: Catalog, entry_id: str, platform: str | None = None) -> EntryDetail:
    entry = find_entry(catalog, entry_id)
    profile = find_profile(catalog, platform) if platform else None
    values = profile_values(entry.profile_fields, profile.facts) if profile else {}
    return EntryDetail(**dict(entry), profile_values=values)


def list_entries(catalog: Catalog, theme: str | None = None, platform: str | None = None) -> EntryList:
    """Universal entries plus one platform's own (all platforms' when none is given), optionally one theme."""
    entries = catalog.entries
    if platform:
        name = find_profile(catalog, platform).name
        entries = [e for e in entries if e.platform in (None, name)]
    if theme and theme.strip():  # an empty theme (an agent's "") means every theme
        themes = set(match_themes(catalog, theme))
        entries = [e for e in entries if e.theme in themes]
    return EntryList(entries=[_summary(e) for e in entries])


def profile_view(catalog: Catalog, platform: str, fields: list[str] | None = None) -> ProfileView:
    prof = find_profile(catalog, platform)
    facts: dict[str, Any] = prof.facts.model_dump(mode="json")
    if fields:
        facts = {check_field(f, ProfileFacts.model_fields): facts[f] for f in fields}
    return ProfileView(
        platform=prof.name,
        display_name=prof.facts.display_name,
        facts=facts,
        survival=prof.survival,
        overrides=prof.overrides,
        gotchas=[_summary(e) for e in prof.gotchas],
        # Asking for fields means "just the facts": the prose is most of a profile's size.
        sections=[] if fields else prof.sections,
        source=str(prof.source),
    )


def profile_field(catalog: Catalog, platform: str, field: str) -> tuple[Profile, Any]:
    prof = find_profile(catalog, platform)
    return prof, getattr(prof.facts, check_field(field, ProfileFacts.model_fields))


# The facts that differ most between platforms and decide how to use one: what stops the meter,
# what survives, where durable and fast storage live, limits and egress.
COMPARED_FACTS = (
    "kind", "meter_stop_verb", "meter_stop_irreversible", "storage_still_billed_when_stopped",
    "spot_available", "spot_grace", "durable_path", "local_nvme_path", "inode_cap", "free_egress",
    "china_mirror_needed", "tb_logdir",
)  # fmt: skip


def compare_profiles(catalog: Catalog, fields: tuple[str, ...] = COMPARED_FACTS) -> dict[str, dict[str, Any]]:
    """Platform name -> {fact: value} for `fields`, platforms in name order."""
    return {name: {k: getattr(p.facts, k) for k in fields} for name, p in sorted(catalog.profiles.items())}


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
