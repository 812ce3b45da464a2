"""Time to build the verify-deploy manifest of a 10,000-file tree (plain walk and git-aware).

Also: parse + compare of the box's listing for the same tree, and (with --files 100000) how a
tree that size is handled: refused before hashing at the default cap, or hashed with bounded
memory when --max-files is raised.
Run: python bench/bench_manifest.py [--files 10000] [--runs 7] [--max-files N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gotcha_kb.engine.deploy.compare import compare_deploy  # noqa: E402
from gotcha_kb.engine.deploy.errors import TooManyFiles  # noqa: E402
from gotcha_kb.engine.deploy.listing import parse_listing  # noqa: E402
from gotcha_kb.engine.deploy.manifest import DEFAULT_MAX_FILES, build_manifest, format_listing  # noqa: E402


def make_tree(root: Path, files: int) -> None:
    """A code-shaped tree: 100 files per directory, 0.5-4.5 KB each, deterministic content."""
    for i in range(files):
        d = root / f"pkg{i // 100:04d}"
        if i % 100 == 0:
            d.mkdir(parents=True)
        (d / f"mod{i % 100:03d}.py").write_bytes((f"# module {i}\n" + "x = 1\n" * (80 + i % 700)).encode())


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.email=b@b", "-c", "user.name=bench", "-c", "gc.auto=0", *args],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def report(label: str, times: list[float]) -> None:
    print(f"{label:<34} median {statistics.median(times) * 1000:8.1f} ms  "
          f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}, {len(times)} runs)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--max-files", type=int, default=None, help=f"cap passed to the manifest (default {DEFAULT_MAX_FILES})")
    args = ap.parse_args()
    cap = args.max_files or DEFAULT_MAX_FILES
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        root = Path(tmp) / "proj"
        root.mkdir()
        t = time.perf_counter()
        make_tree(root, args.files)
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "bench")
        print(f"tree: {args.files} files, built and committed in {time.perf_counter() - t:.1f} s; cap {cap}")

        if args.files > cap:
            t = time.perf_counter()
            try:
                build_manifest(root, max_files=cap)
            except TooManyFiles as e:
                print(f"refused in {(time.perf_counter() - t) * 1000:.0f} ms, before hashing: {e}")
            print("(raise --max-files above --files to time hashing a tree this size)")
            return

        report("manifest, plain walk", timed(lambda: build_manifest(root, use_git=False, max_files=cap), args.runs))
        report("manifest, git-aware", timed(lambda: build_manifest(root, max_files=cap), args.runs))
        manifest = build_manifest(root, max_files=cap)
        listing = format_listing(manifest)
        keep = set(manifest.files)
        report("parse + compare the box listing",
               timed(lambda: compare_deploy(manifest, parse_listing(listing, keep=keep), source="bench"), args.runs))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process: {rss:.0f} MiB ({len(manifest.files)} files in the manifest)")


if __name__ == "__main__":
    os.environ.setdefault("GIT_OPTIONAL_LOCKS", "0")
    main()
