"""`free` (-b/-k/-m/-g/-h, old and new procps layouts): host memory and swap as `free` sees them."""

from __future__ import annotations

import re

from gotcha_kb.engine.evidence import Fact, Reading, Segment

NAME = "free"
FACTS = {
    "free.mem_total_mib": "total host memory (MiB)",
    "free.mem_used_pct": "used / total memory % (old procps: the -/+ buffers/cache row)",
    "free.swap_used_pct": "used / total swap % (absent when there is no swap)",
}
SECTIONS = ("free",)

_HEADER = re.compile(r"^total\s+used\s+free(?:\s+\S+){0,6}$")
_NUM = re.compile(r"^(\d{1,20}(?:[.,]\d{1,4})?)([KMGTP]i?|B)?$")
_MULT_MIB = {"B": 1 / 1048576, "K": 1 / 1024, "M": 1, "G": 1024, "T": 1024 * 1024, "P": 1024**3}


def _unit_from_command(cmd: str) -> str | None:
    """The unit of suffix-less numbers; None when unknown (no command context)."""
    args = cmd.split()
    if not args or args[0] != "free":
        return None
    unit = "K"
    for a in args[1:]:
        if a in ("-b", "--bytes"):
            unit = "B"
        elif a in ("-k", "--kibi", "--kilo"):
            unit = "K"
        elif a in ("-m", "--mebi", "--mega"):
            unit = "M"
        elif a in ("-g", "--gibi", "--giga"):
            unit = "G"
        elif a in ("--tebi", "--tera"):
            unit = "T"
        elif a.startswith("-") and not a.startswith("--"):
            for ch in a[1:]:
                if ch in "bkmg":
                    unit = {"b": "B", "k": "K", "m": "M", "g": "G"}[ch]
    return unit


def _mib(tok: str, unit: str | None) -> float | None:
    m = _NUM.match(tok)
    if not m:
        return None
    n = float(m.group(1).replace(",", "."))
    suffix = m.group(2)
    if suffix:
        return n * _MULT_MIB[suffix[0]]
    if unit is None:
        return None
    return n * _MULT_MIB[unit]


def sniff(seg: Segment) -> bool:
    if seg.command.split()[:1] == ["free"]:
        return True
    return any(_HEADER.match(ln.text) for ln in seg.lines) and any(ln.text.startswith("Mem:") for ln in seg.lines)


def parse(seg: Segment) -> Reading:
    r = Reading()
    unit = _unit_from_command(seg.command)
    if seg.section:
        unit = "M"  # `gotcha probe` runs `free -m` (engine/probe.py)
    cols: list[str] | None = None
    mem: tuple[list[str], int] | None = None
    cache_used: tuple[str, int] | None = None
    swap: tuple[list[str], int] | None = None
    for ln in seg.lines:
        t = ln.text
        if _HEADER.match(t):
            cols = t.split()
            r.claimed.add(ln.no)
            continue
        if cols is None:
            continue
        if t.startswith("Mem:"):
            mem = (t[4:].split(), ln.no)
            r.claimed.add(ln.no)
        elif t.startswith("-/+ buffers/cache:"):
            parts = t[len("-/+ buffers/cache:") :].split()
            if parts:
                cache_used = (parts[0], ln.no)
            r.claimed.add(ln.no)
        elif t.startswith(("Swap:", "Total:", "Low:", "High:")):
            if t.startswith("Swap:"):
                swap = (t[5:].split(), ln.no)
            r.claimed.add(ln.no)
        else:
            # A new table starts with a header; anything else ends this one.
            cols = None
    if cols is None and mem is None:
        return r
    return _facts(r, mem, cache_used, swap, unit)


def _facts(r: Reading, mem, cache_used, swap, unit) -> Reading:
    # The first two columns are always total and used.
    if mem and len(mem[0]) >= 2:
        total, used = _ratio_pair(mem[0][0], mem[0][1])
        if cache_used:
            _, used = _ratio_pair(mem[0][0], cache_used[0])
        if total:
            if used is not None:
                r.facts.append(Fact("free.mem_used_pct", round(100.0 * used / total, 1), mem[1], "%"))
            mib = _mib(mem[0][0], unit or _guess_unit(mem[0][0]))
            if mib is not None:
                r.facts.append(Fact("free.mem_total_mib", int(round(mib)), mem[1], "MiB"))
    if swap and len(swap[0]) >= 2:
        total, used = _ratio_pair(swap[0][0], swap[0][1])
        if total and used is not None:
            r.facts.append(Fact("free.swap_used_pct", round(100.0 * used / total, 1), swap[1], "%"))
    return r


def _ratio_pair(total_tok: str, used_tok: str) -> tuple[float | None, float | None]:
    """Total and used in one common unit (any unit works for a ratio: assume MiB when bare)."""
    return _mib(total_tok, "M"), _mib(used_tok, "M")


def _guess_unit(total_tok: str) -> str | None:
    """Unit of a bare total when no command says: a GPU box has 2 GiB .. 5 TiB of RAM, so KiB totals
    are >= 6e6, GiB totals < 2048 and MiB totals in between."""
    m = _NUM.match(total_tok)
    if not m or m.group(2):
        return None
    n = float(m.group(1).replace(",", "."))
    return "K" if n >= 6e6 else "G" if n < 2048 else "M"
