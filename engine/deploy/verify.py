"""verify-deploy and verify-pull: the whole check, from directories and listings to a report.

Faces (CLI, MCP) call these three functions and nothing else. DeployInputError means the
caller's input is wrong (exit 2); every problem with the box's evidence ends as UNVERIFIABLE.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from gotcha_kb.engine.deploy.compare import compare_deploy, compare_pull, unverifiable
from gotcha_kb.engine.deploy.errors import DeployInputError, ListingError, SshError
from gotcha_kb.engine.deploy.listing import parse_listing
from gotcha_kb.engine.deploy.manifest import DEFAULT_MAX_FILES, Manifest, build_manifest, walk_files
from gotcha_kb.engine.deploy.models import DeployReport, PullReport, SymbolSpec
from gotcha_kb.engine.deploy.paths import UnsafePath, inside, normalize_rel
from gotcha_kb.engine.deploy.remote import quote_remote_dir, remote_command
from gotcha_kb.engine.deploy.ssh import SshOptions, SshTarget, parse_target, run_ssh, validate_host


def parse_symbol(spec: str) -> SymbolSpec:
    """`PATH:TEXT` from the command line; the first ':' splits (the text may hold more)."""
    path, sep, text = spec.partition(":")
    if not sep or not path or not text:
        raise DeployInputError(f"--symbol {spec!r}: expected PATH:TEXT, e.g. train.py:def warmup_schedule")
    return SymbolSpec(path=path, text=text)


def _specs(symbols: Sequence[SymbolSpec | str]) -> list[SymbolSpec]:
    """Symbols as given by either face: parsed specs, or `PATH:TEXT` strings."""
    return [parse_symbol(s) if isinstance(s, str) else s for s in symbols]


def check_symbols(root: str | os.PathLike[str], symbols: Sequence[SymbolSpec | str]) -> list[SymbolSpec]:
    """Normalize each symbol's path and require the text locally: a symbol your own copy lacks
    would make the box look stale for a typo."""
    checked = []
    root_real = os.path.realpath(root)
    for s in _specs(symbols):
        try:
            rel = normalize_rel(s.path)
        except UnsafePath as e:
            raise DeployInputError(f"--symbol {s.path}: {e}") from None
        if not s.text or any(c in s.text for c in "\0\n\r"):
            raise DeployInputError(f"--symbol {s.path}: the text must be one non-empty line")
        full = os.path.join(root_real, rel)
        if not inside(root_real, os.path.realpath(full)) or not os.path.isfile(full):
            raise DeployInputError(f"--symbol {rel}: no such file under {root}")
        if not _file_contains(full, s.text.encode("utf-8", "surrogateescape")):
            raise DeployInputError(f"--symbol {rel}: {s.text!r} is not in your local copy either; nothing to look for on the box")
        checked.append(SymbolSpec(path=rel, text=s.text))
    return checked


def verify_deploy(
    local_dir: str | os.PathLike[str],
    *,
    listing: str | None = None,
    source: str = "listing",
    ssh: SshTarget | str | None = None,
    ssh_options: SshOptions | None = None,
    changed_since: str | None = None,
    symbols: Sequence[SymbolSpec | str] = (),
    use_git: bool = True,
    max_files: int | None = None,
    exclude: Sequence[str] = (),
    listing_path: str | os.PathLike[str] | None = None,
) -> DeployReport:
    """Is the code in `local_dir` what the box has? Give the box's `listing` text, or `ssh`
    (`[user@]host:DIR` or a target) to fetch it. Symbols are specs or `PATH:TEXT` strings.

    `exclude` globs (plus LOCAL_DIR/.gotchaignore) leave files out; `listing_path`, the file the
    listing was read from, is never part of the code even when it was saved inside the tree."""
    if (listing is None) == (ssh is None):
        raise DeployInputError("give exactly one of a listing or an ssh target")
    ssh = parse_target(ssh) if isinstance(ssh, str) else ssh
    max_files = max_files or DEFAULT_MAX_FILES
    if ssh is not None:  # before any hashing: a bad host is a usage error, found in milliseconds
        validate_host(ssh.host, ssh.user)
        quote_remote_dir(ssh.dir)
    symbols = check_symbols(local_dir, symbols)
    own = _relative_inside(Path(local_dir), listing_path)
    manifest = build_manifest(local_dir, use_git=use_git, changed_since=changed_since, max_files=max_files,
                              exclude=exclude, exclude_paths=[own] if own else [])
    if ssh is not None:
        source = f"ssh {ssh}"
        if not manifest.files and not manifest.deleted:
            return compare_deploy(manifest, parse_listing(""), source=source, symbols=symbols)
        try:
            result = run_ssh(ssh, remote_command(ssh.dir, paths=_named_paths(manifest), symbols=symbols), ssh_options)
        except SshError as e:
            return unverifiable(manifest, str(e), source=source, symbols=symbols)
        listing = result.stdout
        if not listing.strip() and result.stderr:
            return unverifiable(manifest, f"the box printed nothing on stdout; stderr: {result.stderr[-500:]}", source=source, symbols=symbols)
    assert listing is not None
    try:
        parsed = parse_listing(listing, keep=set(manifest.files) | set(manifest.deleted))
    except ListingError as e:
        return unverifiable(manifest, str(e), source=source, symbols=symbols)
    return compare_deploy(manifest, parsed, source=source, symbols=symbols)


def print_command(
    remote_dir: str,
    *,
    local_dir: str | os.PathLike[str] | None = None,
    changed_since: str | None = None,
    symbols: Sequence[SymbolSpec | str] = (),
    use_git: bool = True,
    max_files: int | None = None,
    exclude: Sequence[str] = (),
) -> str:
    """The command to paste on the box. With a local dir and --changed-since it names just the
    changed files; with symbols it also carries their greps."""
    paths = None
    max_files = max_files or DEFAULT_MAX_FILES
    symbols = _specs(symbols)
    if local_dir is not None:
        symbols = check_symbols(local_dir, symbols)
        if changed_since is not None:
            manifest = build_manifest(local_dir, use_git=use_git, changed_since=changed_since, max_files=max_files, exclude=exclude)
            paths = _named_paths(manifest)
            if not paths:
                raise DeployInputError(f"no files changed since {changed_since}: nothing to check on the box")
    elif changed_since is not None:
        raise DeployInputError("--changed-since needs LOCAL_DIR, to know which files changed")
    else:
        symbols = [_plain_symbol(s) for s in symbols]
    return remote_command(remote_dir, paths=paths, symbols=symbols)


def verify_pull(
    local_dir: str | os.PathLike[str],
    manifest_text: str,
    *,
    source: str = "manifest",
    manifest_path: str | os.PathLike[str] | None = None,
    max_files: int | None = None,
) -> PullReport:
    """Did the download arrive whole? Checked against the listing the box made of its results."""
    max_files = max_files or DEFAULT_MAX_FILES
    root = Path(local_dir)
    if not root.is_dir():
        raise DeployInputError(f"not a directory: {local_dir}")
    exclude = _relative_inside(root, manifest_path)
    try:
        listing = parse_listing(manifest_text, max_entries=max_files)
    except ListingError as e:
        from gotcha_kb.engine.deploy.models import FileCounts, PullVerdict

        return PullReport(verdict=PullVerdict.UNVERIFIABLE, summary=f"UNVERIFIABLE: {e}", local_dir=str(root),
                          manifest=source, counts=FileCounts(), files=[])
    local = (normalize_rel(p) for p in walk_files(os.path.realpath(root), max_files))
    return compare_pull(listing, root, source=source, exclude=exclude, extra_paths=local)


def _named_paths(manifest: Manifest) -> list[str] | None:
    # Only --changed-since names files on the box; a whole-tree check lists everything so that
    # extra files there are seen too.
    if manifest.mode != "changed-since":
        return None
    return sorted(set(manifest.files) | set(manifest.deleted))


def _plain_symbol(s: SymbolSpec) -> SymbolSpec:
    try:
        return SymbolSpec(path=normalize_rel(s.path), text=s.text)
    except UnsafePath as e:
        raise DeployInputError(f"--symbol {s.path}: {e}") from None


def _relative_inside(root: Path, path: str | os.PathLike[str] | None) -> str | None:
    if path is None:
        return None
    real_root, real = os.path.realpath(root), os.path.realpath(path)
    if not inside(real_root, real) or real == real_root:
        return None
    return normalize_rel(os.path.relpath(real, real_root).replace(os.sep, "/"))


def _file_contains(path: str, needle: bytes, chunk: int = 1 << 20) -> bool:
    # Chunked with an overlap so a 2 GB file is searched in constant memory.
    keep = len(needle) - 1
    tail = b""
    with open(path, "rb") as f:
        while block := f.read(chunk):
            if needle in tail + block:
                return True
            tail = (tail + block)[-keep:] if keep else b""
    return False
