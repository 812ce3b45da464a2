"""Speed curves, each beside its baseline, in one run (issue 15). Medians; the machine is shared.

1. Whole process: `gotcha diagnose` on a typical paste (warm cache, and cold: no cache) against
   `python -c pass` and a warm `gotcha lookup inode`, interleaved so noise hits all alike.
2. In process: logs from 1 KB to 8 MB, repetitive (a training log whose lines differ only in
   numbers) and distinct (every line different), each ending in an error; ms per KB shows whether
   cost stays linear.
3. Catalog size: 137 .. 20,000 entries. The extra entries are copies whose words (and regex
   literals) are made distinct per copy, like a real large catalog where most entries are about
   something else; a replicated catalog of identical text would make every copy a candidate.
4. Cases: 1,832 .. 100,000 labeled cases (copies with distinct words): build time, engine
   memory (tracemalloc: what the built engine holds) and a typical paste.

Run: python bench/bench_curves.py [--runs 9] [--quick]   (--quick: smaller sizes, fewer runs)
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gotcha_kb.engine.cases import Case, load_cases  # noqa: E402
from gotcha_kb.engine.diagnose import Engine  # noqa: E402
from gotcha_kb.kb.catalog import Catalog  # noqa: E402
from gotcha_kb.kb.loader import load_catalog  # noqa: E402
from gotcha_kb.kb.models import Entry, Signal  # noqa: E402

TYPICAL = (
    "my training died after ~20 min, log just ends with Killed, no traceback. num_workers=16.\n"
    "$ cat /sys/fs/cgroup/memory.events\nlow 0\nhigh 0\nmax 211\noom 4\noom_kill 4\n"
    "$ free -m\n              total        used        free      shared  buff/cache   available\n"
    "Mem:         515703      401233       12001         112      102469      110470\nSwap:             0           0           0\n"
)
ENDING = "OSError: [Errno 28] No space left on device\n"
WORDS = "alpha beta gamma delta shard worker rank node fetch batch write read sync prefetch bucket".split()


def repetitive_log(size: int) -> str:
    rng = random.Random(0)
    out, n, i = [], 0, 0
    while n < size:
        line = f"2026-06-01 12:{i % 60:02d}:{i % 60:02d} INFO epoch {i // 500} step {i} loss {rng.random():.4f} lr 3.0e-04\n"
        out.append(line)
        n += len(line)
        i += 1
    return "".join(out) + ENDING


def distinct_log(size: int) -> str:
    rng = random.Random(1)
    out, n, i = [], 0, 0
    while n < size:
        tag = "".join(rng.choice("abcdefghij") for _ in range(8))
        line = f"[rank{rng.randint(0, 7)}] {rng.choice(WORDS)} {rng.choice(WORDS)} {tag} step {i} loss {rng.random():.4f}\n"
        out.append(line)
        n += len(line)
        i += 1
    return "".join(out) + ENDING


def _suffixed(text: str, suffix: str) -> str:
    return re.sub(r"[A-Za-z]{3,}", lambda m: m.group(0) + suffix, text)


def varied_copy(e: Entry, k: int) -> Entry:
    s = f"q{k}"
    return e.model_copy(update={
        "id": f"X{k}",
        "title": _suffixed(e.title, s),
        "symptom": _suffixed(e.symptom, s),
        "root_cause": _suffixed(e.root_cause, s),
        "fix": _suffixed(e.fix, s),
        "keywords": [_suffixed(x, s) for x in e.keywords],
        "error_strings": [_suffixed(x, s) for x in e.error_strings],
        "checks": [c.model_copy(update={"run": _suffixed(c.run, s), "shows": _suffixed(c.shows, s)}) for c in e.checks],
        "signals": [Signal(regex=rf"(?i)\bmarker{s}\b", weight=sig.weight, why=sig.why) for sig in e.signals if sig.regex],
        "refs": [],
    })


def grown_catalog(cat: Catalog, n: int) -> Catalog:
    base = [e for e in cat.entries if e.platform is None]
    extra = [varied_copy(base[k % len(base)], k) for k in range(max(0, n - len(cat.entries)))]
    return Catalog(entries=[*cat.entries, *extra], profiles=cat.profiles)


def _some_suffixed(text: str, k: int) -> str:
    # Every 4th word gets one of 28 suffixes: the vocabulary grows about as Heaps' law has it for
    # real text (13,483 words at 1,832 cases; about 100,000 at 100,000 cases), not one new word
    # per word per copy.
    n = iter(range(10**9))
    return re.sub(r"[A-Za-z]{3,}", lambda m: m.group(0) + (f"q{k % 28}" if next(n) % 4 == 0 else ""), text)


def grown_cases(cases: list[Case], n: int) -> list[Case]:
    extra = [replace(c, id=f"{c.id}~{k}", input=_some_suffixed(c.input, k))
             for k, c in ((k, cases[k % len(cases)]) for k in range(max(0, n - len(cases))))]
    return [*cases, *extra]


def median_ms(fn, runs: int) -> float:
    """Every run pays for the sentence encoder: its memory of recent pastes would make a repeated
    paste look free, which no new paste is."""
    from gotcha_kb.engine.minilm import encoder

    times = []
    for _ in range(runs):
        encoder().forget()
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def whole_process(runs: int) -> None:
    print("## whole process (medians, interleaved)")
    with tempfile.TemporaryDirectory() as tmp:
        paste = Path(tmp) / "paste.txt"
        paste.write_text("[ 9.1] Out of memory: Killed process 4242 (python)\n")
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache"), "PYTHONPATH": str(ROOT)}
        env.pop("GOTCHA_CATALOG", None)
        cli = [sys.executable, "-m", "gotcha_kb.cli"]
        cmds = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "gotcha lookup inode (warm)": [*cli, "lookup", "inode"],
            "gotcha diagnose (warm)": [*cli, "diagnose", str(paste)],
        }
        for cmd in cmds.values():
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fill the caches
        times: dict[str, list[float]] = {k: [] for k in cmds}
        cold: list[float] = []
        for r in range(runs):
            for name, cmd in cmds.items():
                t = time.perf_counter()
                subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - t)
            if r < 3:
                cold_env = {**env, "XDG_CACHE_HOME": str(Path(tmp) / f"cold{r}")}
                t = time.perf_counter()
                subprocess.run(cmds["gotcha diagnose (warm)"], env=cold_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                cold.append(time.perf_counter() - t)
    base = statistics.median(times["python -c pass"])
    look = statistics.median(times["gotcha lookup inode (warm)"])
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"{name:<30} {m * 1000:7.1f} ms  {m / base:5.1f}x pass  {m / look:5.2f}x lookup")
    m = statistics.median(cold)
    print(f"{'gotcha diagnose (cold, no cache)':<30} {m * 1000:7.1f} ms  {m / base:5.1f}x pass  {m / look:5.2f}x lookup")


def mcp_first_call(runs: int) -> None:
    """An agent's wait: spawn `python -m gotcha_kb.mcp_server` over stdio, initialize, first diagnose."""
    import anyio
    from mcp import Client

    sys.path.insert(0, str(ROOT / "tests"))
    from mcp_support import child_env, stdio_params

    async def once(cache: str) -> tuple[float, float]:
        t0 = time.perf_counter()
        async with Client(stdio_params(env=child_env(cache))) as c:  # returns once initialize completed
            t1 = time.perf_counter()
            r = await c.call_tool("diagnose_symptom", {"text": "[ 9.1] Out of memory: Killed process 4242 (python)"})
            t2 = time.perf_counter()
            assert not r.is_error
        return t1 - t0, t2 - t1

    print("\n## MCP over stdio: spawn -> initialize -> first diagnose_symptom (median)")
    with tempfile.TemporaryDirectory() as tmp:
        cold = [anyio.run(once, str(Path(tmp) / f"cold{r}")) for r in range(min(3, runs))]
        anyio.run(once, str(Path(tmp) / "warm"))
        warm = [anyio.run(once, str(Path(tmp) / "warm")) for _ in range(runs)]
    for name, rows in (("warm cache", warm), ("cold (no cache)", cold)):
        init, first = statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
        print(f"{name:<16} initialize {init * 1000:6.0f} ms   first diagnose after it {first * 1000:6.0f} ms   goal <= 1000 ms")


