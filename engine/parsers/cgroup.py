"""cgroup v2/v1 files: memory.events counters, memory.max/current, cpu.max (the vCPUs you rent).

Single-value files print no header (`cat /sys/fs/cgroup/cpu.max` -> `400000 100000`), so which file a
bare value belongs to comes from the command, a probe section, a `grep -H` / `head` file prefix, or an
inline label (`memory.max: 17179869184`).
"""

from __future__ import annotations

import re

from gotcha_kb.engine.evidence import Fact, Reading, Segment

NAME = "cgroup"
FACTS = {
    "cgroup.oom_kill": "oom_kill counter of memory.events (v2) or memory.oom_control (v1)",
    "cgroup.oom": "oom counter of memory.events (times the limit was hit and reclaim failed)",
    "cgroup.memory_max_bytes": "memory.max / memory.limit_in_bytes (absent when unlimited)",
    "cgroup.memory_current_bytes": "memory.current / memory.usage_in_bytes",
    "cgroup.memory_use_pct": "memory.current as % of memory.max, when one segment shows both",
    "cgroup.cpu_vcpus": "cpu.max quota / period (absent when no quota)",
}
SECTIONS = ("cgroup-memory-events", "cgroup-memory-max", "cgroup-memory-current", "cgroup-cpu-max")

# file name -> kind
_FILES = {
    "memory.events.local": "events",
    "memory.events": "events",
    "memory.oom_control": "events",
    "memory.max": "mem_max",
    "memory.limit_in_bytes": "mem_max",
    "memory.current": "mem_cur",
    "memory.usage_in_bytes": "mem_cur",
    "cpu.max": "cpu_max",
    "cpu.cfs_quota_us": "cfs_quota",
    "cpu.cfs_period_us": "cfs_period",
}
_SECTION_KIND = {
    "cgroup-memory-events": "events",
    "cgroup-memory-max": "mem_max",
    "cgroup-memory-current": "mem_cur",
    "cgroup-cpu-max": "cpu_max",
}
_FILE_ALT = "|".join(re.escape(f) for f in _FILES)  # longest first: dict order above
_FILE_RE = re.compile(rf"(?:^|[/\s])({_FILE_ALT})(?![\w.])")
# `/sys/fs/cgroup/memory.events:oom_kill 0`, `memory.max: 17179869184`, `cpu.max = 400000 100000`
_LABELLED = re.compile(rf"^(?:[\w.-]{{0,200}}/)*({_FILE_ALT})\s*[:=]\s*(\S.{{0,80}})$")
_HEAD = re.compile(rf"^==> (?:\S{{0,300}}/)?({_FILE_ALT}) <==$")
_EVENT = re.compile(r"^(low|high|max|oom|oom_kill|oom_group_kill|oom_kill_disable|under_oom)\s+(\d{1,19})$")
_VALUE = re.compile(r"^(max|-?\d{1,20})(?:\s+(\d{1,12}))?$")
_UNLIMITED = 1 << 60  # v1 reports "no limit" as 9223372036854771712


def _command_files(cmd: str) -> list[str]:
    if not cmd or "vmstat" in cmd:
        return []
    return [_FILES[m.group(1)] for m in _FILE_RE.finditer(cmd)]


def _vmstat_like(seg: Segment) -> bool:
    """/proc/vmstat also has an `oom_kill N` line: the host's count, not the container's."""
    return "vmstat" in seg.command or any(ln.text.startswith(("nr_free_pages", "pgfault ", "pgmajfault ")) for ln in seg.lines)


def sniff(seg: Segment) -> bool:
    if _command_files(seg.command):
        return True
    for ln in seg.lines:
        t = ln.text
        if t.startswith("oom_kill ") or (("memory." in t or "cpu." in t) and _FILE_RE.search(t)):
            return True
    return False


def parse(seg: Segment) -> Reading:
    r = Reading()
    if _vmstat_like(seg):
        return r
    queue = [k for k in _command_files(seg.command) if k != "events"]  # bare values, in argument order
    current = _SECTION_KIND.get(seg.section.split(".")[0]) if seg.section else None
    if current is None and len(set(_command_files(seg.command))) == 1:
        current = _command_files(seg.command)[0]
    events_ctx = current == "events" or "events" in _command_files(seg.command) or any(
        ln.text.startswith("oom_kill ") for ln in seg.lines
    )
    vals: dict[str, tuple[int | float | None, int]] = {}

    def put(kind: str, text: str, no: int) -> bool:
        text = text.strip()
        if kind == "events":
            m = _EVENT.match(text)
            if not m:
                return False
            if m.group(1) in ("oom", "oom_kill"):
                name = "cgroup." + m.group(1)
                vals[name] = (max(int(m.group(2)), vals.get(name, (0, 0))[0] or 0), no)
            return True
        m = _VALUE.match(text)
        if not m:
            return False
        a, b = m.group(1), m.group(2)
        if kind in ("mem_max", "mem_cur"):
            if b is not None:
                return False
            if a == "max" or int(a) >= _UNLIMITED or int(a) < 0:
                if kind == "mem_max":
                    vals["mem_max"] = (None, no)
                    return True
                return False
            vals[kind] = (int(a), no)
        elif kind == "cpu_max":
            if b is None or int(b) <= 0:
                return False
            vals["cpu"] = (None if a == "max" else int(a) / int(b), no)
        elif kind in ("cfs_quota", "cfs_period"):
            if b is not None or a == "max":
                return False
            vals[kind] = (int(a), no)
        return True

    for ln in seg.lines:
        t = ln.text
        h = _HEAD.match(t)
        if h:
            current = _FILES[h.group(1)]
            r.claimed.add(ln.no)
            continue
        lab = _LABELLED.match(t)
        if lab and put(_FILES[lab.group(1)], lab.group(2), ln.no):
            r.claimed.add(ln.no)
            continue
        if (events_ctx or current == "events") and put("events", t, ln.no):
            r.claimed.add(ln.no)
            continue
        if _VALUE.match(t):
            if current is not None and current != "events":
                if put(current, t, ln.no):
                    r.claimed.add(ln.no)
                    if queue and queue[0] == current:
                        queue.pop(0)
                continue
            if queue and put(queue[0], t, ln.no):
                queue.pop(0)
                r.claimed.add(ln.no)
    for name in ("cgroup.oom_kill", "cgroup.oom"):
        if name in vals:
            r.facts.append(Fact(name, int(vals[name][0] or 0), vals[name][1]))
    mx, cur = vals.get("mem_max"), vals.get("mem_cur")
    if mx and mx[0] is not None:
        r.facts.append(Fact("cgroup.memory_max_bytes", mx[0], mx[1], "B"))
    if cur:
        r.facts.append(Fact("cgroup.memory_current_bytes", cur[0], cur[1], "B"))
    if mx and cur and mx[0]:
        r.facts.append(Fact("cgroup.memory_use_pct", round(100.0 * float(cur[0]) / float(mx[0]), 1), cur[1], "%"))
    cpu = vals.get("cpu")
    if cpu is None and "cfs_quota" in vals and vals.get("cfs_period", (0, 0))[0]:
        q, p = vals["cfs_quota"], vals["cfs_period"]
        cpu = (None if q[0] < 0 else q[0] / p[0], q[1])
    if cpu and cpu[0] is not None and cpu[0] > 0:
        r.facts.append(Fact("cgroup.cpu_vcpus", round(cpu[0], 2), cpu[1]))
    return r
