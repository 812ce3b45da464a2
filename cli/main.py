"""`gotcha` entry point: argparse, one module per command family, heavy imports deferred.

Exit codes: 0 found / ok, 1 nothing found / check failed / not verified, 2 usage error
(cli/output.py says more, including the --json error shape).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

# Command -> the module that registers it. Only the module for the command being run is
# imported, so `gotcha lookup` does not pay for diagnose, eval or the MCP server.
COMMANDS = {
    "lookup": "gotcha_kb.cli.cmd_kb",
    "show": "gotcha_kb.cli.cmd_kb",
    "list": "gotcha_kb.cli.cmd_kb",
    "check": "gotcha_kb.cli.cmd_kb",
    "profile": "gotcha_kb.cli.cmd_profiles",
    "profiles": "gotcha_kb.cli.cmd_profiles",
    "diagnose": "gotcha_kb.cli.cmd_diagnose",
    "probe": "gotcha_kb.cli.cmd_diagnose",
    "eval": "gotcha_kb.cli.cmd_eval",
    "verify-deploy": "gotcha_kb.cli.cmd_verify",
    "verify-pull": "gotcha_kb.cli.cmd_verify",
    "serve": "gotcha_kb.cli.cmd_serve",
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))


def _command_in(argv: list[str]) -> str | None:
    skip = False
    for tok in argv:
        if skip:
            skip = False
        elif tok == "--catalog":
            skip = True
        elif not tok.startswith("-"):
            return tok
    return None


def common_options(top: bool) -> argparse.ArgumentParser:
    """--catalog and --json, accepted before or after the command name."""
    from gotcha_kb.cli.output import Parser

    p = Parser(add_help=False)
    # On subcommands SUPPRESS keeps an unset flag from overwriting the top-level value.
    default_cat = None if top else argparse.SUPPRESS
    default_json = False if top else argparse.SUPPRESS
    p.add_argument("--catalog", action="append", metavar="PATH", default=default_cat,
                   help="catalog file or folder (repeatable); replaces the shipped catalog and $GOTCHA_CATALOG")
    p.add_argument("--json", action="store_true", default=default_json, help="structured output for scripts and agents")
    return p


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    from gotcha_kb.cli.output import Parser

    parser = Parser(
        prog="gotcha",
        parents=[common_options(top=True)],
        description="Find, diagnose and verify the traps of training on rented GPU boxes.",
        epilog="Exit codes: 0 found/ok, 1 nothing found or check failed, 2 usage error.",
    )
    parser.add_argument("--version", "-V", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    shared = common_options(top=False)
    wanted = _command_in(argv or [])
    modules = (COMMANDS[wanted],) if wanted in COMMANDS else COMMAND_MODULES
    for name in modules:
        importlib.import_module(name).register(sub, shared)
    return parser


class _VersionAction(argparse.Action):
    """--version, reading the installed metadata only when asked (importlib.metadata costs ~20 ms)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kw: Any) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kw: Any) -> None:
        from gotcha_kb import version

        sys.stdout.write(f"gotcha {version()}\n")
        parser.exit()


def main(argv: list[str] | None = None) -> int:
    from gotcha_kb.cli.output import UsageError, error, set_json_errors

    argv = sys.argv[1:] if argv is None else argv
    # Known before parsing, so that even argparse's own usage errors come out as JSON.
    set_json_errors("--json" in argv[: argv.index("--")] if "--" in argv else "--json" in argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)  # usage errors and --help/--version exit here (SystemExit)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    from gotcha_kb.engine.errors import ModelError
    from gotcha_kb.kb.names import InputError

    try:
        return int(args.func(args) or 0)
    except (UsageError, InputError) as e:  # the library's InputError: an unknown id, platform, ref...
        return error(str(e))
    except ModelError as e:
        return error(str(e), code=1)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `gotcha list | head`: the reader left; that is not an error.
        sys.stderr.close()
        return 0


def cli() -> None:
    sys.exit(main())
