"""`nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]`: whatever columns are present."""

from __future__ import annotations

import re
import shlex

from gotcha_kb.engine.evidence import Fact, Reading, Segment

NAME = "nvidia_query"
FACTS = {
    "gpu.count": "GPUs listed (rows, or distinct index/uuid/bus id when looping)",
    "gpu.util_pct": "highest utilization.gpu %",
    "gpu.sm_clock_mhz": "SM clock of the GPU with the lowest clock share (MHz)",
    "gpu.sm_clock_max_mhz": "max SM clock of that GPU (MHz)",
    "gpu.sm_clock_pct": "clocks.sm as % of clocks.max.sm (lowest across GPUs: the throttled one)",
    "gpu.power_pct": "highest power.draw as % of power.limit",
    "gpu.temp_c": "highest temperature.gpu (°C)",
    "gpu.mem_used_mib": "memory.used of the busiest GPU (MiB)",
    "gpu.mem_total_mib": "memory.total of the busiest GPU (MiB)",
    "gpu.mem_free_mib": "memory.free of the busiest GPU (MiB)",
    "gpu.mem_used_pct": "highest memory.used / memory.total %",
    "gpu.throttle_thermal": "a clocks_throttle_reasons / clocks_event_reasons thermal column says Active",
    "gpu.throttle_power": "a clocks_throttle_reasons / clocks_event_reasons power column says Active",
}
SECTIONS = ("nvidia-query",)

# Query names nvidia-smi accepts -> our key. The header prints canonical names, the command may use aliases.
_KEYS = {
    "utilization.gpu": "util",
    "clocks.sm": "sm",
    "clocks.current.sm": "sm",
    "clocks.max.sm": "sm_max",
    "clocks.max.shader": "sm_max",
    "power.draw": "draw",
    "power.draw.instant": "draw",
    "power.draw.average": "draw",
    "power.limit": "limit",
    "enforced.power.limit": "limit",
    "power.management.limit": "limit",
    "temperature.gpu": "temp",
    "memory.used": "used",
    "memory.total": "total",
    "memory.free": "free",
    "index": "id",
    "uuid": "id",
    "gpu_uuid": "id",
    "pci.bus_id": "id",
    "gpu_bus_id": "id",
}
_THERMAL = ("hw_thermal_slowdown", "sw_thermal_slowdown")
_POWER = ("sw_power_cap", "hw_power_brake_slowdown")
_FIELD = re.compile(r"^([a-z][a-z0-9_]*(?:\.[a-z0-9_]+){0,4})(?:\s*\[[^\]]{0,20}\])?$")
_NUM = re.compile(r"^(-?\d{1,12}(?:\.\d{1,6})?)\s*(?:%|MHz|W|MiB|C)?$")


def _key(name: str) -> str | None:
    if name in _KEYS:
        return _KEYS[name]
    if name.startswith(("clocks_throttle_reasons.", "clocks_event_reasons.")):
        reason = name.split(".", 1)[1]
        if reason in _THERMAL:
            return "thermal"
        if reason in _POWER:
            return "power"
    return None


def _header(text: str) -> list[str | None] | None:
    """Field keys of a CSV header line, or None when the line is not a --query-gpu header."""
    if "," not in text and not _FIELD.match(text.strip()):
        return None
    keys: list[str | None] = []
    for part in text.split(","):
        m = _FIELD.match(part.strip())
        if not m:
            return None
        keys.append(_key(m.group(1)))
    if not any(k and k != "id" for k in keys):
        return None
    if "," not in text and "." not in text:
        return None
    return keys


def _command_fields(cmd: str) -> list[str | None] | None:
    if "--query-gpu" not in cmd:
        return None
    try:
        args = shlex.split(cmd)
    except ValueError:
        args = cmd.split()
    for i, a in enumerate(args):
        if a.startswith("--query-gpu"):
            val = a.split("=", 1)[1] if "=" in a else (args[i + 1] if i + 1 < len(args) else "")
            names = [n.strip() for n in val.split(",") if n.strip()]
            if not names:
                return None
            keys = [_key(n) for n in names]
            return keys if any(keys) else None
    return None


def _value(raw: str) -> float | str | None:
    v = raw.strip()
    if not v or v.startswith("[") or v in ("N/A", "Unknown"):
        return None
    if v in ("Active", "Not Active"):
        return v
    m = _NUM.match(v)
    return float(m.group(1)) if m else None


def sniff(seg: Segment) -> bool:
    if "--query-gpu" in seg.command:
        return True
    for ln in seg.lines:
        t = ln.text
        if ("utilization.gpu" in t or "memory.used" in t or "clocks." in t or "power.draw" in t
                or "temperature.gpu" in t or "_reasons." in t) and _header(t):
            return True
    return False


