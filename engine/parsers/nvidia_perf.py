"""`nvidia-smi -q [-d PERFORMANCE]`: the Clocks Throttle/Event Reasons block says why clocks are low."""

from __future__ import annotations

import re

from gotcha_kb.engine.evidence import Fact, Reading, Segment

NAME = "nvidia_perf"
FACTS = {
    "gpu.throttle_thermal": "a thermal slowdown reason (HW/SW Thermal Slowdown) is Active on some GPU",
    "gpu.throttle_power": "SW Power Cap or HW Power Brake Slowdown is Active on some GPU",
    "gpu.count": "`Attached GPUs : N` in nvidia-smi -q",
}
SECTIONS = ("nvidia-perf",)

_BLOCK = re.compile(r"^Clocks? (?:Throttle|Event) Reasons\s*:?\s*$")
_REASON = re.compile(
    r"^(Idle|Applications Clocks Setting|SW Power Cap|HW Slowdown|HW Thermal Slowdown|HW Power Brake Slowdown|"
    r"Sync Boost|SW Thermal Slowdown|Display Clock Setting|Unknown)\s*:\s*(Active|Not Active)\s*$"
)
_ATTACHED = re.compile(r"^Attached GPUs\s*:\s*(\d{1,4})$")
_THERMAL = ("HW Thermal Slowdown", "SW Thermal Slowdown")
_POWER = ("SW Power Cap", "HW Power Brake Slowdown")


def sniff(seg: Segment) -> bool:
    return any(ln.text.startswith(("Clocks Throttle Reasons", "Clocks Event Reasons", "Clock Throttle Reasons")) for ln in seg.lines)


def parse(seg: Segment) -> Reading:
    r = Reading()
    in_block = False
    thermal: tuple[bool, int] | None = None
    power: tuple[bool, int] | None = None
    for ln in seg.lines:
        t = ln.text
        if _BLOCK.match(t):
            in_block = True
            r.claimed.add(ln.no)
            continue
        a = _ATTACHED.match(t)
        if a:
            r.claimed.add(ln.no)
            r.facts.append(Fact("gpu.count", int(a.group(1)), ln.no))
            continue
        if not in_block:
            continue
        m = _REASON.match(t)
        if not m:
            in_block = False  # the block ended (next section of -q output)
            continue
        r.claimed.add(ln.no)
        reason, active = m.group(1), m.group(2) == "Active"
        if reason in _THERMAL and (thermal is None or (active and not thermal[0])):
            thermal = (active, ln.no)
        if reason in _POWER and (power is None or (active and not power[0])):
            power = (active, ln.no)
    if thermal is not None:
        r.facts.append(Fact("gpu.throttle_thermal", thermal[0], thermal[1]))
    if power is not None:
        r.facts.append(Fact("gpu.throttle_power", power[0], power[1]))
    return r
