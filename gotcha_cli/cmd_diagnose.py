"""diagnose and probe: what the user sees in, ranked differential out."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gotcha_cli.output import emit_json, error, wrap

MAX_READ = 64 * 1024 * 1024


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "diagnose",
        parents=[shared],
        help="which gotcha is this? (text, a log, command output, or a probe bundle)",
        description="Rank catalog entries against symptom text and raw command output. "
        "Exit 0 when something matched, 1 when it abstained, 2 on usage errors.",
    )
    p.add_argument("text", nargs="*", help="symptom text; '-' reads standard input")
    p.add_argument("--file", "-f", help="read the input from this file")
    p.add_argument("--platform", help="autodl, runpod, vastai, lambda, paperspace, china, generic-ssh, local")
    p.add_argument("--top", type=int, default=3, help="how many candidates to show (default 3)")
    p.set_defaults(func=cmd_diagnose)

    p = sub.add_parser("probe", parents=[shared], help="print a read-only sh script that collects readings diagnose understands")
    p.set_defaults(func=cmd_probe)


def _read_input(args: argparse.Namespace) -> bytes | str | None:
    if args.file:
        try:
            with open(args.file, "rb") as fh:
                return fh.read(MAX_READ)
        except OSError as e:
            error(f"cannot read {args.file!r}: {e.strerror or e}")
            return None
    if args.text == ["-"] or (not args.text and not sys.stdin.isatty()):
        return sys.stdin.buffer.read(MAX_READ)
    if not args.text:
        error("give symptom text, '-' for standard input, or --file LOG")
        return None
    return " ".join(args.text)


def cmd_diagnose(args: argparse.Namespace) -> int:
    if args.top < 1:
        error("--top must be at least 1")
        return 2
    data = _read_input(args)
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
        print("\n(input was larger than the limit; only its end was read)")


def cmd_probe(args: argparse.Namespace) -> int:
    from engine.probe import probe_script

    script = probe_script()
    if args.json:
        emit_json({"script": script})
    else:
        sys.stdout.write(script)
    return 0
