"""Plain data the engine passes around: input lines, parsed facts, and evidence for a verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

FactValue = Union[bool, int, float, str, list]


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line number in the pasted input
    text: str  # normalized: no ANSI, no timestamps, stripped


@dataclass(frozen=True)
class Fact:
    name: str  # e.g. "df.inode_use_pct"
    value: FactValue
    line: int = 0  # the input line it came from (0 = derived)
    unit: str = ""


@dataclass
class Segment:
    """A stretch of input: the output of one command (when a prompt or probe marker says which)."""

    lines: list[Line]
    command: str = ""  # the command that printed it, if known ("df -i", "cat /sys/fs/cgroup/cpu.max")
    section: str = ""  # probe section name, if the input is a `gotcha probe` bundle
    followed: bool = False  # another segment comes after it: its output is complete, even if empty

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


@dataclass
class Parsed:
    """What the parsers made of an input."""

    lines: list[Line]
    segments: list[Segment]
    facts: dict[str, Fact] = field(default_factory=dict)
    claimed: set[int] = field(default_factory=set)  # lines some parser understood as command output
    # The probe's section headers, and the lines of its sections that no parser claimed: its own
    # complaints (`cat: ... No such file`, `nvidia-smi: not found`, a torch import failing in the
    # system python). Regex signals still read them; they are not the user's words, nor the error
    # the user asks about.
    probe_noise: set[int] = field(default_factory=set)
    parsers: list[str] = field(default_factory=list)

    @property
    def all_output(self) -> bool:
        """Every non-blank line is command output: nothing of the user's own."""
        return bool(self.claimed) and all(ln.no in self.claimed or ln.no in self.probe_noise for ln in self.lines if ln.text.strip())

    def own_lines(self, lines: list[Line]) -> list[Line]:
        """`lines` without the probe's noise: what can hold the error the user asks about."""
        return [ln for ln in lines if ln.no not in self.probe_noise] if self.probe_noise else lines

    def add(self, fact: Fact, combine: str = "max") -> None:
        """Keep one value per fact name; for numbers keep the max (the worst mount, the busiest GPU)."""
        old = self.facts.get(fact.name)
        if old is None:
            self.facts[fact.name] = fact
        elif isinstance(old.value, list) and isinstance(fact.value, list):
            self.facts[fact.name] = Fact(fact.name, sorted(set(old.value) | set(fact.value)), old.line or fact.line, fact.unit)
        elif combine == "max" and isinstance(fact.value, (int, float)) and not isinstance(fact.value, bool):
            if isinstance(old.value, (int, float)) and fact.value > old.value:
                self.facts[fact.name] = fact
        elif combine == "sum" and isinstance(fact.value, int) and isinstance(old.value, int):
            self.facts[fact.name] = Fact(fact.name, old.value + fact.value, old.line or fact.line, fact.unit)
        elif isinstance(fact.value, bool) and fact.value:
            self.facts[fact.name] = fact


@dataclass
class Reading:
    """What one parser got from one segment: facts, and the lines it understood."""

    facts: list[Fact] = field(default_factory=list)
    claimed: set[int] = field(default_factory=set)
