"""Result models shared by the CLI's --json and the MCP server's structured output."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from gotcha_kb.kb.models import Entry
from gotcha_kb.kb.profile_model import ProfileSection, SurvivalRow


class LookupMatch(BaseModel):
    id: str = Field(description="Entry id, e.g. U7 or AD4")
    title: str
    theme: str
    platform: str | None = Field(description="Platform of a platform gotcha; null for universal entries")
    score: float = Field(description="relevance; about 100 when every query word is in a title or keyword, higher with exact aliases")
    matched: list[str] = Field(description="Query words or phrases that matched")
    symptom: str
    profile_values: dict[str, Any] = Field(default_factory=dict, description="The platform's value for each profile field this entry depends on")
    source: str = Field(description="file:line of the entry")


class LookupResult(BaseModel):
    query: str
    platform: str | None = None
    matches: list[LookupMatch] = Field(description="Best first")
    did_you_mean: list[str] = Field(default_factory=list)


class EntrySummary(BaseModel):
    id: str
    title: str
    theme: str
    platform: str | None


class EntryList(BaseModel):
    entries: list[EntrySummary]


class EntryDetail(Entry):
    """One entry in full: `gotcha show ID --json` and the get_gotcha tool."""

    profile_values: dict[str, Any] = Field(
        default_factory=dict, description="The platform's value for each profile field this entry depends on (when a platform was given)"
    )


class ProfileView(BaseModel):
    platform: str = Field(description="Profile name, e.g. autodl")
    display_name: str
    facts: dict[str, Any] = Field(description="Front-matter facts (all, or only the fields asked for)")
    survival: list[SurvivalRow] = Field(default_factory=list, description="What survives stop/destroy, per storage tier")
    overrides: dict[str, str] = Field(default_factory=dict, description="Values a shared script should use here (DATA_DIR, DURABLE_DIR, ...)")
    gotchas: list[EntrySummary] = Field(default_factory=list, description="This platform's own gotchas")
    sections: list[ProfileSection] = Field(default_factory=list, description="Prose sections; left out when fields are asked for")
    source: str = Field(description="file:line of the profile")
