"""Diagnose speed: a typical paste, a 1 MB log, and a catalog replicated to 5,000 entries.

Goals (issue 4): 1 MB log <= 300 ms; typical paste < 20 ms in-process; typical paste < 100 ms
with 5,000 entries. Reports medians (the machine is shared and noisy). Run:
    python bench/bench_diagnose.py [--runs 15]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gotcha_kb.engine.cases import load_cases  # noqa: E402
from gotcha_kb.engine.diagnose import Engine  # noqa: E402
from gotcha_kb.kb.catalog import Catalog  # noqa: E402
from gotcha_kb.kb.loader import load_catalog  # noqa: E402

TYPICAL = (
    "my training died after ~20 min, log just ends with Killed, no traceback. num_workers=16.\n"
    "$ cat /sys/fs/cgroup/memory.events\nlow 0\nhigh 0\nmax 211\noom 4\noom_kill 4\n"
    "$ free -m\n              total        used        free      shared  buff/cache   available\n"
    "Mem:         515703      401233       12001         112      102469      110470\nSwap:             0           0           0\n"
)


def big_log(size: int = 1_000_000) -> str:
    rng = random.Random(0)
    out, n, i = [], 0, 0
    while n < size:
        line = f"2026-06-01 12:{i % 60:02d}:{i % 60:02d} INFO epoch {i // 500} step {i} loss {rng.random():.4f} lr 3.0e-04 it/s 2.{rng.randint(0, 99)}\n"
        out.append(line)
        n += len(line)
        i += 1
    out.append("[ 8812.331] Out of memory: Killed process 4242 (python) total-vm:90123456kB, anon-rss:61234567kB\nKilled\n")
    return "".join(out)


def replicate(cat: Catalog, n: int) -> Catalog:
    entries = list(cat.entries)
    k = 0
    while len(entries) < n:
        for e in cat.entries:
            if len(entries) >= n:
                break
            k += 1
            entries.append(e.model_copy(update={"id": f"X{k}"}))
    return Catalog(entries=entries, profiles=cat.profiles)


def median_ms(fn, runs: int) -> tuple[float, float, float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    cat = load_catalog()
    cases = load_cases().cases
    eng = Engine(cat, cases)
    eng.diagnose(TYPICAL)  # warm caches (parser discovery, regex compile)
    log = big_log()
    rows = [
        ("typical paste", lambda: eng.diagnose(TYPICAL), 20),
        (f"1 MB log ({len(log) // 1024} KiB)", lambda: eng.diagnose(log), 300),
    ]
    big = Engine(replicate(cat, 5000), cases)
    big.diagnose(TYPICAL)
    rows.append((f"typical paste, {len(big.entries)} entries", lambda: big.diagnose(TYPICAL), 100))
    print(f"catalog: {len(cat.entries)} entries, {len(cases)} labeled cases")
    for name, fn, goal in rows:
        med, lo, hi = median_ms(fn, args.runs)
        print(f"{name:<32} median {med:7.1f} ms  (min {lo:.1f}, max {hi:.1f})  goal < {goal} ms  {'ok' if med < goal else 'MISSED'}")


if __name__ == "__main__":
    main()
