"""The local side: relative path, size and sha256 of each file of a project tree.

Git-aware by default, because what you mean by "the code" is what git tracks plus new files it
does not ignore (checkpoints and venvs are usually ignored and would drown the comparison).
Symlinks are never followed: a link out of the tree could make us hash (and report) files that
were never part of the project, so links are reported as skipped instead.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

from gotcha_kb.engine.deploy.errors import DeployInputError, TooManyFiles
from gotcha_kb.engine.deploy.exclude import build_excluder
from gotcha_kb.engine.deploy.models import SkippedFile
from gotcha_kb.engine.deploy.paths import PRUNE_NAMES, UnsafePath, display, inside, normalize_rel

# A code tree is hundreds or a few thousand files; tens of thousands means data or a venv got in.
# The cap is checked while listing, before any hashing, so a huge tree costs a walk, not a read.
DEFAULT_MAX_FILES = 50_000

_CHUNK = 64 * 1024
# NOFOLLOW: a symlink is refused, never followed, even one swapped in after the listing.
# NONBLOCK: opening a fifo returns at once instead of waiting for a writer (regular files ignore it).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)

ManifestMode = Literal["git", "changed-since", "walk"]


class Digest(NamedTuple):
    size: int
    sha256: str


@dataclass
class Manifest:
    root: Path
    mode: ManifestMode
    files: dict[str, Digest] = field(default_factory=dict)
    skipped: list[SkippedFile] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # changed-since: gone locally since the ref
    ref: str | None = None
    dirty: bool = False  # git: the working tree differs from HEAD under root
    notes: list[str] = field(default_factory=list)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Streamed in 64 KiB reads, so a 10 GB checkpoint costs time, not memory."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
        return _sha256_fd(fd)
    finally:
        os.close(fd)


def _sha256_fd(fd: int) -> str:
    # Raw os.read, not hashlib.file_digest: its 256 KiB buffer per call doubles the time for the
    # thousands of small files a code tree is made of.
    h = hashlib.sha256()
    while chunk := os.read(fd, _CHUNK):
        h.update(chunk)
    return h.hexdigest()


def build_manifest(
    root: str | os.PathLike[str],
    *,
    use_git: bool = True,
    changed_since: str | None = None,
    max_files: int = DEFAULT_MAX_FILES,
    exclude: Sequence[str] = (),
    exclude_paths: Iterable[str] = (),
) -> Manifest:
    """Hash the tree under `root`; `changed_since` narrows it to what changed since that commit.

    `exclude` globs and ROOT/.gotchaignore leave files out (see exclude.py), as do `exclude_paths`
    (relative paths: the listing file when it was saved inside the tree)."""
    root_path = Path(root)
    if not root_path.is_dir():
        raise DeployInputError(f"not a directory: {root}")
    if max_files < 1:
        raise DeployInputError("max_files must be at least 1")
    root_real = os.path.realpath(root_path)
    in_git = use_git and _inside_work_tree(root_real)
    if changed_since is not None and not in_git:
        raise DeployInputError(f"--changed-since needs a git work tree; {root} is not in one" if use_git
                               else "--changed-since cannot be combined with a plain walk (no git)")
    if changed_since is not None:
        manifest = Manifest(root=root_path, mode="changed-since", ref=changed_since)
        commit = _resolve_commit(root_real, changed_since)
        changed = _git_paths(root_real, ["diff", "--name-only", "-z", "--no-renames", "--relative", commit, "--"], max_files)
        untracked = _git_paths(root_real, ["ls-files", "-o", "--exclude-standard", "-z"], max_files)
        candidates = sorted(set(changed) | set(untracked))
        if len(candidates) > max_files:
            raise _too_many(root, max_files)
    elif in_git:
        manifest = Manifest(root=root_path, mode="git")
        candidates = sorted(set(_git_paths(root_real, ["ls-files", "-c", "-o", "--exclude-standard", "-z"], max_files)))
    else:
        manifest = Manifest(root=root_path, mode="walk")
        if use_git:
            manifest.notes.append("not a git work tree: every file under the directory was compared")
        candidates = sorted(walk_files(root_real, max_files))
    excluder = build_excluder(root_real, exclude, exclude_paths)
    if excluder:
        candidates, dropped = excluder.filter(candidates)
        if dropped:
            manifest.notes.append(f"{dropped} local file(s) left out by --exclude, .gotchaignore or as the listing file itself")
    if in_git:
        manifest.dirty = _is_dirty(root_real)
    _hash_into(manifest, root_real, candidates)
    return manifest


def _hash_into(manifest: Manifest, root_real: str, candidates: Iterable[str]) -> None:
    parent_ok: dict[str, str | None] = {"": None}  # dir -> reason it is unsafe, or None
    for rel in candidates:
        try:
            key = normalize_rel(rel)
        except UnsafePath as e:  # git never emits these; a defensive skip, not a crash
            manifest.skipped.append(SkippedFile(path=display(rel), reason=str(e)))
            continue
        if any(part in PRUNE_NAMES for part in key.split("/")):
            continue
        full = os.path.join(root_real, rel)
        parent = os.path.dirname(rel)
        if parent not in parent_ok:
            preal = os.path.realpath(os.path.join(root_real, parent))
            parent_ok[parent] = None if inside(root_real, preal) else f"reached through a symlinked directory that leaves the tree ({parent} -> {preal}); not followed"
        if parent_ok[parent]:
            manifest.skipped.append(SkippedFile(path=display(key), reason=parent_ok[parent]))
            continue
        # One open + fstat per file (the common case); lstat only to explain a failed open.
        try:
            fd = os.open(full, _OPEN_FLAGS)
        except OSError as e:
            _explain_unopenable(manifest, root_real, key, full, e)
            continue
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                manifest.skipped.append(SkippedFile(path=display(key), reason="a directory listed by git (a submodule?); not compared"))
            elif not stat.S_ISREG(st.st_mode):
                manifest.skipped.append(SkippedFile(path=display(key), reason="not a regular file (fifo, socket or device); not compared"))
            else:
                manifest.files[key] = Digest(st.st_size, _sha256_fd(fd))
        except OSError as e:
            manifest.skipped.append(SkippedFile(path=display(key), reason=f"unreadable: {e.strerror}"))
        finally:
            os.close(fd)


def _explain_unopenable(manifest: Manifest, root_real: str, key: str, full: str, err: OSError) -> None:
    try:
        st = os.lstat(full)
    except FileNotFoundError:
        if manifest.mode == "changed-since":
            manifest.deleted.append(key)
        else:
            manifest.skipped.append(SkippedFile(path=display(key), reason="tracked by git but deleted from the working tree"))
        return
    except OSError as e:
        manifest.skipped.append(SkippedFile(path=display(key), reason=f"cannot stat: {e.strerror}"))
        return
    if stat.S_ISLNK(st.st_mode):
        manifest.skipped.append(SkippedFile(path=display(key), reason=_link_reason(root_real, full)))
    else:
        manifest.skipped.append(SkippedFile(path=display(key), reason=f"unreadable: {err.strerror}"))


def _link_reason(root_real: str, full: str) -> str:
    target = os.readlink(full)
    resolved = os.path.realpath(full)
    if not inside(root_real, resolved):
        return f"symlink leaving the tree (-> {target}); not followed"
    # rsync -a copies links as links and `find -type f` does not list them; scp -r copies the
    # target. Either way the box side is not comparable, so links are reported, not hashed.
    return f"symlink inside the tree (-> {target}); links are not compared"


def walk_files(root_real: str, max_files: int) -> Iterator[str]:
    """Every non-directory entry below root, without descending into symlinked directories."""
    count = 0
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            it = os.scandir(os.path.join(root_real, rel_dir) if rel_dir else root_real)
        except OSError:
            continue  # an unreadable directory: its files simply do not enter the manifest
        with it:
            for entry in it:
                if entry.name in PRUNE_NAMES:
                    continue
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append(rel)
                    continue
                count += 1
                if count > max_files:
                    raise _too_many(root_real, max_files)
                yield rel


def _too_many(root: str | os.PathLike[str], max_files: int) -> TooManyFiles:
    return TooManyFiles(
        f"{root} holds more than {max_files} files: that is data or a virtualenv, not just code. "
        "Point at the code directory, use --changed-since REF, let .gitignore exclude the data, "
        "or raise --max-files."
    )


# --- git -------------------------------------------------------------------------------------

def _git_env() -> dict[str, str]:
    # No optional index refresh (read-only), and messages in one language for the error texts.
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


def _git(root_real: str, args: list[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", root_real, *args], capture_output=True, env=_git_env(), check=False)


def _inside_work_tree(root_real: str) -> bool:
    try:
        proc = _git(root_real, ["rev-parse", "--is-inside-work-tree"])
    except FileNotFoundError:  # no git installed: a plain walk is still a correct answer
        return False
    return proc.returncode == 0 and proc.stdout.strip() == b"true"


def _resolve_commit(root_real: str, ref: str) -> str:
    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n\r"):
        raise DeployInputError(f"--changed-since: {ref!r} is not a git ref")
    proc = _git(root_real, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"])
    if proc.returncode != 0:
        raise DeployInputError(f"--changed-since: no commit named {ref!r} in {root_real}")
    return proc.stdout.decode().strip()


def _is_dirty(root_real: str) -> bool:
    proc = _git(root_real, ["status", "--porcelain", "--untracked-files=no", "-z", "--", "."])
    return proc.returncode == 0 and bool(proc.stdout.strip(b"\0"))


def _git_paths(root_real: str, args: list[str], max_files: int) -> list[str]:
    """Stream NUL-separated paths from git and stop as soon as the cap is passed."""
    with tempfile.TemporaryFile() as errf:  # a file, not a pipe: a chatty stderr cannot block git
        proc = subprocess.Popen(["git", "-C", root_real, *args], stdout=subprocess.PIPE, stderr=errf, env=_git_env())
        assert proc.stdout is not None
        paths: list[str] = []
        buf = b""
        try:
            while chunk := proc.stdout.read(1 << 16):
                *done, buf = (buf + chunk).split(b"\0")
                paths.extend(os.fsdecode(p) for p in done if p)
                if len(paths) > max_files:
                    proc.kill()
                    raise _too_many(root_real, max_files)
            if buf:
                paths.append(os.fsdecode(buf))
        finally:
            proc.stdout.close()
            proc.wait()
        errf.seek(0)
        err = errf.read(4096)
    if proc.returncode != 0:
        raise DeployInputError(f"git {args[0]} failed in {root_real}: {err.decode(errors='replace').strip()}")
    return paths


def format_listing(manifest: Manifest) -> str:
    """The manifest in `sha256sum` format (`<hex>  ./path`), the same shape the box prints."""
    return "".join(_listing_line(path, d.sha256) for path, d in sorted(manifest.files.items()))


def _listing_line(path: str, sha: str) -> str:
    if "\\" not in path and "\n" not in path:
        return f"{sha}  ./{path}\n"
    # GNU coreutils' convention: a leading backslash says the name below is escaped.
    escaped = path.replace("\\", "\\\\").replace("\n", "\\n")
    return f"\\{sha}  ./{escaped}\n"
