"""Result models shared by the CLI's --json and the MCP server's structured output."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


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
