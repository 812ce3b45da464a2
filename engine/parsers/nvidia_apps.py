"""`nvidia-smi --query-compute-apps=...`: how many processes hold GPU memory.

Only read when the prompt line says which command printed the block, since the rows (`12345, 20312
MiB`) look like any CSV. A header with no rows, or no output at all before the next prompt, means
no process holds the card: the reading that separates a ghost allocation (U11) from a crowded GPU.
"""

from __future__ import annotations

import re

from gotcha_kb.engine.evidence import Fact, Reading, Segment

NAME = "nvidia_apps"
FACTS = {"gpu.processes": "rows of --query-compute-apps (0 when it printed only a header or nothing)"}
SECTIONS = ("nvidia-apps",)

_HEADER = re.compile(r"^(?:pid|gpu_uuid|gpu_bus_id|process_name|used_memory|name)\b.*", re.IGNORECASE)
_ROW = re.compile(r"^(?:GPU-[0-9a-f-]{8,}\s*,\s*)?(?:[0-9A-F:.]{6,}\s*,\s*)?\d{1,9}\s*,")
_NONE = re.compile(r"(?i)no running (?:compute )?processes found")


def sniff(seg: Segment) -> bool:
    return "--query-compute-apps" in seg.command or seg.section in SECTIONS


def parse(seg: Segment) -> Reading:
    r = Reading()
    body = seg.lines[1:] if seg.lines and not seg.section else seg.lines  # lines[0] is the prompt
    rows = 0
    for ln in body:
        t = ln.text.strip()
        if not t:
            continue
        if _HEADER.match(t) or _NONE.search(t):
            r.claimed.add(ln.no)
        elif _ROW.match(t):
            rows += 1
            r.claimed.add(ln.no)
        else:
            return Reading()  # something else is mixed in: do not guess
    if not body and not seg.followed:
        return r  # the paste ends at the prompt: the output was not pasted, not empty
    where = body[0].no if body else seg.lines[0].no if seg.lines else 0  # an empty probe section has no line
    r.facts.append(Fact("gpu.processes", rows, where))
    return r