def _row(text: str, keys: list[str | None]) -> dict | None:
    parts = text.split(",")
    if len(parts) != len(keys):
        return None
    row: dict = {}
    known = 0
    for part, key in zip(parts, keys):
        v = _value(part)
        p = part.strip()
        if v is None and not (p.startswith("[") or p in ("N/A", "Unknown")):
            if key not in (None, "id"):
                return None  # a mapped column holds something that is not a value: not a data row
        if key == "id":
            row["id"] = p
        elif key in ("thermal", "power") and isinstance(v, str):
            row[key] = "Active" if "Active" in (v, row.get(key)) else v
            known += 1
        elif key and v is not None:
            row[key] = v
            known += 1
        elif key:
            known += 1  # [N/A] still makes it a row
    return row if known else None


def parse(seg: Segment) -> Reading:
    r = Reading()
    keys = _command_fields(seg.command) if "noheader" in seg.command else None
    rows: list[dict] = []
    for ln in seg.lines:
        h = _header(ln.text)
        if h is not None:
            keys = h
            r.claimed.add(ln.no)
            continue
        if keys is None:
            continue
        row = _row(ln.text, keys)
        if row is None:
            continue
        row["line"] = ln.no
        rows.append(row)
        r.claimed.add(ln.no)
    if not rows:
        return r
    ids = {row["id"] for row in rows if "id" in row}
    looping = any(f in seg.command.split() for f in ("-l", "-lms")) or "--loop" in seg.command
    if ids:
        r.facts.append(Fact("gpu.count", len(ids), rows[0]["line"]))
    elif not looping:
        r.facts.append(Fact("gpu.count", len(rows), rows[0]["line"]))
    for row in rows:
        for k in ("util", "sm", "sm_max", "draw", "limit", "temp", "used", "total", "free"):
            if not isinstance(row.get(k), float):
                row.pop(k, None)
        if "sm" in row and row.get("sm_max"):
            row["sm_pct"] = round(100.0 * row["sm"] / row["sm_max"], 1)
        if "draw" in row and row.get("limit"):
            row["power_pct"] = round(100.0 * row["draw"] / row["limit"], 1)
        if "total" in row and "used" not in row and "free" in row:
            row["used"] = row["total"] - row["free"]
        if "total" in row and "free" not in row and "used" in row:
            row["free"] = row["total"] - row["used"]
        if row.get("total") and "used" in row:
            row["mem_pct"] = round(100.0 * row["used"] / row["total"], 1)

    def best(key: str, lowest: bool = False) -> dict | None:
        have = [row for row in rows if key in row]
        if not have:
            return None
        return min(have, key=lambda row: row[key]) if lowest else max(have, key=lambda row: row[key])

    for key, fact, unit in (("util", "gpu.util_pct", "%"), ("temp", "gpu.temp_c", "C"), ("power_pct", "gpu.power_pct", "%")):
        row = best(key)
        if row:
            r.facts.append(Fact(fact, _num(row[key]), row["line"], unit))
    row = best("sm_pct", lowest=True)
    if row:
        r.facts.append(Fact("gpu.sm_clock_mhz", _num(row["sm"]), row["line"], "MHz"))
        r.facts.append(Fact("gpu.sm_clock_max_mhz", _num(row["sm_max"]), row["line"], "MHz"))
        r.facts.append(Fact("gpu.sm_clock_pct", row["sm_pct"], row["line"], "%"))
    else:
        for key, fact in (("sm", "gpu.sm_clock_mhz"), ("sm_max", "gpu.sm_clock_max_mhz")):
            row = best(key)
            if row:
                r.facts.append(Fact(fact, _num(row[key]), row["line"], "MHz"))
    row = best("mem_pct")
    if row:
        r.facts.append(Fact("gpu.mem_used_mib", _num(row["used"]), row["line"], "MiB"))
        r.facts.append(Fact("gpu.mem_total_mib", _num(row["total"]), row["line"], "MiB"))
        r.facts.append(Fact("gpu.mem_free_mib", _num(row["free"]), row["line"], "MiB"))
        r.facts.append(Fact("gpu.mem_used_pct", row["mem_pct"], row["line"], "%"))
    else:
        for key, fact in (("used", "gpu.mem_used_mib"), ("total", "gpu.mem_total_mib"), ("free", "gpu.mem_free_mib")):
            row = best(key)
            if row:
                r.facts.append(Fact(fact, _num(row[key]), row["line"], "MiB"))
    for key, fact in (("thermal", "gpu.throttle_thermal"), ("power", "gpu.throttle_power")):
        flags = [row for row in rows if isinstance(row.get(key), str)]
        if flags:
            hit = next((row for row in flags if row[key] == "Active"), flags[0])
            r.facts.append(Fact(fact, hit[key] == "Active", hit["line"]))
    return r


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v
