"""`df -h` / `df -k` / `df -i` tables: the fullest mount by bytes and by inodes."""

from __future__ import annotations

import re

from gotcha_kb.engine.evidence import Fact, Reading, Segment

NAME = "df"
FACTS = {
    "df.use_pct": "highest byte Use% among mounts",
    "df.inode_use_pct": "highest IUse% among mounts",
}
SECTIONS = ("df", "df-h", "df-i")
_HEADER = re.compile(r"^Filesystem\s+(?:Size|\d+[KMG]?-blocks|1K-blocks|Inodes|Type)\b.*\b(I?Use%)\s+Mounted on", re.I)
_PCT = re.compile(r"\s(\d{1,3})%\s+(/\S*)\s*$")
_PCT_ONLY = re.compile(r"^\s*\S+(?:\s+\S+){2,4}\s+(\d{1,3})%\s+(/\S*)\s*$")
# Pseudo filesystems whose fullness means nothing to a training job.
_IGNORE = ("/dev", "/sys", "/proc", "/run", "/snap/", "/boot/efi")


def _inode_flag(cmd: str) -> bool:
    """`df -i`, `df -ih`, `df -hi /x`, `df --inodes`."""
    return any(a == "--inodes" or (a.startswith("-") and not a.startswith("--") and "i" in a) for a in cmd.split()[1:])


def sniff(seg: Segment) -> bool:
    return seg.command.startswith("df") or any(_HEADER.match(ln.text) for ln in seg.lines)


def parse(seg: Segment) -> Reading:
    r = Reading()
    mode: str | None = None
    if seg.section == "df-i" or (seg.command.startswith("df") and _inode_flag(seg.command)):
        mode = "inode"
    elif seg.section in ("df", "df-h") or seg.command.startswith("df"):
        mode = "bytes"
    pending: str | None = None  # df wraps a long device name onto its own line
    for ln in seg.lines:
        h = _HEADER.match(ln.text)
        if h:
            mode = "inode" if h.group(1).upper() == "IUSE%" else "bytes"
            r.claimed.add(ln.no)
            continue
        if mode is None:
            continue
        text = ln.text
        if pending is not None:
            text = f"{pending} {text}"
            pending = None
        m = _PCT.search(text)
        if not m:
            if len(text.split()) == 1 and text.startswith(("/", "overlay", "tmpfs", "shm")):
                pending = text
                r.claimed.add(ln.no)
            continue
        pct, mount = int(m.group(1)), m.group(2)
        r.claimed.add(ln.no)
        if mount == "/dev/shm" or any(mount == p or mount.startswith(p + "/") or mount.startswith(p) and p.endswith("/") for p in _IGNORE):
            continue
        r.facts.append(Fact("df.inode_use_pct" if mode == "inode" else "df.use_pct", pct, ln.no, "%"))
    return r
