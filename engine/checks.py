"""next_checks: the commands whose output would tell the top candidates apart."""

from __future__ import annotations

from gotcha_kb.engine.evidence import Fact
from gotcha_kb.engine.models import Match, NextCheck
from gotcha_kb.kb.models import Entry

# A check whose command reads something we already have a fact for adds nothing.
_ALREADY_KNOWN = {
    "memory.events": "cgroup.oom_kill",
    "df -i": "df.inode_use_pct",
    "df -h": "df.use_pct",
    "cpu.max": "cgroup.cpu_vcpus",
    "uptime": "uptime.minutes",
    "nvidia-smi -q -d performance": "gpu.throttle_thermal",
    "xid": "dmesg.xid",
}


def _known(cmd: str, facts: dict[str, Fact]) -> bool:
    low = cmd.lower()
    return any(key in low and fact in facts for key, fact in _ALREADY_KNOWN.items())


def next_checks(matches: list[Match], by_id: dict[str, Entry], facts: dict[str, Fact], limit: int = 5) -> list[NextCheck]:
    ids = [m.id for m in matches]
    found: dict[str, NextCheck] = {}
    order: list[str] = []
    for eid in ids:
        for c in by_id[eid].checks:
            key = " ".join(c.run.split())
            if _known(key, facts):
                continue
            if key not in found:
                found[key] = NextCheck(run=c.run, shows=c.shows, separates=[eid])
                order.append(key)
            elif eid not in found[key].separates:
                found[key].separates.append(eid)
    # Checks that bear on several candidates discriminate between them: those first.
    order.sort(key=lambda k: (-len(found[k].separates), ids.index(found[k].separates[0])))
    return [found[k] for k in order[:limit]]
