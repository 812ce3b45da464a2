"""Typed records for the catalog: entries, their signals and checks, and load problems."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gotcha_kb.kb.predicates import Predicate, parse_predicate


class SourceRef(BaseModel):
    """Where a record came from, so every message can say `path:line`."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class Problem(BaseModel):
    """One thing wrong with the catalog, located in its source file."""

    path: str
    line: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


class Signal(BaseModel):
    """Evidence the catalog declares for an entry: a regex over lines, fact predicates, or both."""

    model_config = ConfigDict(extra="forbid")

    regex: str | None = None
    fact: list[str] = Field(default_factory=list)
    weight: float
    why: str = ""
    predicates: list[Predicate] = Field(default_factory=list, description="`fact` parsed, once, when the signal is made")

    @model_validator(mode="after")
    def _parsed(self) -> "Signal":
        # The loader passes what it parsed while validating; a Signal made any other way (a
        # test, a cache file without them) gets its predicates here, so the two never disagree.
        if len(self.predicates) != len(self.fact):
            self.predicates = [parse_predicate(p) for p in self.fact]
        return self


class Check(BaseModel):
    """A command that confirms or rules out an entry, and what its output shows."""

    model_config = ConfigDict(extra="forbid")

    run: str
    shows: str = ""


class Entry(BaseModel):
    """One gotcha: Symptom -> Root cause -> Fix, plus the data the engine reads."""

    id: str
    title: str
    theme: str
    symptom: str
    root_cause: str
    fix: str
    commands: list[str] = Field(default_factory=list)
    error_strings: list[str] = Field(default_factory=list)
    refs: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    signals: list[Signal] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    profile_fields: list[str] = Field(default_factory=list)
    platform: str | None = None
    source: SourceRef

