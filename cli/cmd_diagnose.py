"""diagnose and probe: what the user sees in, ranked differential out."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gotcha_kb.cli import render
from gotcha_kb.cli.output import UsageError, emit_json, error, lines, platform_argument, wrap
# Which candidates a reader sees is decided once for both faces (the import costs only diagnose
# and the top-level --help, which registers every command).
from gotcha_kb.engine.brief import FAINT, shown

DEFAULT_TOP = 3
HOW_TO_READ = ("How to read this: confidence is how sure the match is (0-1); lower entries are "
               "alternatives, not extra problems. 'gotcha show ID' prints an entry in full.")


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
    platform_argument(p, "--platform", help="the platform the paste comes from, when it does not say")
    p.add_argument("--top", type=int, default=None, help="how many candidates to show (default 3)")
    p.add_argument("--all", action="store_true", help=f"also show candidates under {FAINT:.2f} confidence (hidden by default)")
    p.set_defaults(func=cmd_diagnose)

    p = sub.add_parser("probe", parents=[shared], help="print a read-only sh script that collects readings diagnose understands")
    p.set_defaults(func=cmd_probe)


def _read_input(args: argparse.Namespace) -> tuple[bytes | str, int]:
    """The input, and how many bytes at its start were skipped (only the engine's limit is read, from the end)."""
    from gotcha_kb.engine.normalize import MAX_INPUT_BYTES
    from gotcha_kb.engine.tailread import read_log

    if args.file:
        return read_log(args.file, MAX_INPUT_BYTES)
    if args.text == ["-"] or (not args.text and not sys.stdin.isatty()):
        return read_log("-", MAX_INPUT_BYTES)
    if not args.text:
        raise UsageError("give symptom text, '-' for standard input, or --file LOG")
    return " ".join(args.text), 0


def _conflicting_inputs(args: argparse.Namespace) -> str | None:
    """One input at a time: silently dropping the text or stdin would diagnose the wrong thing."""
    if getattr(args, "file", None) and args.text:
        return f"give symptom text or --file, not both (text: {' '.join(args.text)[:40]!r}, --file {args.file})"
    if "-" in args.text and len(args.text) > 1:
        return "'-' reads standard input and takes no other text; put the text on stdin or drop the '-'"
    return None


def cmd_diagnose(args: argparse.Namespace) -> int:
    if args.top is not None and args.top < 1:
        return error("--top must be at least 1")
    conflict = _conflicting_inputs(args)
    if conflict:
        return error(conflict)
    data, skipped = _read_input(args)
    if not data.strip():
        raise UsageError("the input is empty")
    from gotcha_kb.engine.api import build_engine

    eng = build_engine(getattr(args, "catalog", None))
    result = eng.diagnose(data, platform=args.platform, top_k=args.top or DEFAULT_TOP)
    if skipped:
        result = result.model_copy(update={"truncated": True, "dropped_bytes": result.dropped_bytes + skipped})
    if args.json:
        emit_json(result)
    else:
        show_all = args.all or args.top is not None
        print_diagnosis(result, show_all=show_all)
    return 1 if result.abstained else 0


def print_diagnosis(d: Any, show_all: bool = False) -> None:
    width = render.term_width()
    if d.platform:
        print(f"platform: {d.platform}" + (" (named in the text)" if d.platform_inferred else ""))
    if d.facts:
        readings = ", ".join(f"{k}={v}" for k, v in sorted(d.facts.items()))
        print(lines(readings, "readings: ", "  "))
    if d.abstained:
        print(lines(f"No confident match: {render.plain(d.reason)}."))
    matches = shown(d.matches, include_faint=show_all)
    for n, m in enumerate(matches, start=1):
        print()
        where = f"[{m.platform}] " if m.platform else ""
        print(lines(f"{where}{render.plain(m.title)}  [confidence {m.confidence:.2f}]", f"{n}. {m.id} — ", "   "))
        for ev in m.evidence[:5]:
            sign = "+" if ev.weight >= 0 else "-"
            print(lines(ev.why, f"   {sign} ", "     "))
            if ev.line and ev.text:
                # The matched input line, cut to one terminal line and marked when cut.
                print(render.clip(f"     line {ev.line}: {ev.text.strip()}", width))
        for k, v in m.profile_values.items():
            print(lines(f"{m.platform or d.platform}: {k} = {v}", "   ", "     "))
        if n == 1:
            print("   Fix:")
            print(wrap(m.fix, indent="     "))
    hidden = len(d.matches) - len(matches)
    if hidden:
        print(lines(f"({hidden} more under {FAINT:.2f} confidence hidden; --all shows them)"))
    if d.next_checks:
        print("\nNext checks (run on the box):")
        for c in d.next_checks:
            print("\n".join(render.fold_command(c.run, width, "  $ ")))
            print(lines(f"{render.plain(c.shows)}  [{', '.join(c.separates)}]", "      "))
    if d.truncated:
        print(f"\n(input was larger than the limit: the first {_size(d.dropped_bytes)} were skipped and only the end was read)")
    if d.matches:
        print("\n" + lines(HOW_TO_READ))


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB ({n} bytes)" if n >= 2**20 else f"{n} bytes"


def cmd_probe(args: argparse.Namespace) -> int:
    from gotcha_kb.engine.probe import probe_script

    script = probe_script()
    if args.json:
        emit_json({"script": script})
    else:
        sys.stdout.write(script)
    return 0
