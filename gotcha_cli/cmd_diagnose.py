"""diagnose and probe: what the user sees in, ranked differential out."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gotcha_cli.output import emit_json, error, wrap


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "diagnose",
        parents=[shared],
        help="which gotcha is this? (text, a log, command output, or a probe bundle)",
        description="Rank catalog entries against symptom text and raw command output. "
        "Exit 0 when something matched, 1 when it abstained, 2 on usage errors.",
    )
    p.add_argument("text", nargs="*", help="symptom text; '-' reads standard input")
    p.add_argument("--file", "-f", help="read the input from this file ('-': standard input); a big file is read from its end")
    p.add_argument("--platform", help="autodl, runpod, vastai, lambda, paperspace, china, generic-ssh, local")
    p.add_argument("--top", type=int, default=3, help="how many candidates to show (default 3)")
    p.set_defaults(func=cmd_diagnose)

    p = sub.add_parser("probe", parents=[shared], help="print a read-only sh script that collects readings diagnose understands")
    p.set_defaults(func=cmd_probe)


def _read_input(args: argparse.Namespace) -> tuple[bytes | str | None, int]:
    """The input, and how many bytes at its start were skipped (only the engine's limit is read, from the end)."""
    import os
    import stat

    from engine.normalize import MAX_INPUT_BYTES
    from engine.tailread import EndlessInput, read_tail

    if args.file and args.file != "-":
        try:
            with open(args.file, "rb") as fh:
                mode = os.fstat(fh.fileno()).st_mode
                if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
                    error(f"{args.file!r} is a device, not a log file")
                    return None, 0
                return read_tail(fh, MAX_INPUT_BYTES)
        except OSError as e:
            error(f"cannot read {args.file!r}: {e.strerror or e}")
            return None, 0
        except EndlessInput as e:
            error(f"{args.file!r}: {e}; pass its end instead, e.g. `tail -c 8M LOG | gotcha diagnose -`")
            return None, 0
    if args.file == "-" or args.text == ["-"] or (not args.text and not sys.stdin.isatty()):
        try:
            return read_tail(sys.stdin.buffer, MAX_INPUT_BYTES)
        except EndlessInput as e:
            error(f"standard input: {e}; pass its end instead, e.g. `tail -c 8M LOG | gotcha diagnose -`")
            return None, 0
    if not args.text:
        error("give symptom text, '-' for standard input, or --file LOG")
        return None, 0
    return " ".join(args.text), 0


def cmd_diagnose(args: argparse.Namespace) -> int:
    if args.top < 1:
        error("--top must be at least 1")
        return 2
    data, skipped = _read_input(args)
    if data is None:
        return 2
    if not (data.strip() if isinstance(data, (str, bytes)) else data):
        error("the input is empty")
        return 2
    from engine.api import build_engine

    eng = build_engine(getattr(args, "catalog", None))
    try:
        result = eng.diagnose(data, platform=args.platform, top_k=args.top)
    except ValueError as e:
        error(str(e))
        return 2
    if skipped:
        result = result.model_copy(update={"truncated": True, "dropped_bytes": result.dropped_bytes + skipped})
    if args.json:
        emit_json(result)
    else:
        render(result)
    return 1 if result.abstained else 0


def render(d: Any) -> None:
    if d.platform:
        print(f"platform: {d.platform}" + (" (named in the text)" if d.platform_inferred else ""))
    if d.facts:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(d.facts.items()))
        print(f"readings: {shown}")
    if d.abstained:
        print(f"No confident match: {d.reason}.")
    for n, m in enumerate(d.matches, start=1):
        print(f"\n{n}. {m.id} — {m.title}  [confidence {m.confidence:.2f}]")
        for ev in m.evidence[:5]:
            sign = "+" if ev.weight >= 0 else "-"
            where = f" (line {ev.line}: {ev.text[:90]})" if ev.line and ev.text else ""
            print(f"   {sign} {ev.why}{where}")
        for k, v in m.profile_values.items():
            print(f"   {m.platform or d.platform}: {k} = {v}")
        if n == 1:
            print("   Fix:")
            print(wrap(m.fix, indent="     "))
    if d.next_checks:
        print("\nNext checks (run on the box):")
        for c in d.next_checks:
            print(f"  $ {c.run}")
            print(f"      {c.shows}  [{', '.join(c.separates)}]")
    if d.truncated:
        print(f"\n(input was larger than the limit: the first {_size(d.dropped_bytes)} were skipped and only the end was read)")


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB ({n} bytes)" if n >= 2**20 else f"{n} bytes"


def cmd_probe(args: argparse.Namespace) -> int:
    from engine.probe import probe_script

    script = probe_script()
    if args.json:
        emit_json({"script": script})
    else:
        sys.stdout.write(script)
    return 0
