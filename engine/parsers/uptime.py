"""`uptime`, `uptime -p`, `w` / `top` header, /proc/uptime, /proc/loadavg: time since boot and load."""

from __future__ import annotations

import re

from gotcha_kb.engine.evidence import Fact, Reading, Segment

NAME = "uptime"
FACTS = {
    "uptime.minutes": "minutes since boot (int)",
    "uptime.load1": "1-minute load average",
}
SECTIONS = ("uptime",)

# `14:02:11 up ...`, `top - 14:02:11 up ...`, `10:02AM  up 3 days, ...` (BSD/macOS)
_LEAD = re.compile(r"^(?:top - )?(?:\d{1,2}:\d\d(?::\d\d)?(?:\s?[AaPp][Mm])?\s+)up\s+(.{1,300})$")
_PRETTY = re.compile(r"^up\s+(.{1,200})$")  # uptime -p
_PART = re.compile(
    r"^(\d{1,6})\s+(years?|weeks?|days?|hours?|hrs?|min|mins|minutes?|secs?|seconds?)$|^(\d{1,3}):(\d\d)$"
)
_LOAD = re.compile(r"load averages?:\s*(\d{1,6}(?:[.,]\d{1,3})?)")
_LOADAVG = re.compile(r"^(\d{1,6}\.\d\d)\s+\d{1,6}\.\d\d\s+\d{1,6}\.\d\d\s+\d{1,7}/\d{1,9}\s+\d{1,9}$")
_PROC_UPTIME = re.compile(r"^(\d{1,12}(?:\.\d{1,3})?)\s+\d{1,14}(?:\.\d{1,3})?$")
_MIN = {"y": 525960, "w": 10080, "d": 1440, "h": 60, "m": 1}


def _duration(text: str, whole: bool) -> int | None:
    """Minutes in `12 days,  3:04,  1 user, ...`; with whole=True every comma part must be a duration."""
    total, seen = 0.0, False
    for part in text.split(","):
        p = part.strip()
        m = _PART.match(p)
        if not m:
            if whole:
                return None
            break
        seen = True
        if m.group(3) is not None:
            total += int(m.group(3)) * 60 + int(m.group(4))
        else:
            unit = m.group(2)
            total += 0 if unit.startswith("s") else int(m.group(1)) * _MIN[unit[0]]
    return int(total) if seen else None


def sniff(seg: Segment) -> bool:
    cmd = seg.command
    if cmd.startswith(("uptime", "w ", "top")) or cmd == "w" or "/proc/loadavg" in cmd or "/proc/uptime" in cmd:
        return True
    return any("load average" in ln.text or ln.text.startswith("up ") for ln in seg.lines)


def _add_minutes(r: Reading, minutes: int | None, line: int) -> None:
    if minutes is not None:
        r.facts.append(Fact("uptime.minutes", minutes, line, "min"))
        r.claimed.add(line)


def parse(seg: Segment) -> Reading:
    r = Reading()
    cmd = seg.command
    loadavg_ctx = "/proc/loadavg" in cmd
    uptime_ctx = "/proc/uptime" in cmd
    for ln in seg.lines:
        t = ln.text
        m = _LEAD.match(t)
        if m:
            _add_minutes(r, _duration(m.group(1), whole=False), ln.no)
            lm = _LOAD.search(t)
            if lm:
                r.facts.append(Fact("uptime.load1", float(lm.group(1).replace(",", ".")), ln.no))
                r.claimed.add(ln.no)
            continue
        m = _PRETTY.match(t)
        if m:
            _add_minutes(r, _duration(m.group(1), whole=True), ln.no)
            continue
        m = _LOADAVG.match(t)
        if m:
            r.facts.append(Fact("uptime.load1", float(m.group(1)), ln.no))
            r.claimed.add(ln.no)
            continue
        if uptime_ctx and not loadavg_ctx:
            m = _PROC_UPTIME.match(t)
            if m:
                r.facts.append(Fact("uptime.minutes", int(float(m.group(1)) // 60), ln.no, "min"))
                r.claimed.add(ln.no)
    return r
