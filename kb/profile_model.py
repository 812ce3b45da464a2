"""Typed platform profiles: front-matter facts, sections, survival table, script overrides."""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gotcha_kb.kb.models import Entry, SourceRef

DEPENDENCY_WORDS = (
    "host-dependent",
    "image-dependent",
    "per-platform",
    "mixed",
    "undocumented",
    "not-stated",
    "lambda-stack-dependent",
    "n/a",
)
Tri = Union[bool, Literal[DEPENDENCY_WORDS]]  # type: ignore[valid-type]

SECTION_ORDER = (
    "Launch",
    "Storage model",
    "Network",
    "Spot / interruption and resume",
    "Teardown / billing",
    "Daemon tool",
    "Top gotchas",
    "Script overrides",
)
OVERRIDE_KEYS = ("DATA_DIR", "DURABLE_DIR", "PROXY_HOOK", "CRED_FILE", "SCRATCH", "HF_HOME", "DETACH")


class ProfileFacts(BaseModel):
    """The machine-readable front matter. Every field required; unknown fields rejected."""

    model_config = ConfigDict(extra="forbid", strict=False)

    platform: str
    display_name: str
    kind: Literal["ssh-rental", "bare-ssh", "cloud-api", "kubernetes", "slurm", "workstation", "notebook"]
    gotcha_prefix: str = Field(pattern=r"^[A-Z]+$")
    verified: str = Field(pattern=r"^\d{4}-\d{2}$")
    meter_stop_verb: str
    meter_stop_irreversible: Tri
    storage_still_billed_when_stopped: Tri
    detach_primitive: str
    spot_available: Tri
    spot_grace: str
    shared_fs: Tri
    durable_path: str
    local_nvme: Tri
    local_nvme_path: str
    inode_cap: str
    free_egress: Tri
    egress_per_gb: str
    cross_az_per_gb: str
    china_mirror_needed: Tri
    tracker_proxy: str
    host_driver_cuda_max: str
    pin_image_by_sha256: Tri
    base_is_env: Tri
    secret_scanned_fs: str
    tb_logdir: str
    tb_port: str
    # Strings that give the platform away in a paste when its name is absent: hostnames, paths,
    # CLI names. Optional, so an old profile stays valid; diagnose uses them to infer the platform.
    hints: list[str] = Field(default_factory=list)

    @field_validator("hints")
    @classmethod
    def _distinct_hints(cls, v: list[str]) -> list[str]:
        # A CJK word of three characters is as specific as an ASCII word of many more.
        short = [h for h in v if len(h.strip()) < (4 if h.strip().isascii() else 2)]
        if short:
            raise ValueError(f"hints must be at least 4 characters, 2 for CJK (too easy to match by accident): {short}")
        return [h.strip() for h in v]

    @field_validator("verified", "tb_port", "spot_grace", "inode_cap", "egress_per_gb", "cross_az_per_gb", mode="before")
    @classmethod
    def _scalar_text(cls, v: object) -> object:
        # YAML reads `6007` as int and `2026-06` fine, but a bare number here is still text to us.
        return str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v


class SurvivalRow(BaseModel):
    tier: str
    path: str
    survives_stop: str
    survives_destroy: str
    cap: str
    line: int


class ProfileSection(BaseModel):
    title: str
    line: int
    text: str


class Profile(BaseModel):
    name: str
    facts: ProfileFacts
    sections: list[ProfileSection]
    survival: list[SurvivalRow]
    overrides: dict[str, str]
    gotchas: list[Entry]
    refs: list[str] = Field(default_factory=list)
    source: SourceRef

    def section(self, title: str) -> ProfileSection | None:
        return next((s for s in self.sections if s.title.lower() == title.lower()), None)
