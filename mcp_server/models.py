"""Result models that only the MCP faces need; lookup, list and diagnose reuse kb/engine models as-is."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from gotcha_kb.kb.models import Entry
from gotcha_kb.kb.profile_model import ProfileSection, SurvivalRow
from gotcha_kb.kb.results import EntrySummary


class EntryDetail(Entry):
    """One entry in full: the same fields as `gotcha show ID --json`."""

    profile_values: dict[str, Any] = Field(
        default_factory=dict, description="The platform's value for each profile field this entry depends on (when a platform was given)"
    )


class ProfileView(BaseModel):
    platform: str = Field(description="Profile name, e.g. autodl")
    display_name: str
    facts: dict[str, Any] = Field(description="Front-matter facts (all, or only the fields asked for)")
    survival: list[SurvivalRow] = Field(default_factory=list, description="What survives stop/destroy, per storage tier")
    gotchas: list[EntrySummary] = Field(default_factory=list, description="This platform's own gotchas")
    sections: list[ProfileSection] = Field(default_factory=list, description="Prose sections; left out when fields are asked for")
    source: str = Field(description="file:line of the profile")


class ProbeScript(BaseModel):
    script: str = Field(description="POSIX sh script, read-only; run it on the box and pass its whole output to diagnose_symptom")
    usage: str = Field(description="How to run it over ssh and capture the output")
