"""The one command to run on the box: the sha256 of its copy, plus the U42 greps, in one run.

The output is framed by marker lines, so the parser can tell a complete listing of an empty
directory (trustworthy: everything is missing) from a cut-off paste or a failed `cd`
(untrustworthy: UNVERIFIABLE). Everything runs in a subshell so a pasted command cannot change
the user's directory or end their session, and it is plain POSIX sh that bash and zsh run as is
(no `$VAR` word splitting, which zsh does not do).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from gotcha_kb.engine.deploy.errors import DeployInputError
from gotcha_kb.engine.deploy.models import SymbolSpec
from gotcha_kb.engine.deploy.paths import PRUNE_NAMES

BEGIN = "==gotcha-listing begin v1 mode={mode}=="
END_PREFIX = "==gotcha-listing end rc="
SYMBOL_PREFIX = "==gotcha-symbol "
ERROR_PREFIX = "==gotcha-error "
NO_DIR = "==gotcha-error cannot cd into the directory=="
NO_HASHER = "==gotcha-error neither sha256sum nor shasum is installed=="

# Linux caps one argument at 128 KiB and ssh passes the whole command as one; leave headroom.
MAX_INLINE_BYTES = 100_000

_PRUNE = " -o ".join(f"-name {shlex.quote(n)}" for n in sorted(PRUNE_NAMES))
_FIND = f"find . \\( {_PRUNE} \\) -prune -o -type f -exec {{hasher}} {{{{}}}} +"


def quote_remote_dir(remote_dir: str) -> str:
    """shlex.quote, except that a leading `~/` stays unquoted so the box's shell expands it."""
    if not remote_dir or any(c in remote_dir for c in "\0\n\r"):
        raise DeployInputError(f"remote directory {remote_dir!r} is empty or contains a newline/NUL")
    if remote_dir == "~":
        return "~"
    if remote_dir.startswith("~/"):
        rest = remote_dir[2:].rstrip("/")
        return "~/" + shlex.quote(rest) if rest else "~"
    if remote_dir.startswith("~"):
        raise DeployInputError(f"remote directory {remote_dir!r}: only ~ and ~/path are supported, not ~user")
    return shlex.quote(remote_dir)


def remote_command(remote_dir: str, *, paths: Sequence[str] | None = None, symbols: Sequence[SymbolSpec] = ()) -> str:
    """The command for the box. `paths` hashes just those files (the --changed-since case: no need
    to read the checkpoints that share the directory); otherwise every file under it is hashed."""
    qdir = quote_remote_dir(remote_dir)
    inline = None
    if paths is not None:
        inline = " ".join(shlex.quote(f"./{p}") for p in paths)
        if not paths or len(inline) > MAX_INLINE_BYTES:
            inline = None  # too long for one argument (or nothing to name): list everything instead
    if inline is None:
        listing = (
            "if command -v sha256sum >/dev/null 2>&1; then " + _FIND.format(hasher="sha256sum") + "; "
            "elif command -v shasum >/dev/null 2>&1; then " + _FIND.format(hasher="shasum -a 256") + "; "
            f"else echo '{NO_HASHER}'; fi;"
        )
        mode = "all"
    else:
        # A function, so the (possibly long) file list is written once for either hasher.
        listing = (
            'if command -v sha256sum >/dev/null 2>&1; then h() { sha256sum "$@"; }; '
            'elif command -v shasum >/dev/null 2>&1; then h() { shasum -a 256 "$@"; }; '
            f"else h() {{ echo '{NO_HASHER}'; return 127; }}; fi; h {inline};"
        )
        mode = "files"
    parts = [
        f"if cd -- {qdir}; then",
        f"echo '{BEGIN.format(mode=mode)}';",
        listing,
        f'echo "{END_PREFIX}$?==";',
        *(_grep(s) for s in symbols),
        f"else echo '{NO_DIR}';",
        "fi",
    ]
    return "(" + " ".join(parts) + ")"


def _grep(sym: SymbolSpec) -> str:
    if not sym.text or any(c in sym.text for c in "\0\n\r"):
        raise DeployInputError(f"symbol text {sym.text!r} must be one non-empty line")
    # -F: the text is literal, not a regex; -e: it may start with '-'; -m 3: a few lines of proof.
    return (
        f"echo '{SYMBOL_PREFIX}{sym.key} begin=='; "
        f"grep -n -F -m 3 -e {shlex.quote(sym.text)} {shlex.quote('./' + sym.path)}; "
        f'echo "{SYMBOL_PREFIX}{sym.key} end rc=$?==";'
    )
