"""Split a paste into segments: one per `gotcha probe` section, or per shell prompt line.

Knowing which command printed a block lets parsers read outputs that carry no header of their
own (`cat /sys/fs/cgroup/cpu.max` prints just `400000 100000`).
"""

from __future__ import annotations

import re

from gotcha_kb.engine.evidence import Line, Segment

_PROBE = re.compile(r"^=====\s*gotcha-probe:\s*([a-z0-9_.-]+)\s*=====$")
# `$ cmd`, `root@host:~# cmd`, `(base) user@box:/work$ cmd`, `PS C:\> cmd`
_PROMPT = re.compile(r"^(?:\([\w.-]+\)\s*)?(?:[\w.-]+@[\w.-]+(?::[^\s$#]*)?\s?|PS [A-Z]:\\[^>]*)?[$#>]\s+(\S.{0,300})$")


def probe_marker(text: str) -> bool:
    """A `gotcha probe` section header (`===== gotcha-probe: df-h =====`)."""
    return text.startswith("=====") and _PROBE.match(text) is not None


def prompt_command(text: str) -> str | None:
    m = _PROMPT.match(text)
    if not m:
        return None
    cmd = m.group(1)
    if text.startswith("#") and not cmd[:1].isalpha():
        return None
    return cmd


def split(lines: list[Line]) -> list[Segment]:
    segments: list[Segment] = [Segment(lines=[])]
    for line in lines:
        m = _PROBE.match(line.text) if line.text.startswith("=====") else None
        if m:
            segments[-1].followed = True
            segments.append(Segment(lines=[], command=m.group(1), section=m.group(1)))
            continue
        head = line.text[:200]
        cmd = prompt_command(line.text) if ("$" in head or "#" in head or ">" in head) else None
        if cmd is not None and not segments[-1].section:
            segments[-1].followed = True
            segments.append(Segment(lines=[line], command=cmd))
            continue
        segments[-1].lines.append(line)
    return [s for s in segments if s.lines or s.section]
