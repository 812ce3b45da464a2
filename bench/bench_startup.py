"""Whole-process time of `gotcha lookup inode` against `python -c pass` (same interpreter).

Goal (issue 2): at most 5x the baseline, median of several runs. The first lookup after a catalog
change builds the index cache; that cold run is reported separately, the warm ones are the goal.
Run: python bench/bench_startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache, "PYTHONPATH": str(root)}
        env.pop("GOTCHA_CATALOG", None)
        gotcha = [sys.executable, "-m", "gotcha_kb.cli", "lookup", "inode"]
        cold = timed(gotcha, env, 1)[0]
        base, look = [], []
        for _ in range(args.runs):  # interleave so machine noise hits both alike
            base += timed([sys.executable, "-c", "pass"], env, 1)
            look += timed(gotcha, env, 1)
    mb, ml = statistics.median(base), statistics.median(look)
    print(f"python -c pass        median {mb * 1000:6.1f} ms  (min {min(base) * 1000:.1f}, max {max(base) * 1000:.1f})")
    print(f"gotcha lookup inode   median {ml * 1000:6.1f} ms  (min {min(look) * 1000:.1f}, max {max(look) * 1000:.1f})")
    print(f"cold (builds cache)          {cold * 1000:6.1f} ms")
    print(f"ratio (median/median)        {ml / mb:6.2f}x   goal <= 5x")


if __name__ == "__main__":
    main()