def log_curve(eng: Engine, sizes: list[int], runs: int) -> None:
    print("\n## log size, in process (median ms; ms per KB)")
    print(f"{'size':>10} {'repetitive':>12} {'per KB':>8} {'distinct':>10} {'per KB':>8}")
    for size in sizes:
        rep, dis = repetitive_log(size), distinct_log(size)
        n = max(3, runs if size <= 100_000 else runs // 3)
        a, b = median_ms(lambda: eng.diagnose(rep), n), median_ms(lambda: eng.diagnose(dis), n)
        kb = size / 1024
        print(f"{size:>10,} {a:10.1f} ms {a / kb:8.3f} {b:8.1f} ms {b / kb:8.3f}")


def _reuse_original_vectors(cat: Catalog) -> None:
    """A varied copy (X{k}) reads like its original: give it the original's sentence vector instead
    of embedding 20,000 suffixed texts at ~0.1 s each (a real catalog pays that once, then caches
    it). What this curve measures, the per-paste cost, includes the one matrix product over all rows."""
    import numpy as np

    from gotcha_kb.engine import semantic

    embed = semantic.entry_vectors
    base = [e for e in cat.entries if e.platform is None]

    def vectors(entries: list[Entry]) -> bytes:
        own = [e for e in entries if not re.fullmatch(r"X\d+", e.id)]
        rows = dict(zip((e.id for e in own), np.frombuffer(embed(own), np.float32).reshape(-1, semantic.DIM)))
        return np.stack([rows[e.id] if e.id in rows else rows[base[int(e.id[1:]) % len(base)].id] for e in entries]).tobytes()

    semantic.entry_vectors = vectors


def catalog_curve(cat: Catalog, cases: list[Case], sizes: list[int], runs: int) -> None:
    print("\n## catalog size, typical paste in process")
    _reuse_original_vectors(cat)
    for n in sizes:
        eng = Engine(grown_catalog(cat, n), cases)
        first = eng.diagnose(TYPICAL)
        m = median_ms(lambda: eng.diagnose(TYPICAL), runs)
        print(f"{len(eng.entries):>7,} entries {m:8.1f} ms   top {first.matches[0].id if first.matches else '(abstained)'}")


def cases_curve(cat: Catalog, cases: list[Case], sizes: list[int], runs: int) -> None:
    print("\n## labeled cases, engine build / memory / typical paste")
    for n in sizes:
        grown = grown_cases(cases, n)
        t = time.perf_counter()
        Engine(cat, grown)
        built = time.perf_counter() - t
        gc.collect()
        # Memory held by the built engine (cases included), not the garbage of building it.
        tracemalloc.start()
        eng = Engine(cat, grown)
        grown = []
        gc.collect()
        grew = tracemalloc.get_traced_memory()[0] / 2**20
        tracemalloc.stop()
        m = median_ms(lambda: eng.diagnose(TYPICAL), runs)
        print(f"{len(eng.case_index.idf):>8,} words", end="  ")
        print(f"{len(eng.cases):>8,} cases  build {built:6.1f} s  engine +{grew:6.0f} MB  typical {m:7.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--quick", action="store_true", help="smaller sizes and fewer runs: a smoke run")
    parts = ("process", "mcp", "logs", "catalog", "cases")
    ap.add_argument("--only", action="append", choices=parts, help="run only this part (repeatable; default: all)")
    args = ap.parse_args()
    runs = 3 if args.quick else args.runs
    only = set(args.only or parts)
    cat = load_catalog()
    cases = load_cases().cases
    if "process" in only:
        whole_process(runs)
    if "mcp" in only:
        mcp_first_call(runs)
    if "logs" in only:
        eng = Engine(cat, cases)
        eng.diagnose(TYPICAL)
        log_curve(eng, [1_000, 10_000, 100_000, 1_000_000] + ([] if args.quick else [8_000_000]), runs)
    if "catalog" in only:
        catalog_curve(cat, cases, [len(cat.entries), 1_000, 5_000] + ([] if args.quick else [20_000]), runs)
    if "cases" in only:
        cases_curve(cat, cases, [len(cases), 10_000] + ([] if args.quick else [100_000]), runs)


if __name__ == "__main__":
    main()
