"""diagnose and probe: what the user sees in, ranked differential out."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gotcha_kb.cli import render
from gotcha_kb.cli.output import emit_json, error, lines, platform_argument, wrap

DEFAULT_TOP = 3
# Candidates this unlikely are noise to a reader: hidden from the text output unless asked for
# (--all, or an explicit --top); --json always has them.
FAINT = 0.05
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
    p.add_argument("--all", action="store_true",
                   help=f"also show candidates under {FAINT:.2f} confidence (hidden by default)")
    p.set_defaults(func=cmd_diagnose)

    p = sub.add_parser("probe", parents=[shared], help="print a read-only sh script that collects readings diagnose understands")
    p.set_defaults(func=cmd_probe)


def _read_input(args: argparse.Namespace) -> tuple[bytes | str | None, int]:
    """The input, and how many bytes at its start were skipped (only the engine's limit is read, from the end)."""
    import os
    import stat

    from gotcha_kb.engine.normalize import MAX_INPUT_BYTES
    from gotcha_kb.engine.tailread import EndlessInput, read_tail

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
    if data is None:
        return 2
    if not (data.strip() if isinstance(data, (str, bytes)) else data):
        error("the input is empty")
        return 2
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
        shown = ", ".join(f"{k}={v}" for k, v in sorted(d.facts.items()))
        print(lines(shown, "readings: ", "  "))
    if d.abstained:
        print(lines(f"No confident match: {render.plain(d.reason)}."))
    matches = d.matches if show_all else [m for k, m in enumerate(d.matches) if k == 0 or m.confidence >= FAINT]
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
