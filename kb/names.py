"""Resolving what a person typed to an entry, a theme, a profile section, a field or a platform,
the same way in every face: exact (case-insensitive) first, then a unique prefix, then a substring.

A miss raises a NotFound (an InputError) whose message both faces show as it is (the CLI as a
usage error, the MCP server as a tool error), so the same mistake reads the same everywhere. Pydantic-free at
import: `gotcha lookup`'s fast path resolves platforms with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gotcha_kb.kb.catalog import Catalog
    from gotcha_kb.kb.profile_model import Profile, ProfileSection

LIST_HINT = "`gotcha list` or the list_gotchas tool lists every id"


class InputError(ValueError):
    """The caller's input is wrong; str() is the message to show. Each face maps this one class:
    the CLI to exit 2, the MCP server to a tool error."""


class NotFound(InputError):
    """Something named by the user that the catalog does not have."""


class UnknownName(NotFound):
    def __init__(self, what: str, given: str, known: Iterable[str]):
        self.what, self.given, self.known = what, given, list(known)
        super().__init__(f"unknown {what} {given!r}; known: {', '.join(self.known) or 'none'}")


class UnknownId(NotFound):
    def __init__(self, given: str, suggestions: Iterable[str]):
        self.given, self.suggestions = given.strip().upper(), list(suggestions)
        close = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown id {self.given!r}{close} ({LIST_HINT})")


def _matching(names: list[str], given: str) -> list[str]:
    key = given.strip().lower()
    exact = [n for n in names if n.lower() == key]
    if exact:
        return exact
    prefix = [n for n in names if n.lower().startswith(key)]
    return prefix or [n for n in names if key in n.lower()]


def platform_key(aliases: Mapping[str, Iterable[str]], given: str) -> str:
    """The profile whose name, display name or gotcha prefix `given` is (`vast.ai`, `VAST`, `vastai`).

    `aliases` maps each profile name to its other names; a miss raises UnknownName listing the profiles.
    """
    key = given.strip().lower()
    for name, others in aliases.items():
        if key == name.lower() or key in (o.lower() for o in others):
            return name
    raise UnknownName("platform", given, sorted(aliases))


def match_themes(catalog: Catalog, given: str) -> list[str]:
    """Themes named by `given` (prefix or substring, e.g. 'disk'); UnknownName when none is."""
    themes = catalog.themes()
    found = _matching(themes, given) if given.strip() else []
    if not found:
        raise UnknownName("theme", given, themes)
    return found


def find_section(profile: Profile, given: str) -> ProfileSection:
    """A profile section by title, or by a prefix or word of it ('teardown'); ambiguous or unknown
    names raise UnknownName listing the sections."""
    titles = [s.title for s in profile.sections]
    found = _matching(titles, given) if given.strip() else []
    if len(found) != 1:
        what = f"section (matches {', '.join(found)})" if found else "section"
        raise UnknownName(what, given, titles)
    return next(s for s in profile.sections if s.title == found[0])


def find_profile(catalog: Catalog, given: str) -> Profile:
    aliases = {n: (p.facts.display_name, p.facts.gotcha_prefix) for n, p in catalog.profiles.items()}
    return catalog.profiles[platform_key(aliases, given)]


def check_field(given: str, fields: Iterable[str]) -> str:
    """A profile field name as written (no prefix matching: a field is read by scripts)."""
    known = list(fields)
    if given not in known:
        raise UnknownName("field", given, known)
    return given


def profile_values(fields: Iterable[str], facts: object) -> dict[str, object]:
    """A platform's value for each profile field an entry depends on.

    `facts` is a ProfileFacts or the lookup index's plain dict of them: one function for the engine,
    lookup, show and the MCP tools.
    """
    if isinstance(facts, Mapping):
        return {f: facts.get(f) for f in fields}
    return {f: getattr(facts, f) for f in fields}
