"""Load test of the MCP server over streamable HTTP, on loopback only.

Starts `python -m gotcha_kb.mcp_server --http 127.0.0.1:PORT`, runs 20 concurrent SDK clients making 2,000 tool
calls in total (half lookup_gotcha, half diagnose_symptom, over varied inputs), and asserts zero
errors. Prints p50/p99 latency and throughput. Bounded: a fixed number of calls and a wall-clock cap;
the server is stopped at the end whatever happens.
Run: python bench/bench_mcp_load.py [--clients 20] [--calls 2000] [--max-seconds 600]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

LOOKUPS = ["inode", "U7", "oom killed", "wandb timeout", "exausted", "scp truncated", "AD4", "nvidia-smi xid", "crlf", "billing stop"]
DIAGNOSES = [
    "OSError: [Errno 28] No space left on device; df -h shows 34% used; df -i shows IUse% 100%",
    "Killed\n[12345.6] Out of memory: Killed process 4242 (python) total-vm:80GB",
    "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB",
    "client_loop: send disconnect: Broken pipe\nssh exited with status 255 after pkill -9",
    "NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus",
    "wandb: Network error (ConnectTimeout), entering retry loop",
    "bash: ./run.sh: /bin/bash^M: bad interpreter: No such file or directory",
    "the training loss is fine but the job is three times slower than on my workstation",
]


def diagnosis_text(k: int) -> str:
    """The k-th call's paste: the texts above in turn, each call's its own (a numbered last line),
    so the encoder's memory of recent pastes does not make repeats free."""
    return f"{DIAGNOSES[k % len(DIAGNOSES)]}\n(report {k})"


def percentile(sorted_values: list[float], p: float) -> float:
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


async def run_load(url: str, clients: int, calls: int) -> tuple[list[float], list[str], float]:
    import anyio
    from mcp import Client

    latencies: list[float] = []
    errors: list[str] = []
    per_client = [calls // clients + (1 if i < calls % clients else 0) for i in range(clients)]

    async def worker(w: int, n: int) -> None:
        done = 0
        try:
            async with Client(url) as c:
                for i in range(n):
                    done += 1
                    k = w * 1000 + i
                    if k % 2:
                        name, args = "lookup_gotcha", {"query": LOOKUPS[k % len(LOOKUPS)]}
                    else:
                        name, args = "diagnose_symptom", {"text": diagnosis_text(k)}
                    t = time.perf_counter()
                    try:
                        r = await c.call_tool(name, args)
                    except Exception as e:  # noqa: BLE001 - every failure is counted, none stops the run
                        errors.append(f"{name}: {type(e).__name__}: {e}")
                        continue
                    latencies.append(time.perf_counter() - t)
                    if r.is_error or not r.structured_content:
                        errors.append(f"{name}: {r.content[0].text if r.content else 'no content'}")
        except Exception as e:  # noqa: BLE001 - a client that cannot connect fails all its calls
            errors.extend([f"client {w}: {type(e).__name__}: {e}"] * max(1, n - done))

    start = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for w, n in enumerate(per_client):
            tg.start_soon(worker, w, n)
    return latencies, errors, time.perf_counter() - start


def cpu_seconds(pid: int) -> float | None:
    """user+system CPU of a process (Linux /proc), to tell server cost from client cost."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--max-seconds", type=float, default=600, help="give up (and fail) after this long")
    args = ap.parse_args()

    import anyio

    from mcp_support import child_env, http_server_process

    with tempfile.TemporaryDirectory() as cache, http_server_process(env=child_env(cache)) as (url, proc):
        # One warm-up call so the timing is of serving, not of the one-off engine build.
        async def warm() -> None:
            from mcp import Client

            async with Client(url) as c:
                await c.call_tool("diagnose_symptom", {"text": "warm up"})

        anyio.run(warm)

        async def bounded() -> tuple[list[float], list[str], float]:
            with anyio.fail_after(args.max_seconds):
                return await run_load(url, args.clients, args.calls)

        server_cpu0, client_cpu0 = cpu_seconds(proc.pid), time.process_time()
        latencies, errors, wall = anyio.run(bounded)
        server_cpu1, client_cpu = cpu_seconds(proc.pid), time.process_time() - client_cpu0

    lat = sorted(latencies)
    print(f"server      {url} (stateless streamable HTTP, one process)")
    print(f"clients     {args.clients} concurrent, {args.calls} calls (lookup_gotcha / diagnose_symptom, half each)")
    print(f"completed   {len(lat)} calls in {wall:.2f} s  ->  {len(lat) / wall:.0f} calls/s")
    if lat:
        print(f"latency     p50 {percentile(lat, 50) * 1000:.1f} ms   p90 {percentile(lat, 90) * 1000:.1f} ms   "
              f"p99 {percentile(lat, 99) * 1000:.1f} ms   max {lat[-1] * 1000:.1f} ms   mean {statistics.mean(lat) * 1000:.1f} ms")
    if server_cpu0 is not None and server_cpu1 is not None and lat:
        server_cpu = server_cpu1 - server_cpu0
        print(f"cpu         server {server_cpu:.1f} s ({server_cpu / len(lat) * 1000:.1f} ms/call), "
              f"clients {client_cpu:.1f} s, on {os.cpu_count()} cores shared by both")
    print(f"errors      {len(errors)}")
    for e in errors[:10]:
        print(f"  {e[:200]}")
    ok = not errors and len(lat) == args.calls
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
