"""The default `nvidia-smi` table (classic and 2023+ layouts): per-GPU load, memory, heat, power, processes."""

from __future__ import annotations

import re

from gotcha_kb.engine.evidence import Fact, Line, Reading, Segment

NAME = "nvidia_smi"
FACTS = {
    "gpu.count": "GPUs listed (0 when nvidia-smi finds none or cannot reach the driver)",
    "gpu.util_pct": "highest GPU-Util %",
    "gpu.mem_used_mib": "memory used on the busiest GPU (MiB)",
    "gpu.mem_total_mib": "memory total on the busiest GPU (MiB)",
    "gpu.mem_free_mib": "memory free on the busiest GPU (MiB)",
    "gpu.mem_used_pct": "highest memory use %",
    "gpu.temp_c": "highest GPU temperature (°C)",
    "gpu.power_pct": "highest power draw as % of the power cap",
    "gpu.processes": "processes listed in the Processes table (0 for 'No running processes found')",
}
SECTIONS = ("nvidia-smi",)

_NA = r"(?:N/A|ERR!|\[N/A\]|Unknown)"
# First cell of the stats row: `N/A   34C    P0    70W / 700W` or `30%   45C   P2  120W / 350W`
_CELL_STATS = re.compile(
    rf"^(?:\d{{1,3}}%|{_NA})\s+(?:(\d{{1,3}})C|{_NA})\s+(?:P\d{{1,2}}|{_NA})\s+"
    rf"(?:(\d{{1,4}}(?:\.\d+)?)W|{_NA})\s*/\s*(?:(\d{{1,4}}(?:\.\d+)?)W|{_NA})$"
)
_CELL_MEM = re.compile(r"^(\d{1,7})MiB\s*/\s*(\d{1,7})MiB$")
_CELL_UTIL = re.compile(rf"^(?:(\d{{1,3}})%|{_NA})(?:\s+\S.*)?$")
_BUS_ID = re.compile(r"[0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-7]")
_PROC_TYPES = {"C", "G", "C+G", "M", "M+C", "M+G", "M+C+G"}
_FAILED = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver"


def _is_border(t: str) -> bool:
    return len(t) > 2 and t[0] in "+|" and t[1] in "-=" and not t.strip("+|-= ")


def _cells(t: str) -> list[str]:
    return [c.strip() for c in t.strip("|").split("|")]


def _anchor(t: str) -> bool:
    return "NVIDIA-SMI " in t or "Persistence-M" in t or "Processes:" in t or "MiB /" in t


def sniff(seg: Segment) -> bool:
    if seg.command.startswith("nvidia-smi") and "--query" not in seg.command and " -q" not in seg.command:
        return True
    return any((ln.text[:1] in "|+" and _anchor(ln.text)) or ln.text.startswith(_FAILED) for ln in seg.lines)


def _process_row(t: str) -> bool:
    """`|    0   N/A  N/A   1234567      C   python    1234MiB |` (GI/CI columns optional)."""
    if not (t.startswith("|") and t.endswith("|")):
        return False
    tok = t[1:-1].split()
    if len(tok) < 5 or not tok[0].isdigit():
        return False
    last = tok[-1]
    if not (last == "N/A" or (last.endswith("MiB") and last[:-3].isdigit())):
        return False
    for i in (2, 4):  # Type comes after GPU PID, or after GPU GI CI PID
        if len(tok) > i + 1 and tok[i] in _PROC_TYPES and tok[i - 1].isdigit():
            return True
    return False


def _runs(lines: list[Line]) -> list[list[Line]]:
    runs: list[list[Line]] = []
    cur: list[Line] = []
    for ln in lines:
        if ln.text[:1] in "|+":
            cur.append(ln)
        else:
            if cur:
                runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def parse(seg: Segment) -> Reading:
    r = Reading()
    gpus: list[dict] = []
    procs: int | None = None
    proc_line = 0
    bus_rows: list[int] = [0]  # GPU rows per table: `watch nvidia-smi` may paste the table twice
    stats_rows: list[int] = [0]
    for run in _runs(seg.lines):
        if not any(_anchor(ln.text) or _CELL_STATS.match(_cells(ln.text)[0]) for ln in run):
            continue
        in_procs = False
        structural = False  # claim the run only if it really is nvidia-smi output
        for ln in run:
            t = ln.text
            if _is_border(t):
                continue
            if "NVIDIA-SMI " in t or "Persistence-M" in t:
                structural = True
            if "NVIDIA-SMI " in t:
                in_procs = False
                if bus_rows[-1] or stats_rows[-1]:
                    bus_rows.append(0)
                    stats_rows.append(0)
            if "Processes:" in t:
                in_procs, procs, proc_line = True, 0, ln.no
                structural = True
                continue
            if in_procs:
                if "No running processes found" in t:
                    procs = 0
                elif _process_row(t):
                    procs = (procs or 0) + 1
                continue
            cells = _cells(t)
            if len(cells) < 3:
                continue
            if _BUS_ID.search(cells[1]) and cells[0][:1].isdigit():
                bus_rows[-1] += 1
                structural = True
                continue
            s = _CELL_STATS.match(cells[0])
            if not s:
                continue
            g: dict = {"line": ln.no}
            if s.group(1):
                g["temp"] = int(s.group(1))
            if s.group(2) and s.group(3) and float(s.group(3)) > 0:
                g["power"] = round(100.0 * float(s.group(2)) / float(s.group(3)), 1)
            m = _CELL_MEM.match(cells[1])
            if m:
                used, total = int(m.group(1)), int(m.group(2))
                g["used"], g["total"] = used, total
                g["pct"] = round(100.0 * used / total, 1) if total else 0.0
            u = _CELL_UTIL.match(cells[2])
            if u and u.group(1):
                g["util"] = int(u.group(1))
            gpus.append(g)
            stats_rows[-1] += 1
            structural = True
        if structural:
            r.claimed.update(ln.no for ln in run)
    failed = None
    for ln in seg.lines:
        t = ln.text
        if t.startswith(_FAILED) or (t == "No devices were found" and (seg.command.startswith("nvidia-smi") or seg.section)):
            failed = ln.no
            r.claimed.add(ln.no)
    count = max(max(bus_rows), max(stats_rows))
    if count:
        first = gpus[0]["line"] if gpus else 0
        r.facts.append(Fact("gpu.count", count, first))
    elif failed:
        r.facts.append(Fact("gpu.count", 0, failed))
    for key, fact, unit in (("util", "gpu.util_pct", "%"), ("temp", "gpu.temp_c", "C"), ("power", "gpu.power_pct", "%")):
        vals = [g for g in gpus if key in g]
        if vals:
            top = max(vals, key=lambda g: g[key])
            r.facts.append(Fact(fact, top[key], top["line"], unit))
    with_mem = [g for g in gpus if "used" in g]
    if with_mem:
        busy = max(with_mem, key=lambda g: (g["pct"], g["used"]))
        r.facts.append(Fact("gpu.mem_used_mib", busy["used"], busy["line"], "MiB"))
        r.facts.append(Fact("gpu.mem_total_mib", busy["total"], busy["line"], "MiB"))
        r.facts.append(Fact("gpu.mem_free_mib", busy["total"] - busy["used"], busy["line"], "MiB"))
        r.facts.append(Fact("gpu.mem_used_pct", busy["pct"], busy["line"], "%"))
    if procs is not None:
        r.facts.append(Fact("gpu.processes", procs, proc_line))
    return r
