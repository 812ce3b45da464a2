"""Kernel log (dmesg, journalctl -k, /var/log/kern.log): OOM kills and NVIDIA Xid codes."""

from __future__ import annotations

import re

from gotcha_kb.engine.evidence import Fact, Reading, Segment
from gotcha_kb.engine.prefilter import lowered_exactly

NAME = "dmesg"
FACTS = {
    "dmesg.oom_kill": "kernel OOM kills seen",
    "dmesg.xid": "NVIDIA Xid codes seen (list)",
    "dmesg.lines": "kernel-log lines seen",
}
SUMMED = ("dmesg.oom_kill", "dmesg.lines")

_KERNELISH = re.compile(
    r"(?i)^(?:kernel:\s|NVRM:|Out of memory|oom-kill:|oom_reaper:|Memory cgroup out of memory|"
    r"\w[\w-]* invoked oom-killer|Killed process|audit:|EXT4-fs|XFS \(|nvidia(?:-[a-z]+)?(?::\s| [0-9a-f]{4}:)|pcieport|usb \d|eth\d|ACPI(?::| BIOS)|"
    r"IPv6:|Linux version|Command line:|BIOS-|e820|PCI(?::|-DMA:| host bridge)|pci [0-9a-f]{4}:|cgroup:|systemd\[1\]|CPU\d|smpboot|clocksource|"
    r"NET:|Freeing|Mount-cache|TCP:|tsc:|x86/|input:|ata\d|scsi|sd \d|nvme\d|loop\d|docker0|veth|br-|overlayfs)"
)
_OOM = re.compile(r"(?i)(?:Out of memory: Killed process \d+|Memory cgroup out of memory: Killed process \d+|oom-kill:constraint=|Killed process \d+ \(.{0,64}?\) total-vm)")
_XID = re.compile(r"NVRM: Xid \([^)]*\): (\d+)")
_STAMPED = re.compile(r"^\[\s*\d+\.\d+\]")
SECTIONS = ("dmesg",)


# Not kernel messages: the tool's own complaints and journalctl decorations.
_NOT_KERNEL = ("dmesg:", "journalctl:", "-- ", "Hint:", "No journal files", "tail:", "cat:", "grep:", "sh:", "bash:", "/bin/sh:")


def _kernel_command(seg: Segment) -> bool:
    cmd = seg.command
    words = cmd.split()
    if words[:1] == ["sudo"]:
        words = words[1:]
    return (
        seg.section.split(".")[0] in SECTIONS
        or words[:1] == ["dmesg"]
        or (words[:1] == ["journalctl"] and ("-k" in words or "--dmesg" in words or "-kf" in words))
        or "kern.log" in cmd
    )


def sniff(seg: Segment) -> bool:
    if "dmesg" in seg.command or "journalctl" in seg.command or "kern.log" in seg.command:
        return True
    if any(_KERNELISH.match(ln.text) for ln in seg.lines[:400]):
        return True
    # The decisive kernel line often sits at the very end of a long application log.
    text = seg.text
    if "NVRM: Xid" in text:
        return True
    # Every _OOM match holds one of these words; finding them in the lowered text is a C scan,
    # the case-insensitive regex over a megabyte of log was 25 ms.
    low = lowered_exactly(text)
    if low is not None and "killed process" not in low and "oom-kill:constraint=" not in low:
        return False
    return _OOM.search(text) is not None


def parse(seg: Segment) -> Reading:
    r = Reading()
    kills = 0
    xids: list[int] = []
    seen = 0
    whole = _kernel_command(seg)  # `dmesg` printed every line of this segment
    for i, ln in enumerate(seg.lines):
        t = ln.text
        kernel = bool(_KERNELISH.match(t)) or "NVRM:" in t
        if whole and not kernel and not (i == 0 and not seg.section) and not t.startswith(_NOT_KERNEL) and not t.endswith("not found"):
            kernel = True
        # Substring gates first: on a long log these lines are rare and the regexes are not free.
        if ("Killed process" in t or "oom-kill:" in t) and _OOM.search(t):
            # One kill logs both `oom-kill:constraint=...` and `Killed process`: count the latter.
            if "Killed process" in t:
                kills += 1
            r.claimed.add(ln.no)
            kernel = True
        m = _XID.search(t) if "NVRM: Xid" in t else None
        if m:
            xids.append(int(m.group(1)))
            r.claimed.add(ln.no)
            kernel = True
        if kernel:
            seen += 1
    # An empty probe section means "no OOM/Xid lines"; one that only says dmesg was refused means "unknown".
    blocked = any("not permitted" in ln.text or ln.text.endswith("not found") for ln in seg.lines)
    if seen or (seg.section and not blocked):
        r.facts.append(Fact("dmesg.lines", seen))
        r.facts.append(Fact("dmesg.oom_kill", kills))
    if xids:
        first = next(ln.no for ln in seg.lines if _XID.search(ln.text))
        r.facts.append(Fact("dmesg.xid", sorted(set(xids)), first))
    return r
