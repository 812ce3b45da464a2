"""Worst-case pastes: 8 MiB of hostile shapes must diagnose in <= 3 s and <= 400 MB peak RSS (issue 16).

Each shape runs in a fresh child process, so its peak RSS (ru_maxrss) is its own and not the
high-water mark of an earlier shape. The child builds the engine, builds the input, then times
one diagnose; RSS is the whole process (interpreter + engine + input + work). Reports medians of
--runs runs (the machine is shared and noisy). Run:
    python bench/bench_hostile.py [--runs 3] [--only NAME]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = 8 * 1024 * 1024
TIME_GOAL_S = 3.0
RSS_GOAL_MB = 400.0
OOM = b"\n[ 8812.331] Out of memory: Killed process 4242 (python) total-vm:90123456kB, anon-rss:61234567kB\nKilled\n"


def _fill(unit: bytes) -> bytes:
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


def make(name: str) -> bytes:
    """The hostile input `name`, SIZE bytes, ending in an OOM kill the answer should still find."""
    import random

    rng = random.Random(0)
    body = {
        "one-char lines": lambda: _fill(b"a\n"),
        "'=' lines": lambda: _fill(b"=\n"),
        "blank lines": lambda: _fill(b"\n"),
        "ANSI flood": lambda: _fill(b"\x1b[31;1m\x1b[0m\x1b]0;t\x07x\x1b[2K\n"),
        "random bytes": lambda: rng.randbytes(SIZE),
        "one long line": lambda: _fill(b"abc def "),
        "CR progress bar": lambda: _fill(b" 42%|####      | 4200/10000 [00:10<00:14, 400it/s]\r"),
        "distinct words": lambda: b"\n".join(b" ".join(b"w%x" % rng.getrandbits(40) for _ in range(12)) for _ in range(SIZE // 150))[:SIZE],
        # Words the catalog's regexes key on, in lines that never repeat: no regex is skipped.
        "catalog words": lambda: b"\n".join(
            b" ".join(rng.choice(TRIGGERS) + b"%d" % rng.getrandbits(20) for _ in range(10)) for _ in range(SIZE // 120))[:SIZE],
        "dmesg stamps": lambda: _fill(b"[12345.678901] x\n"),
        "error lines": lambda: _fill(b"RuntimeError: CUDA error: an illegal memory access was encountered\n"),
    }[name]()
    return body[: SIZE - len(OOM)] + OOM


TRIGGERS = [w.encode() for w in (
    "network storage nfs process vanished log frozen still keep charg bill destroy instance tensorboard gone "
    "slow transfers monitor never returns cloud scheduled cannot reach routine cron no output pin_memory "
    "persistent_workers False s3 crawl temp 85C not throttling hdd io wait DDP job crashed killed connection "
    "is fine check periodically stale waiter sda 1 type nfs4 fuse.s3fs -rw-r--r-- 8192 nohup.out WANDB_API_KEY= "
    "PREEMPTED instance has been released status inactive shutdown -h now 实例 释放 日志 卡住 欠费 \\r': command not found"
).split()]

NAMES = ["one-char lines", "'=' lines", "blank lines", "ANSI flood", "random bytes", "one long line",
         "CR progress bar", "distinct words", "catalog words", "dmesg stamps", "error lines"]

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
from bench_hostile import make
from gotcha_kb.engine.api import build_engine
eng = build_engine()
data = make({name!r})
t = time.perf_counter()
d = eng.diagnose(data)
elapsed = time.perf_counter() - t
print(json.dumps({{"s": elapsed, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "oom_found": d.facts.get("dmesg.oom_kill", 0) > 0, "top": d.matches[0].id if d.matches else None,
                  "truncated": d.truncated}}))
"""


def run_one(name: str) -> dict:
    code = CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"), name=name)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", help="run only this shape")
    args = ap.parse_args()
    names = [args.only] if args.only else NAMES
    ok = True
    print(f"{'shape':<18} {'median s':>9} {'max s':>7} {'peak MB':>8}  oom-found  top")
    for name in names:
        runs = [run_one(name) for _ in range(args.runs)]
        s = statistics.median(r["s"] for r in runs)
        rss = statistics.median(r["rss_mb"] for r in runs)
        good = s <= TIME_GOAL_S and rss <= RSS_GOAL_MB
        ok = ok and good
        print(f"{name:<18} {s:>9.2f} {max(r['s'] for r in runs):>7.2f} {rss:>8.0f}  {str(runs[0]['oom_found']):<9}  {runs[0]['top']}"
              + ("" if good else "   <-- over the goal"))
    print(f"goal: <= {TIME_GOAL_S} s and <= {RSS_GOAL_MB:.0f} MB per shape: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
