"""`gotcha probe`: one read-only POSIX sh script whose output `gotcha diagnose` understands.

Each reading is printed under `===== gotcha-probe: NAME =====`, NAME being the parser that
reads it, so a pasted bundle needs no guessing. Every command is optional on the box: a missing
tool prints its own error under its marker and the rest still runs.
"""

from __future__ import annotations

SECTIONS: list[tuple[str, str]] = [
    ("uptime", "uptime"),
    ("free", "free -m"),
    ("df-h", "df -h"),
    ("df-i", "df -i"),
    ("nproc", "nproc"),
    ("cgroup-memory-events", "cat /sys/fs/cgroup/memory.events"),
    ("cgroup-memory-max", "cat /sys/fs/cgroup/memory.max"),
    ("cgroup-memory-current", "cat /sys/fs/cgroup/memory.current"),
    ("cgroup-cpu-max", "cat /sys/fs/cgroup/cpu.max"),
    ("torch-threads", "python3 -c 'import torch; print(torch.get_num_threads())'"),
    ("nvidia-smi", "nvidia-smi"),
    (
        "nvidia-query",
        "nvidia-smi --query-gpu=index,utilization.gpu,clocks.sm,clocks.max.sm,power.draw,power.limit,"
        "temperature.gpu,memory.used,memory.total --format=csv",
    ),
    ("nvidia-perf", "nvidia-smi -q -d PERFORMANCE"),
    ("nvidia-apps", "nvidia-smi --query-compute-apps=pid,used_memory --format=csv"),
    ("dmesg", "dmesg 2>&1 | grep -iE 'killed process|out of memory|oom-kill|NVRM: Xid|not permitted' | tail -n 50"),
]


def probe_script() -> str:
    body = "\n".join(f"sec {name}; {{ {cmd}; }} 2>&1 | head -n 200" for name, cmd in SECTIONS)
    return (
        "#!/bin/sh\n"
        "# gotcha probe: read-only readings for `gotcha diagnose`. Run on the box, paste the output back:\n"
        "#   ssh HOST 'sh -s' < probe.sh > bundle.txt && gotcha diagnose --file bundle.txt\n"
        "sec() { printf '\\n===== gotcha-probe: %s =====\\n' \"$1\"; }\n"
        f"{body}\n"
    )
