"""verify-deploy and verify-pull: is the box's code yours (U42), did its results arrive whole (U33)?

Thin: parse arguments, call engine.deploy, print. Exit 0 only when verified, 1 when not
(STALE, PARTIAL, MISMATCH, UNVERIFIABLE), 2 for usage errors.
"""

from __future__ import annotations

import argparse
from typing import Any

from gotcha_kb.cli.output import UsageError, emit_json

MAX_INPUT = 256 * 1024 * 1024  # bytes of listing read from a file or stdin
SHOWN = 30  # per-file lines in the text output; --json has up to 1000

DEPLOY_EPILOG = """\
examples:
  gotcha verify-deploy --print-command /root/proj > /tmp/cmd.sh
  ssh box "$(cat /tmp/cmd.sh)" > /tmp/box.txt
  gotcha verify-deploy . --listing /tmp/box.txt
  ssh -p 2222 root@box "$(gotcha verify-deploy --print-command /root/proj)" \\
      | gotcha verify-deploy . --listing -
  gotcha verify-deploy . --ssh root@box:/root/proj --port 2222 \\
      --changed-since HEAD~1 --symbol 'train.py:def warmup'
Compared: the files git tracks plus untracked ones it does not ignore (--no-git:
all files), minus --exclude GLOBs, patterns in LOCAL_DIR/.gotchaignore (one per
line, .gitignore style) and the --listing file itself. More than --max-files
files (default 50000) is refused before hashing: point at the code.

Exit codes: 0 DEPLOYED, 1 STALE/PARTIAL/UNVERIFIABLE, 2 usage error."""

PULL_EPILOG = """\
On the box, run the command from `gotcha verify-deploy --print-command
RESULTS_DIR` and save its output next to the results (a manifest saved inside
the folder is skipped). After downloading:
  gotcha verify-pull ./results --manifest ./results/MANIFEST.sha256
Exit 0 only when every file the box listed arrived byte for byte; an empty pull
never passes."""


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    p = sub.add_parser("verify-deploy", parents=[shared], help="prove the code on the box is the code you have (U42)",
                       description="Compare a local project tree with the box's copy, by sha256: "
                                   "DEPLOYED, STALE (files differ), PARTIAL (files missing) or UNVERIFIABLE.",
                       epilog=DEPLOY_EPILOG)
    p.add_argument("local_dir", nargs="?", metavar="LOCAL_DIR", help="the project directory on this machine")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--listing", metavar="FILE", help="the box's output of the --print-command command ('-' = stdin)")
    src.add_argument("--ssh", metavar="HOST:DIR", help="run the listing over ssh: [user@]host:DIR (ssh config aliases work)")
    src.add_argument("--print-command", metavar="DIR", help="print the command to run on the box in DIR, and exit")
    p.add_argument("--changed-since", metavar="REF", help="only files changed since this commit (plus untracked): the fix itself")
    p.add_argument("--symbol", action="append", default=[], metavar="PATH:TEXT",
                   help="also require TEXT in the box's copy of PATH, e.g. 'train.py:def warmup' (repeatable)")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="leave these files out, e.g. '*.log' or 'scratch/' (repeatable; LOCAL_DIR/.gotchaignore "
                        "holds more, one per line)")
    p.add_argument("--no-git", action="store_true", help="compare every file under LOCAL_DIR, ignoring git")
    p.add_argument("--max-files", type=_positive, default=None, metavar="N", help="refuse trees larger than N files (default 50000)")
    g = p.add_argument_group("ssh (with --ssh)")
    g.add_argument("--port", "-p", type=_port, help="ssh port (AutoDL and RunPod give one)")
    g.add_argument("--identity", "-i", metavar="KEY", help="private key file")
    g.add_argument("--known-hosts", metavar="FILE", help="known_hosts file to use instead of ~/.ssh/known_hosts")
    g.add_argument("--timeout", type=float, default=600, metavar="SECONDS", help="give up after this long (default 600)")
    p.set_defaults(func=cmd_verify_deploy)

    p = sub.add_parser("verify-pull", parents=[shared], help="prove a downloaded results folder is whole (U33)",
                       description="Check a downloaded folder against a sha256 manifest made on the box: "
                                   "COMPLETE, MISMATCH, PARTIAL or UNVERIFIABLE.",
                       epilog=PULL_EPILOG)
    p.add_argument("local_dir", metavar="LOCAL_DIR", help="the downloaded folder")
    p.add_argument("--manifest", required=True, metavar="FILE", help="the listing made on the box ('-' = stdin)")
    p.add_argument("--max-files", type=_positive, default=None, metavar="N", help="refuse manifests and folders over N files (default 50000)")
    p.set_defaults(func=cmd_verify_pull)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be 1-65535")
    return value


