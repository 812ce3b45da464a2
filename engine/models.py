"""The diagnosis answer, as pydantic models: the CLI prints them with --json, MCP returns them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class EvidenceItem(BaseModel):
    kind: Literal["regex", "fact", "phrase", "text", "case", "semantic"] = Field(description="what produced this evidence")
    why: str = Field(description="the reason in words")
    weight: float = Field(description="contribution to the score; negative = evidence against")
    line: int | None = Field(default=None, description="1-based input line it matched, if any")
    text: str | None = Field(default=None, description="that input line, secrets redacted")


class Match(BaseModel):
    id: str
    title: str
    theme: str
    platform: str | None = None
    confidence: float = Field(ge=0, le=1, description="calibrated probability-like score in [0, 1]")
    score: float = Field(description="raw evidence score before calibration")
    evidence: list[EvidenceItem]
    fix: str = Field(description="the entry's Fix, Markdown")
    commands: list[str] = Field(default_factory=list, description="commands from the Fix")
    profile_values: dict[str, Any] = Field(default_factory=dict, description="the platform's values for fields this advice depends on")
    source: str = Field(description="file:line of the entry")


class NextCheck(BaseModel):
    run: str = Field(description="command to run on the box")
    shows: str = Field(description="what its output tells")
    separates: list[str] = Field(description="candidate ids this check bears on")


class Diagnosis(BaseModel):
    matches: list[Match] = Field(description="best first; empty when abstained")
    next_checks: list[NextCheck]
    abstained: bool = Field(description="true when nothing fits well enough to name")
    reason: str = Field(default="", description="why it abstained, or how sure it is")
    shortlist_confidence: float = Field(
        default=0.0, ge=0, le=1,
        description="probability-like: the right entry is among the first 3 matches; it abstains below a fitted cut",
    )
    platform: str | None = None
    platform_inferred: bool = False
    facts: dict[str, Any] = Field(default_factory=dict, description="facts parsed from command output")
    parsers: list[str] = Field(default_factory=list)
    input_lines: int = 0
    truncated: bool = Field(default=False, description="input was cut to the engine's size limit; its end was kept")
    dropped_bytes: int = Field(default=0, ge=0, description="bytes cut from the start of the input (0 when nothing was cut)")
