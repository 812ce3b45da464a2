"""The whole catalog: universal entries, platform gotchas, profiles, and what was wrong."""

from __future__ import annotations

from pydantic import BaseModel, Field

from gotcha_kb.kb.models import Entry, Problem
from gotcha_kb.kb.profile_model import Profile


class Catalog(BaseModel):
    entries: list[Entry] = Field(default_factory=list)  # universal first, then platform gotchas
    profiles: dict[str, Profile] = Field(default_factory=dict)
    problems: list[Problem] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def get(self, entry_id: str) -> Entry | None:
        want = entry_id.strip().upper()
        return next((e for e in self.entries if e.id == want), None)

    def profile(self, name: str) -> Profile | None:
        from gotcha_kb.kb.names import NotFound, find_profile

        try:
            return find_profile(self, name)
        except NotFound:
            return None

    def themes(self) -> list[str]:
        return list(dict.fromkeys(e.theme for e in self.entries))