def _read(path: str) -> str:
    from gotcha_kb.engine.tailread import read_capped

    return read_capped(path, MAX_INPUT, "a listing of code")


def cmd_verify_deploy(args: argparse.Namespace) -> int:
    from gotcha_kb.engine.deploy import SshOptions, Verdict, parse_symbol, print_command, verify_deploy

    # Symbols are parsed before the listing is read: a typo should not wait for stdin.
    common = {"changed_since": args.changed_since, "symbols": [parse_symbol(s) for s in args.symbol], "use_git": not args.no_git,
              "exclude": args.exclude, "max_files": args.max_files}
    if args.print_command is not None:
        print(print_command(args.print_command, local_dir=args.local_dir, **common))
        return 0
    if args.local_dir is None:
        raise UsageError("LOCAL_DIR is required (or --print-command DIR to get the command for the box)")
    if args.listing is None and args.ssh is None:
        raise UsageError("give --listing FILE, --listing - or --ssh HOST:DIR (get the command to run with --print-command DIR)")
    if args.ssh is not None:
        opts = SshOptions(port=args.port, identity=args.identity, known_hosts=args.known_hosts, timeout=args.timeout)
        report = verify_deploy(args.local_dir, ssh=args.ssh, ssh_options=opts, **common)
    else:
        from_file = args.listing != "-"
        report = verify_deploy(args.local_dir, listing=_read(args.listing), source=args.listing if from_file else "stdin",
                               listing_path=args.listing if from_file else None, **common)
    if args.json:
        emit_json(report)
    else:
        _print_deploy(report)
    return 0 if report.verdict == Verdict.DEPLOYED else 1


def cmd_verify_pull(args: argparse.Namespace) -> int:
    from gotcha_kb.engine.deploy import PullVerdict, verify_pull

    from_file = args.manifest != "-"
    report = verify_pull(args.local_dir, _read(args.manifest), source=args.manifest if from_file else "stdin",
                         manifest_path=args.manifest if from_file else None, max_files=args.max_files)
    if args.json:
        emit_json(report)
    else:
        _print_files(report.summary, report.files, report.counts.total - report.counts.ok)
        if report.extra_local_count:
            print(f"  here but not listed by the box: {report.extra_local_count} file(s), e.g. {', '.join(report.extra_local[:5])}")
        for note in report.notes:
            print(f"  note: {note}")
    return 0 if report.verdict == PullVerdict.COMPLETE else 1


def _print_files(summary: str, files: list[Any], problems: int) -> None:
    print(summary)
    shown = [f for f in files if f.status.value != "ok"][:SHOWN]
    width = max((len(f.path) for f in shown), default=0)
    for f in shown:
        print(f"  {f.status.value:<8} {f.path:<{min(width, 60)}}  {f.reason}")
    if problems > len(shown):
        print(f"  ... and {problems - len(shown)} more (--json lists up to 1000)")


def _print_deploy(report: Any) -> None:
    _print_files(report.summary, report.files, report.counts.differs + report.counts.missing)
    for s in report.symbols:
        state = {True: "found on the box", False: "NOT on the box", None: "unknown"}[s.found_on_box]
        proof = f" ({s.box_lines[0]})" if s.box_lines else ""
        print(f"  symbol   {s.path}: {s.text!r} {state}{proof}" + ("" if s.found_on_box else f": {s.reason}"))
    if report.deleted_still_on_box:
        print(f"  deleted since {report.changed_since} but still on the box: {', '.join(report.deleted_still_on_box[:10])}")
    if report.extra_on_box_count:
        dirs = ", ".join(f"{d}: {n}" for d, n in list(report.extra_on_box_by_dir.items())[:5])
        print(f"  extra on the box (not fatal): {report.extra_on_box_count} file(s) ({dirs})")
    for s in report.skipped[:5]:
        print(f"  skipped  {s.path}: {s.reason}")
    for note in report.notes:
        print(f"  note: {note}")
    if report.verdict.value in ("STALE", "PARTIAL"):
        print("  fix: sync again (e.g. rsync -az LOCAL_DIR/ HOST:DIR/) and re-run this check before trusting results (U42)")
