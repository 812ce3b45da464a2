"""Result models that only the MCP face needs; the others are kb/results.py and engine/models.py, shared with the CLI."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ProbeScript(BaseModel):
    script: str = Field(description="POSIX sh script, read-only; run it on the box and pass its whole output to diagnose_symptom")
    usage: str = Field(description="How to run it over ssh and capture the output")
