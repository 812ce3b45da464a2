"""Resolving what a person typed to a theme, a profile section or a platform, the same way in
every face: exact (case-insensitive) first, then a unique prefix, then a substring; an unknown
name raises UnknownName carrying the known ones for the "known: ..." part of the message."""

from __future__ import annotations

from collections.abc import Iterable

from gotcha_kb.kb.catalog import Catalog
from gotcha_kb.kb.profile_model import Profile, ProfileSection


class UnknownName(ValueError):
    def __init__(self, what: str, given: str, known: Iterable[str]):
        self.what, self.given, self.known = what, given, list(known)
        super().__init__(f"unknown {what} {given!r}; known: {', '.join(self.known) or 'none'}")


def _matching(names: list[str], given: str) -> list[str]:
    key = given.strip().lower()
    exact = [n for n in names if n.lower() == key]
    if exact:
        return exact
    prefix = [n for n in names if n.lower().startswith(key)]
    return prefix or [n for n in names if key in n.lower()]


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
    prof = catalog.profile(given)
    if prof is None:
        raise UnknownName("platform", given, sorted(catalog.profiles))
    return prof
