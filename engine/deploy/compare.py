"""Local manifest vs the box's listing -> a verdict with a reason for every file.

Order of verdicts: a listing we cannot trust is UNVERIFIABLE whatever it says; then any file
that differs makes the box STALE (it runs other code, the worst case); then missing files make
it PARTIAL; DEPLOYED only when every compared file and every requested symbol checks out.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from gotcha_kb.engine.deploy.listing import Listing
from gotcha_kb.engine.deploy.manifest import Manifest, sha256_file
from gotcha_kb.engine.deploy.models import (
    DeployReport,
    FileCheck,
    FileCounts,
    FileStatus,
    PullReport,
    PullVerdict,
    SymbolCheck,
    SymbolSpec,
    Verdict,
)
from gotcha_kb.engine.deploy.paths import display, inside

T = TypeVar("T")

MAX_LISTED = 1000  # FileCheck entries in a report; counts stay exact beyond it
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def listing_problem(listing: Listing) -> str | None:
    """Why this listing cannot be trusted, or None. Shared by deploy and pull."""
    if listing.errors:
        return "the box reported: " + "; ".join(listing.errors)
    if listing.begun and not listing.ended:
        return "the listing is cut off (its end marker is missing): capture or paste the whole output"
    if listing.hash_lines == 0 and not (listing.begun and listing.ended):
        if listing.noise:
            return f"no sha256 lines in the listing ({listing.noise} other line(s), e.g. {listing.noise_sample[0]})"
        return "the listing is empty"
    return None


def compare_deploy(manifest: Manifest, listing: Listing, *, source: str, symbols: Sequence[SymbolSpec] = ()) -> DeployReport:
    # An empty local side comes first: with nothing to compare, what the box says is moot.
    problem = _nothing_to_compare(manifest) if not manifest.files else listing_problem(listing)
    if problem is not None:
        return unverifiable(manifest, problem, source=source, symbols=symbols)

    checks = [(path, d.sha256, d.size, listing.entries.get(path)) for path, d in sorted(manifest.files.items())]
    counts = _tally(_status(r[1], r[3]) for r in checks)
    sym_checks = [_symbol(s, listing, manifest) for s in symbols]
    report = _base(manifest, source, counts, checks)
    report.symbols = sym_checks
    report.deleted_still_on_box = [display(p) for p in manifest.deleted if p in listing.entries]
    whole_tree = manifest.mode != "changed-since" and listing.mode != "files"
    if whole_tree:
        report.extra_on_box = [display(p) for p in listing.extra_sample]
        report.extra_on_box_by_dir = {display(d): n for d, n in listing.extra_by_dir.most_common(20)}
        report.extra_on_box_count = listing.extra_count
    report.notes += _listing_notes(listing, whole_tree)
    if listing.mode == "files" and manifest.mode != "changed-since" and counts.missing:
        report.notes.append("the listing names only some files (made with --changed-since?): check with the same --changed-since")
    if counts.ok == 0 and listing.extra_sample and (prefix := _common_prefix_hint(manifest, listing.extra_sample)):
        report.notes.append(
            f"the box's paths look like they start with an extra {prefix!r}: "
            "make the listing from inside the project directory (cd DIR first)"
        )

    sym_wrong = [s for s in sym_checks if s.found_on_box is False]
    sym_unknown = [s for s in sym_checks if s.found_on_box is None]
    # A symbol absent from a file the box has is stale code; from a file it lacks, a partial copy.
    grep_failed = {s.key for s in symbols if (r := listing.symbols.get(s.key)) and r.rc is not None and r.rc >= 2}
    stale_symbol = any(c.found_on_box is False and s.key not in grep_failed for s, c in zip(symbols, sym_checks))
    if counts.differs or stale_symbol:
        report.verdict = Verdict.STALE
    elif counts.missing or sym_wrong:
        report.verdict = Verdict.PARTIAL
    elif sym_unknown:
        report.verdict = Verdict.UNVERIFIABLE
    else:
        report.verdict = Verdict.DEPLOYED
    report.summary = _deploy_summary(report, sym_wrong, sym_unknown)
    return report


def unverifiable(manifest: Manifest, reason: str, *, source: str, symbols: Sequence[SymbolSpec] = ()) -> DeployReport:
    report = _base(manifest, source, FileCounts(total=len(manifest.files)), [])
    report.summary = f"UNVERIFIABLE: {reason}"
    report.symbols = [SymbolCheck(path=s.path, text=s.text, found_on_box=None, reason="no usable listing") for s in symbols]
    return report


def _base(manifest: Manifest, source: str, counts: FileCounts, checks: list[_Row]) -> DeployReport:
    files, truncated = _cap(checks)
    notes = list(manifest.notes)
    if manifest.dirty:
        notes.append("the local tree has uncommitted changes: it was compared as it is on disk, not as committed")
    if manifest.skipped:
        notes.append(f"{len(manifest.skipped)} local file(s) not compared (symlinks, unreadable): see `skipped`")
    return DeployReport(
        verdict=Verdict.UNVERIFIABLE,
        summary="",
        local_dir=str(manifest.root),
        source=source,
        manifest_mode=manifest.mode,
        changed_since=manifest.ref,
        counts=counts,
        files=files,
        files_truncated=truncated,
        skipped=manifest.skipped[:MAX_LISTED],
        notes=notes,
    )


def _nothing_to_compare(manifest: Manifest) -> str:
    if manifest.mode == "changed-since":
        if manifest.deleted:
            return f"only deletions since {manifest.ref} ({len(manifest.deleted)} file(s)); no file content to compare"
        return f"no files changed since {manifest.ref}: nothing to compare"
    return f"no files to compare under {manifest.root} (is everything git-ignored?)"


# (path, local sha256, local size, box sha256 or None): FileCheck models are built only for the
# rows a report lists, so 100,000 files cost tuples, not 100,000 pydantic objects.
_Row = tuple[str, str | None, int | None, str | None]


def _status(local: str | None, remote: str | None) -> FileStatus:
    if remote is None:
        return FileStatus.MISSING
    return FileStatus.OK if remote == local else FileStatus.DIFFERS


def _check(path: str, local: str | None, size: int | None, remote: str | None) -> FileCheck:
    status = _status(local, remote)
    if status == FileStatus.MISSING:
        reason = "not on the box"
    elif status == FileStatus.OK:
        reason = "same sha256"
    else:
        reason = f"content differs: box {remote[:12]}..., local {(local or '')[:12]}..."
    return FileCheck.model_construct(path=display(path), status=status, reason=reason, local_sha256=local, remote_sha256=remote, size=size)


def _tally(statuses: Iterable[FileStatus]) -> FileCounts:
    tally = {s: 0 for s in FileStatus}
    for status in statuses:
        tally[status] += 1
    return FileCounts(total=sum(tally.values()), ok=tally[FileStatus.OK], differs=tally[FileStatus.DIFFERS],
                      missing=tally[FileStatus.MISSING])


def _problems_first(items: list[T], is_ok: Callable[[T], bool]) -> tuple[list[T], bool]:
    # Problems first: with 100,000 files the report must still show the reasons to act on.
    picked = [i for i in items if not is_ok(i)][:MAX_LISTED]
    picked += [i for _, i in zip(range(MAX_LISTED - len(picked)), (i for i in items if is_ok(i)))]
    return picked, len(items) > len(picked)


def _cap(rows: list[_Row]) -> tuple[list[FileCheck], bool]:
    picked, truncated = _problems_first(rows, lambda r: _status(r[1], r[3]) == FileStatus.OK)
    return [_check(*r) for r in picked], truncated


def _symbol(spec: SymbolSpec, listing: Listing, manifest: Manifest) -> SymbolCheck:
    res = listing.symbols.get(spec.key)
    base = {"path": spec.path, "text": spec.text}
    if res is not None and res.rc == 0:
        return SymbolCheck(**base, found_on_box=True, box_lines=res.lines, reason="found on the box")
    if res is not None and res.rc == 1:
        return SymbolCheck(**base, found_on_box=False, reason=f"the box's {spec.path} does not contain it")
    if res is not None and res.rc is not None:
        return SymbolCheck(**base, found_on_box=False, reason=f"grep could not read {spec.path} on the box (missing or unreadable)")
    local = manifest.files.get(spec.path)
    if local is not None and listing.entries.get(spec.path) == local.sha256:
        # The local copy contains the text (checked before asking the box) and the box's copy is
        # byte-identical, so the grep's answer is known without it.
        return SymbolCheck(**base, found_on_box=True, reason="not grepped on the box, but its copy has the local sha256")
    why = "cut off" if res is not None else "absent (made without this --symbol?)"
    return SymbolCheck(**base, found_on_box=None, reason=f"the listing's grep result for this symbol is {why}")


def _listing_notes(listing: Listing, whole_tree: bool) -> list[str]:
    notes = []
    if listing.rc not in (None, 0):
        notes.append(f"the hash command on the box exited with {listing.rc}: some files there are missing or unreadable")
    if listing.noise:
        notes.append(f"ignored {listing.noise} line(s) that are not sha256 lines")
    if listing.ignored_before_begin:
        notes.append(f"ignored {listing.ignored_before_begin} sha256 line(s) printed before the listing began")
    if not whole_tree:
        notes.append("only the named files were compared, so extra files on the box are not reported")
    return notes


def _common_prefix_hint(manifest: Manifest, extras: list[str]) -> str | None:
    firsts = {e.split("/", 1)[0] for e in extras if "/" in e}
    if len(firsts) != 1:
        return None
    prefix = firsts.pop() + "/"
    hits = sum(1 for e in extras if e.startswith(prefix) and e[len(prefix):] in manifest.files)
    return prefix if hits * 2 >= len(extras) else None


def _deploy_summary(report: DeployReport, sym_wrong: list[SymbolCheck], sym_unknown: list[SymbolCheck]) -> str:
    c = report.counts
    where = f" ({report.source})"
    scope = f" changed since {report.changed_since}" if report.changed_since else ""
    if report.verdict == Verdict.DEPLOYED:
        extra = f"; {len(report.symbols)} symbol(s) found" if report.symbols else ""
        return f"DEPLOYED: all {c.total} file(s){scope} match on the box{extra}{where}"
    parts = []
    if c.differs:
        parts.append(f"{c.differs} of {c.total} file(s){scope} differ")
    if c.missing:
        parts.append(f"{c.missing} of {c.total} missing on the box")
    if sym_wrong:
        parts.append(f"{len(sym_wrong)} symbol(s) not on the box")
    if sym_unknown:
        parts.append(f"{len(sym_unknown)} symbol(s) not answered by the listing")
    return f"{report.verdict.value}: " + ", ".join(parts) + where


# --- pull: the box's manifest is the truth, the downloaded folder is checked against it -------

def compare_pull(listing: Listing, local_root: str | os.PathLike[str], *, source: str, exclude: str | None = None,
                 extra_paths: Iterable[str] = ()) -> PullReport:
    """`exclude`: the manifest file itself when it sits inside the folder (it cannot list itself
    truthfully). `extra_paths`: the local files, walked by the caller, to report what the box did not list."""
    root_real = os.path.realpath(local_root)
    problem = listing_problem(listing)
    entries = {p: s for p, s in listing.entries.items() if p != exclude}
    if problem is None and not entries:
        problem = "the box manifest lists no files; an empty result is not a successful pull"
    if problem is not None:
        return PullReport(verdict=PullVerdict.UNVERIFIABLE, summary=f"UNVERIFIABLE: {problem}", local_dir=str(local_root),
                          manifest=source, counts=FileCounts(), files=[])

    checks = [_pull_check(root_real, path, sha) for path, sha in sorted(entries.items())]
    counts = _tally(c.status for c in checks)
    files, truncated = _problems_first(checks, lambda c: c.status == FileStatus.OK)
    extras = [p for p in extra_paths if p not in entries and p != exclude]
    notes = []
    empty = sum(1 for s in entries.values() if s == EMPTY_SHA256)
    if empty:
        notes.append(f"{empty} file(s) are empty on the box as well: check that the run really wrote them (U33)")
    if listing.noise:
        notes.append(f"ignored {listing.noise} line(s) that are not sha256 lines")
    if exclude and exclude in listing.entries:
        notes.append(f"{exclude} lists itself; it was skipped (it was still being written when hashed)")
    if counts.differs:
        verdict, summary = PullVerdict.MISMATCH, f"MISMATCH: {counts.differs} of {counts.total} file(s) differ from the box"
        if counts.missing:
            summary += f", {counts.missing} missing"
    elif counts.missing == counts.total:
        verdict, summary = PullVerdict.PARTIAL, f"PARTIAL: nothing arrived: none of the {counts.total} file(s) the box listed is here"
    elif counts.missing:
        verdict, summary = PullVerdict.PARTIAL, f"PARTIAL: {counts.missing} of {counts.total} file(s) the box listed are missing here"
    elif listing.rc not in (None, 0):
        # Every listed file arrived, but the box could not hash all of its files: the manifest
        # itself may be short, so success cannot be claimed.
        verdict = PullVerdict.UNVERIFIABLE
        summary = f"UNVERIFIABLE: all {counts.total} listed file(s) match, but the box's hash command exited with {listing.rc}"
    else:
        verdict, summary = PullVerdict.COMPLETE, f"COMPLETE: all {counts.total} file(s) the box listed are here, byte for byte"
    return PullReport(verdict=verdict, summary=f"{summary} ({source})", local_dir=str(local_root), manifest=source,
                      counts=counts, files=files, files_truncated=truncated, extra_local=[display(p) for p in extras[:200]],
                      extra_local_count=len(extras), notes=notes)


def _pull_check(root_real: str, path: str, remote: str) -> FileCheck:
    check = _pull_check_raw(root_real, path, remote)
    check.path = display(check.path)
    return check


def _pull_check_raw(root_real: str, path: str, remote: str) -> FileCheck:
    full = os.path.join(root_real, path)
    parent = os.path.realpath(os.path.dirname(full))
    if not inside(root_real, parent):
        return FileCheck(path=path, status=FileStatus.MISSING, remote_sha256=remote,
                         reason=f"reached through a symlinked directory that leaves the folder ({parent}); not followed")
    try:
        st = os.lstat(full)
    except FileNotFoundError:
        return FileCheck(path=path, status=FileStatus.MISSING, remote_sha256=remote, reason="not here")
    except OSError as e:
        return FileCheck(path=path, status=FileStatus.MISSING, remote_sha256=remote, reason=f"cannot stat: {e.strerror}")
    if not stat.S_ISREG(st.st_mode):
        kind = "a symlink" if stat.S_ISLNK(st.st_mode) else "not a regular file"
        return FileCheck(path=path, status=FileStatus.DIFFERS, remote_sha256=remote,
                         reason=f"{kind} here, a regular file on the box; not followed")
    try:
        local = sha256_file(full)
    except OSError as e:
        return FileCheck(path=path, status=FileStatus.MISSING, remote_sha256=remote, reason=f"unreadable: {e.strerror}")
    check = _check(path, local, st.st_size, remote)
    if check.status == FileStatus.DIFFERS:
        check.reason += f" (local copy is {st.st_size} bytes)"
    return check
