"""Facts computed from other facts (no parser sees both halves)."""

from __future__ import annotations

from gotcha_kb.engine.evidence import Fact

FACTS = {
    "cpu.oversubscription": "threads the process will run / vCPUs the cgroup grants",
    "cgroup.memory_use_pct": "memory.current as % of memory.max",
}


def derive(facts: dict[str, Fact]) -> list[Fact]:
    out: list[Fact] = []
    threads, vcpus = facts.get("cpu.threads"), facts.get("cgroup.cpu_vcpus")
    if threads and vcpus and isinstance(vcpus.value, (int, float)) and vcpus.value > 0:
        out.append(Fact("cpu.oversubscription", round(float(threads.value) / float(vcpus.value), 2), 0, "x"))
    cur, mx = facts.get("cgroup.memory_current_bytes"), facts.get("cgroup.memory_max_bytes")
    if cur and mx and "cgroup.memory_use_pct" not in facts and isinstance(mx.value, (int, float)) and mx.value > 0:
        out.append(Fact("cgroup.memory_use_pct", round(100.0 * float(cur.value) / float(mx.value), 1), cur.line, "%"))
    return out
