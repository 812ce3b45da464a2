"""Results of verify-deploy and verify-pull, as pydantic models: the CLI prints them with --json."""

from __future__ import annotations

import hashlib
from enum import Enum

from pydantic import BaseModel, Field


class Verdict(str, Enum):
    """Tri-state plus one: verified, two ways of being wrong, and "cannot tell"."""

    DEPLOYED = "DEPLOYED"  # every local file is on the box with the same sha256
    STALE = "STALE"  # some files differ on the box (wins over PARTIAL: the box runs other code)
    PARTIAL = "PARTIAL"  # nothing differs, but some files are missing on the box
    UNVERIFIABLE = "UNVERIFIABLE"  # no trustworthy listing (empty, garbage, truncated, ssh failed)


class PullVerdict(str, Enum):
    COMPLETE = "COMPLETE"  # every file the box listed is here with the same sha256
    MISMATCH = "MISMATCH"  # some files arrived with other content (truncated copy, overwritten)
    PARTIAL = "PARTIAL"  # some (or all) files never arrived
    UNVERIFIABLE = "UNVERIFIABLE"  # the box manifest is empty, garbage or truncated


class FileStatus(str, Enum):
    OK = "ok"
    DIFFERS = "differs"
    MISSING = "missing"


class FileCheck(BaseModel):
    path: str = Field(description="path relative to the compared directory, '/'-separated")
    status: FileStatus
    reason: str = Field(description="why, in words")
    local_sha256: str | None = None
    remote_sha256: str | None = Field(default=None, description="the box's sha256, when the box listed the file")
    size: int | None = Field(default=None, description="local size in bytes")


class FileCounts(BaseModel):
    total: int = 0
    ok: int = 0
    differs: int = 0
    missing: int = 0


class SymbolSpec(BaseModel):
    """A string that must be in the box's copy of a file (U42: grep for the new line)."""

    path: str = Field(description="file relative to the project directory")
    text: str = Field(description="literal text, e.g. the new function's name")

    @property
    def key(self) -> str:
        # Markers carry this key instead of an index, so a listing made for other symbols
        # cannot be read as the answer for these.
        return hashlib.sha256(f"{self.path}\0{self.text}".encode("utf-8", "surrogateescape")).hexdigest()[:12]


class SymbolCheck(BaseModel):
    path: str
    text: str
    found_on_box: bool | None = Field(description="None when the listing carries no answer")
    box_lines: list[str] = Field(default_factory=list, description="first matching lines on the box, 'LINE:text'")
    reason: str


class SkippedFile(BaseModel):
    path: str
    reason: str


class DeployReport(BaseModel):
    verdict: Verdict
    summary: str = Field(description="one line for people")
    local_dir: str
    source: str = Field(description="where the box's listing came from: a file, stdin or ssh HOST:DIR")
    manifest_mode: str = Field(description="git (tracked + untracked, not ignored), changed-since, or walk")
    changed_since: str | None = None
    counts: FileCounts
    files: list[FileCheck] = Field(description="problems first, then matching files, up to a cap")
    files_truncated: bool = Field(default=False, description="true when some checks were left out of `files`")
    extra_on_box: list[str] = Field(default_factory=list, description="files the box has and the local tree lacks (a sample)")
    extra_on_box_count: int = 0
    extra_on_box_by_dir: dict[str, int] = Field(default_factory=dict, description="extra files per top-level directory")
    deleted_still_on_box: list[str] = Field(default_factory=list, description="deleted locally since the ref, still on the box")
    symbols: list[SymbolCheck] = Field(default_factory=list)
    skipped: list[SkippedFile] = Field(default_factory=list, description="local files not compared (symlinks, unreadable)")
    notes: list[str] = Field(default_factory=list)


class PullReport(BaseModel):
    verdict: PullVerdict
    summary: str
    local_dir: str
    manifest: str = Field(description="where the box manifest came from")
    counts: FileCounts
    files: list[FileCheck]
    files_truncated: bool = False
    extra_local: list[str] = Field(default_factory=list, description="files here the box did not list (a sample)")
    extra_local_count: int = 0
    notes: list[str] = Field(default_factory=list)
