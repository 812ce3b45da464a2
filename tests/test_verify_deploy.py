"""verify-deploy / verify-pull (U42, U33) on real trees: real git repos, the real remote command run
by a real `sh`, real sha256sum output. The ssh path is in test_verify_ssh.py."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gotcha_kb.engine.deploy import (
    DeployInputError,
    FileCheck,
    ListingError,
    PullVerdict,
    SymbolSpec,
    TooManyFiles,
    Verdict,
    parse_symbol,
    print_command,
    verify_deploy,
    verify_pull,
)
from gotcha_kb.engine.deploy.listing import parse_listing
from gotcha_kb.engine.deploy.manifest import build_manifest, format_listing
from gotcha_kb.engine.deploy.remote import remote_command
from gotcha_kb.cli.main import main

GIT_ID = ["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "gc.auto=0"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *GIT_ID, *args], check=True, capture_output=True, text=True).stdout


def commit_all(repo: Path, msg: str = "c") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", msg)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small project: code tracked, data and checkpoints ignored, one untracked new file."""
    r = tmp_path / "proj"
    (r / "pkg").mkdir(parents=True)
    (r / "data").mkdir()
    git(r, "init", "-q")
    (r / "train.py").write_text("def old_fn():\n    return 1\n")
    (r / "pkg" / "util.py").write_text("X = 1\n")
    (r / "README.md").write_text("# proj\n")
    (r / ".gitignore").write_text("data/\n*.ckpt\n")
    (r / "data" / "big.bin").write_bytes(b"\0" * 1000)
    (r / "model.ckpt").write_bytes(b"weights")
    commit_all(r, "init")
    (r / "notes.txt").write_text("untracked but not ignored\n")
    return r


def deploy(src: Path, dst: Path) -> Path:
    """What rsync/scp does: a copy of the tree, without .git."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".git"))
    return dst


def on_box(command: str, *, env: dict[str, str] | None = None, cwd: Path | None = None, shell: str = "sh") -> str:
    """Run the generated command the way a person pastes it: in a real shell."""
    proc = subprocess.run([shutil.which(shell) or shell, "-c", command], capture_output=True, text=True, env=env, cwd=cwd, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def box_listing(box: Path, **kw) -> str:
    return on_box(print_command(str(box), **kw))


# --- the local manifest ------------------------------------------------------------------------

def test_git_manifest_is_tracked_plus_untracked_not_ignored(repo: Path):
    m = build_manifest(repo)
    assert m.mode == "git"
    assert set(m.files) == {"train.py", "pkg/util.py", "README.md", ".gitignore", "notes.txt"}
    data = (repo / "train.py").read_bytes()
    assert m.files["train.py"] == (len(data), hashlib.sha256(data).hexdigest())


def test_manifest_streams_a_large_file_and_hashes_it_right(tmp_path: Path):
    blob = os.urandom(3 * 1024 * 1024 + 17)  # several read chunks, odd tail
    (tmp_path / "big.bin").write_bytes(blob)
    m = build_manifest(tmp_path)
    assert m.mode == "walk" and m.files["big.bin"].sha256 == hashlib.sha256(blob).hexdigest()


def test_plain_walk_outside_git_prunes_git_dirs_and_bytecode(tmp_path: Path):
    (tmp_path / "a.py").write_text("a")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"x")
    (tmp_path / "sub" / ".git").mkdir(parents=True)
    (tmp_path / "sub" / ".git" / "HEAD").write_text("ref")
    (tmp_path / "sub" / "b.py").write_text("b")
    m = build_manifest(tmp_path)
    assert m.mode == "walk" and set(m.files) == {"a.py", "sub/b.py"}
    assert any("not a git work tree" in n for n in m.notes)


def test_no_git_flag_walks_everything_even_in_a_repo(repo: Path):
    m = build_manifest(repo, use_git=False)
    assert {"data/big.bin", "model.ckpt", "train.py"} <= set(m.files)


def test_manifest_of_a_subdirectory_is_relative_to_it(repo: Path):
    m = build_manifest(repo / "pkg")
    assert set(m.files) == {"util.py"}


def test_changed_since_is_exactly_the_fix(repo: Path):
    (repo / "old.py").write_text("gone soon\n")
    base = commit_all(repo, "base")
    (repo / "train.py").write_text("def new_fn():\n    return 2\n")
    (repo / "pkg" / "new_mod.py").write_text("Y = 2\n")
    (repo / "old.py").unlink()
    m = build_manifest(repo, changed_since=base)
    assert m.mode == "changed-since" and m.ref == base
    assert set(m.files) == {"train.py", "pkg/new_mod.py"}  # new_mod.py: untracked, so part of the change
    assert m.deleted == ["old.py"]
    assert m.dirty


@pytest.mark.parametrize("ref", ["-x", "--output=/tmp/owned", "no-such-ref", "HEAD\nHEAD", ""])
def test_changed_since_rejects_option_like_and_unknown_refs(repo: Path, ref: str):
    with pytest.raises(DeployInputError):
        build_manifest(repo, changed_since=ref)


def test_changed_since_needs_git(tmp_path: Path):
    (tmp_path / "a.py").write_text("a")
    with pytest.raises(DeployInputError, match="git work tree"):
        build_manifest(tmp_path, changed_since="HEAD")


def test_symlinks_are_reported_never_followed(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not part of the project")
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "a.py").write_text("a")
    (proj / "escape.txt").symlink_to(outside / "secret.txt")
    (proj / "escape_dir").symlink_to(outside, target_is_directory=True)
    (proj / "alias.py").symlink_to("a.py")
    for m in (build_manifest(proj), _git_manifest(proj)):
        assert set(m.files) == {"a.py"}, m.mode
        reasons = {s.path: s.reason for s in m.skipped}
        assert "leaving the tree" in reasons["escape.txt"]
        assert "inside the tree" in reasons["alias.py"]
        assert not any("secret" in p for p in m.files)


def _git_manifest(proj: Path):
    git(proj, "init", "-q")
    commit_all(proj)  # git tracks the links themselves, not their targets
    return build_manifest(proj)


def test_too_many_files_is_refused_before_hashing(tmp_path: Path):
    for i in range(501):
        (tmp_path / f"f{i}.txt").write_text(str(i))
    t = time.perf_counter()
    with pytest.raises(TooManyFiles, match="more than 500 files.*--max-files"):
        build_manifest(tmp_path, max_files=500)
    git(tmp_path, "init", "-q")
    with pytest.raises(TooManyFiles):
        build_manifest(tmp_path, max_files=500)
    assert time.perf_counter() - t < 10
    assert len(build_manifest(tmp_path, max_files=501).files) == 501


def test_format_listing_round_trips(repo: Path):
    m = build_manifest(repo)
    parsed = parse_listing(format_listing(m))
    assert parsed.entries == {p: d.sha256 for p, d in m.files.items()}


# --- the remote command, run by a real shell -----------------------------------------------------

@pytest.mark.parametrize("name", ["it's a \"dir\"", "$(touch PWNED)", "; touch PWNED #", "-rf", "tab\tand space", "ünïcode"])
def test_remote_command_quotes_hostile_directory_names(tmp_path: Path, name: str):
    box = tmp_path / name
    box.mkdir()
    (box / "a.py").write_text("a")
    out = on_box(remote_command(name), cwd=tmp_path)  # relative name: '-rf' must not become an option
    assert parse_listing(out).entries == {"a.py": hashlib.sha256(b"a").hexdigest()}
    assert not (tmp_path / "PWNED").exists()


def test_remote_dir_with_tilde_expands_on_the_box(tmp_path: Path):
    (tmp_path / "my proj").mkdir()
    (tmp_path / "my proj" / "a.py").write_text("a")
    out = on_box(remote_command("~/my proj"), env={**os.environ, "HOME": str(tmp_path)})
    assert set(parse_listing(out).entries) == {"a.py"}
    with pytest.raises(DeployInputError):
        remote_command("~root/x")


@pytest.mark.parametrize("shell", ["sh", "bash", "zsh", "busybox"])
def test_remote_command_runs_in_common_shells(tmp_path: Path, repo: Path, shell: str):
    if not shutil.which(shell):
        pytest.skip(f"{shell} not installed")
    box = deploy(repo, tmp_path / "box")
    args = ["sh", "-c"] if shell == "busybox" else ["-c"]
    cmd = print_command(str(box), local_dir=repo, symbols=[parse_symbol("train.py:def old_fn")])
    proc = subprocess.run([shell, *args, cmd], capture_output=True, text=True, timeout=60)
    report = verify_deploy(repo, listing=proc.stdout, symbols=[parse_symbol("train.py:def old_fn")])
    assert report.verdict == Verdict.DEPLOYED, (proc.stderr, report.summary)
    assert report.symbols[0].box_lines == ["1:def old_fn():"]


def _only_tools(tmp_path: Path, *tools: str) -> dict[str, str]:
    """An environment whose PATH holds just these tools: a box without sha256sum, say."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for t in tools:
        found = shutil.which(t)
        if not found:
            pytest.skip(f"{t} not installed")
        (bin_dir / t).symlink_to(found)
    return {"PATH": str(bin_dir), "HOME": str(tmp_path)}


def test_falls_back_to_shasum_when_sha256sum_is_missing(tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    env = _only_tools(tmp_path, "find", "shasum", "perl", "grep")
    assert shutil.which("sha256sum", path=env["PATH"]) is None
    report = verify_deploy(repo, listing=on_box(print_command(str(box)), env=env))
    assert report.verdict == Verdict.DEPLOYED, report.summary


def test_a_box_without_any_hasher_is_unverifiable(tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    env = _only_tools(tmp_path, "find")
    report = verify_deploy(repo, listing=on_box(print_command(str(box)), env=env))
    assert report.verdict == Verdict.UNVERIFIABLE and "neither sha256sum nor shasum" in report.summary


def test_missing_remote_directory_is_unverifiable_not_partial(tmp_path: Path, repo: Path):
    report = verify_deploy(repo, listing=box_listing(tmp_path / "nowhere"))
    assert report.verdict == Verdict.UNVERIFIABLE and "cannot cd" in report.summary


def test_an_empty_box_directory_is_partial(tmp_path: Path, repo: Path):
    (tmp_path / "empty").mkdir()
    report = verify_deploy(repo, listing=box_listing(tmp_path / "empty"))
    assert report.verdict == Verdict.PARTIAL and report.counts.missing == report.counts.total == 5


# --- parsing listings --------------------------------------------------------------------------

SHA_A = hashlib.sha256(b"a").hexdigest()
SHA_B = hashlib.sha256(b"b").hexdigest()


@pytest.mark.parametrize("text", [
    f"{SHA_A}  ./a.py\n{SHA_B}  ./sub/b.py\n",  # GNU, from find .
    f"{SHA_A}  a.py\n{SHA_B}  sub/b.py",  # no ./, no final newline
    f"{SHA_A} *./a.py\r\n{SHA_B} *sub/b.py\r\n",  # binary marker + CRLF
    f"{SHA_A} a.py\n{SHA_B} ././sub//b.py\n",  # BSD sha256 -r, odd spellings
    f"SHA256 (./a.py) = {SHA_A}\nSHA256 (sub/b.py) = {SHA_B}\n",  # BSD / --tag
    f"SHA2-256(a.py)= {SHA_A}\nSHA256(sub/b.py)= {SHA_B}\n",  # openssl
    f"   {SHA_A.upper()}  ./a.py\n\t{SHA_B}  ./sub/b.py\n",  # indented paste, uppercase hex
    f"root@box:~/p# sha256sum ...\n{SHA_A}  ./a.py\nsha256sum: ./c: Permission denied\n{SHA_B}  ./sub/b.py\n{SHA_A}  -\n",
])
def test_listing_shapes_parse_to_the_same_entries(text: str):
    assert parse_listing(text).entries == {"a.py": SHA_A, "sub/b.py": SHA_B}


def test_noise_is_counted_not_fatal():
    listing = parse_listing(f"hello\n{SHA_A}  ./a.py\nsome banner\n")
    assert listing.noise == 2 and listing.noise_sample[0] == "'hello'"


def test_gnu_escaped_names_with_newline_and_backslash(tmp_path: Path):
    if not shutil.which("sha256sum"):
        pytest.skip("sha256sum not installed")
    (tmp_path / "new\nline.py").write_text("n")
    (tmp_path / "back\\slash.py").write_text("b")
    report = verify_deploy(tmp_path, listing=on_box(remote_command(str(tmp_path))))
    assert report.verdict == Verdict.DEPLOYED and report.counts.ok == 2, report.summary


def test_undecodable_file_names_compare_and_print_as_json(capsys, tmp_path: Path):
    proj = tmp_path / "proj"
    proj.mkdir()
    try:
        (proj / os.fsdecode(b"caf\xe9-latin1.py")).write_text("x")
    except (OSError, UnicodeError):
        pytest.skip("this filesystem refuses non-UTF-8 names")
    (proj / "ok.py").write_text("y")
    listing = subprocess.run(["sh", "-c", remote_command(str(proj))], capture_output=True, check=True).stdout
    lst = tmp_path / "box.txt"
    lst.write_bytes(listing)
    code, out, _ = run(capsys, "verify-deploy", str(proj), "--listing", str(lst), "--json")
    data = json.loads(out)
    assert code == 0 and data["verdict"] == "DEPLOYED"
    assert "caf\\xe9-latin1.py" in {f["path"] for f in data["files"]}


@pytest.mark.parametrize("line, what", [
    (f"{SHA_A}  ../etc/passwd", "'..'"),
    (f"{SHA_A}  ./a/../../x", "'..'"),
    (f"{SHA_A}  /root/proj/a.py", "absolute"),
    (f"SHA256 (/etc/shadow) = {SHA_A}", "absolute"),
])
def test_dotdot_and_absolute_paths_are_refused_with_the_line_number(line: str, what: str, repo: Path):
    text = f"{SHA_A}  ./ok.py\nnoise\n{line}\n"
    with pytest.raises(ListingError, match=rf"^line 3: .*{what}"):
        parse_listing(text)
    report = verify_deploy(repo, listing=text)
    assert report.verdict == Verdict.UNVERIFIABLE and "line 3" in report.summary


@pytest.mark.parametrize("text, why", [
    ("", "empty"),
    ("\n\n  \n", "empty"),
    ("Permission denied (publickey).\nConnection closed\n", "no sha256 lines"),
    (os.urandom(4096).decode("latin-1"), "no sha256 lines"),
    ("deadbeef  ./a.py\n" + "z" * 64 + "  ./b.py\n", "no sha256 lines"),
    ("==gotcha-listing begin v1 mode=all==\n" + f"{SHA_A}  ./train.py\n", "cut off"),
    (f"{SHA_A}  ./a.py\n==gotcha-listing end rc=0==\n", "without its begin"),
])
def test_garbage_empty_or_truncated_listings_are_unverifiable(repo: Path, text: str, why: str):
    report = verify_deploy(repo, listing=text)
    assert report.verdict == Verdict.UNVERIFIABLE and why in report.summary
    assert report.files == []


def test_two_pasted_runs_or_conflicting_lines_are_refused():
    run = f"==gotcha-listing begin v1 mode=all==\n{SHA_A}  ./a.py\n==gotcha-listing end rc=0==\n"
    with pytest.raises(ListingError, match="second listing"):
        parse_listing(run + run)
    with pytest.raises(ListingError, match="listed twice"):
        parse_listing(f"{SHA_A}  ./a.py\n{SHA_B}  a.py\n")
    assert parse_listing(f"{SHA_A}  ./a.py\n{SHA_A}  a.py\n").entries == {"a.py": SHA_A}


def test_a_huge_box_listing_costs_a_counter_not_a_dict():
    lines = "".join(f"{SHA_A}  ./data/shard{i:06d}.bin\n" for i in range(100_000))
    t = time.perf_counter()
    listing = parse_listing(f"{SHA_B}  ./train.py\n" + lines, keep={"train.py"})
    assert time.perf_counter() - t < 10
    assert listing.entries == {"train.py": SHA_B}
    assert listing.extra_count == 100_000 and len(listing.extra_sample) == 200
    assert listing.extra_by_dir == {"data/": 100_000}


def test_listing_over_the_cap_is_refused():
    with pytest.raises(TooManyFiles):
        parse_listing("".join(f"{SHA_A}  ./f{i}\n" for i in range(11)), max_entries=10)


# --- verdicts on real trees --------------------------------------------------------------------

def test_deployed_when_the_box_has_the_same_files_extras_reported_not_fatal(tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    (box / "outputs").mkdir()
    (box / "outputs" / "run1.log").write_text("log")
    (box / "__pycache__").mkdir()
    (box / "__pycache__" / "train.cpython-311.pyc").write_bytes(b"pyc")
    report = verify_deploy(repo, listing=box_listing(box), source="box.txt")
    assert report.verdict == Verdict.DEPLOYED, report.summary
    assert report.counts.ok == report.counts.total == 5
    assert all(f.status.value == "ok" and f.reason == "same sha256" for f in report.files)
    # ignored data and checkpoints went along with the copy; the box's own outputs too. Bytecode is pruned.
    assert set(report.extra_on_box) == {"data/big.bin", "model.ckpt", "outputs/run1.log"}
    assert report.extra_on_box_by_dir == {"data/": 1, ".": 1, "outputs/": 1}


def test_stale_when_a_file_differs_with_the_reason(tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    (repo / "train.py").write_text("def new_fn():\n    return 2\n")  # the fix, never synced
    report = verify_deploy(repo, listing=box_listing(box))
    assert report.verdict == Verdict.STALE
    bad = report.files[0]
    assert (bad.path, bad.status.value) == ("train.py", "differs")
    assert "content differs" in bad.reason and bad.local_sha256 != bad.remote_sha256
    assert "1 of 5 file(s) differ" in report.summary
    assert any("uncommitted" in n for n in report.notes)


def test_partial_when_files_are_missing_on_the_box(tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    (box / "pkg" / "util.py").unlink()
    report = verify_deploy(repo, listing=box_listing(box))
    assert report.verdict == Verdict.PARTIAL
    assert [(f.path, f.reason) for f in report.files if f.status.value != "ok"] == [("pkg/util.py", "not on the box")]


def test_stale_wins_over_partial(tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    (box / "pkg" / "util.py").unlink()
    (box / "train.py").write_text("old\n")
    report = verify_deploy(repo, listing=box_listing(box))
    assert report.verdict == Verdict.STALE and report.counts.differs == 1 and report.counts.missing == 1


def test_listing_made_from_the_parent_gets_a_hint(tmp_path: Path, repo: Path):
    deploy(repo, tmp_path / "box" / "proj")
    report = verify_deploy(repo, listing=box_listing(tmp_path / "box"))
    assert report.verdict == Verdict.PARTIAL
    assert any("extra 'proj/'" in n for n in report.notes)


def test_changed_since_checks_only_the_fix_and_names_only_those_files(tmp_path: Path, repo: Path):
    (repo / "old.py").write_text("old\n")
    base = commit_all(repo, "base")
    box = deploy(repo, tmp_path / "box")
    (box / "README.md").write_text("edited on the box; not part of the fix\n")
    (repo / "train.py").write_text("def new_fn():\n    return 2\n")
    (repo / "old.py").unlink()
    commit_all(repo, "fix")
    cmd = print_command(str(box), local_dir=repo, changed_since=base)
    assert "find" not in cmd and "./train.py" in cmd and "./old.py" in cmd and "README" not in cmd

    stale = verify_deploy(repo, listing=on_box(cmd), changed_since=base)
    assert stale.verdict == Verdict.STALE and [f.path for f in stale.files if f.status.value != "ok"] == ["train.py"]
    assert stale.deleted_still_on_box == ["old.py"]

    shutil.copy(repo / "train.py", box / "train.py")
    (box / "old.py").unlink()
    done = verify_deploy(repo, listing=on_box(cmd), changed_since=base)
    assert done.verdict == Verdict.DEPLOYED, done.summary
    assert done.counts.total == 1 and done.extra_on_box_count == 0
    assert "changed since" in done.summary


def test_nothing_changed_since_is_unverifiable_not_success(repo: Path):
    head = commit_all(repo, "all in")
    report = verify_deploy(repo, listing="whatever", changed_since=head)
    assert report.verdict == Verdict.UNVERIFIABLE and "no files changed" in report.summary
    with pytest.raises(DeployInputError, match="nothing to check"):
        print_command("/root/proj", local_dir=repo, changed_since=head)


# --- --symbol ----------------------------------------------------------------------------------

def test_symbol_found_on_the_box_is_deployed_with_the_line(tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    sym = [parse_symbol("train.py:return 1")]
    report = verify_deploy(repo, listing=box_listing(box, local_dir=repo, symbols=sym), symbols=sym)
    assert report.verdict == Verdict.DEPLOYED
    assert report.symbols[0].found_on_box is True and report.symbols[0].box_lines == ["2:    return 1"]


def test_symbols_as_strings_read_like_parsed_specs(tmp_path: Path, repo: Path):
    """Both faces pass the user's `PATH:TEXT` strings as given; a malformed one is an input error."""
    box = deploy(repo, tmp_path / "box")
    listing = box_listing(box, local_dir=repo, symbols=["train.py:return 1"])
    as_text = verify_deploy(repo, listing=listing, symbols=["train.py:return 1"])
    assert as_text == verify_deploy(repo, listing=listing, symbols=[parse_symbol("train.py:return 1")])
    assert as_text.symbols[0].found_on_box is True
    with pytest.raises(DeployInputError, match="expected PATH:TEXT"):
        verify_deploy(repo, listing=listing, symbols=["no-colon-here"])


def test_symbol_missing_on_the_box_is_stale(tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    (repo / "train.py").write_text("def new_fn():\n    return 2\n")
    sym = [parse_symbol("train.py:def new_fn")]
    report = verify_deploy(repo, listing=box_listing(box, local_dir=repo, symbols=sym), symbols=sym)
    assert report.verdict == Verdict.STALE
    assert report.symbols[0].found_on_box is False and "does not contain" in report.symbols[0].reason


def test_symbol_in_a_file_missing_on_the_box_is_partial(tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    (repo / "pkg" / "sched.py").write_text("def warmup(): ...\n")
    sym = [parse_symbol("pkg/sched.py:def warmup")]
    report = verify_deploy(repo, listing=box_listing(box, local_dir=repo, symbols=sym), symbols=sym)
    assert report.verdict == Verdict.PARTIAL
    assert "could not read" in report.symbols[0].reason


def test_symbol_without_grep_output_is_implied_only_by_an_identical_file(tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    sym = [parse_symbol("train.py:def old_fn")]
    plain = box_listing(box)  # made without --symbol
    report = verify_deploy(repo, listing=plain, symbols=sym)
    assert report.verdict == Verdict.DEPLOYED and report.symbols[0].found_on_box is True
    assert "has the local sha256" in report.symbols[0].reason
    (box / "README.md").unlink()
    (repo / "pkg" / "util.py").write_text("X = 1\ndef helper(): ...\n")
    sym = [parse_symbol("pkg/util.py:def helper")]
    report = verify_deploy(repo, listing=box_listing(box), symbols=sym)
    assert report.verdict == Verdict.STALE and report.symbols[0].found_on_box is None


@pytest.mark.parametrize("spec, msg", [
    ("train.py:def not_here", "not in your local copy"),
    ("nope.py:x", "no such file"),
    ("../outside.py:x", "'..'"),
    ("/etc/passwd:root", "absolute"),
    ("train.py", "PATH:TEXT"),
])
def test_bad_symbols_are_usage_errors(repo: Path, spec: str, msg: str):
    with pytest.raises(DeployInputError, match=msg):
        verify_deploy(repo, listing=f"{SHA_A}  ./train.py\n", symbols=[parse_symbol(spec)])


def test_symbol_key_ties_grep_output_to_the_question():
    a, b = SymbolSpec(path="a.py", text="x"), SymbolSpec(path="a.py", text="y")
    assert a.key != b.key and a.key == SymbolSpec(path="a.py", text="x").key


# --- verify-pull -------------------------------------------------------------------------------

@pytest.fixture
def results(tmp_path: Path) -> tuple[Path, str]:
    """A results folder on the 'box' and the manifest made there with the printed command."""
    box = tmp_path / "box_results"
    (box / "ckpt").mkdir(parents=True)
    (box / "ckpt" / "best.pth").write_bytes(os.urandom(50_000))
    (box / "metrics.json").write_text('{"acc": 0.9}')
    return box, box_listing(box)


def test_pull_complete(tmp_path: Path, results):
    box, manifest = results
    local = shutil.copytree(box, tmp_path / "pulled")
    (local / "local_notes.md").write_text("mine")
    report = verify_pull(local, manifest)
    assert report.verdict == PullVerdict.COMPLETE and report.counts.ok == 2
    assert report.extra_local == ["local_notes.md"]


def test_an_empty_pull_never_passes(tmp_path: Path, results):
    _, manifest = results
    (tmp_path / "pulled").mkdir()
    report = verify_pull(tmp_path / "pulled", manifest)
    assert report.verdict == PullVerdict.PARTIAL and "nothing arrived" in report.summary


def test_a_partial_pull_names_the_missing_file(tmp_path: Path, results):
    box, manifest = results
    local = shutil.copytree(box, tmp_path / "pulled")
    (local / "ckpt" / "best.pth").unlink()
    report = verify_pull(local, manifest)
    assert report.verdict == PullVerdict.PARTIAL
    assert [(f.path, f.reason) for f in report.files if f.status.value != "ok"] == [("ckpt/best.pth", "not here")]


def test_a_truncated_download_is_a_mismatch(tmp_path: Path, results):
    box, manifest = results
    local = shutil.copytree(box, tmp_path / "pulled")
    data = (local / "ckpt" / "best.pth").read_bytes()
    (local / "ckpt" / "best.pth").write_bytes(data[:4096])
    report = verify_pull(local, manifest)
    assert report.verdict == PullVerdict.MISMATCH and "4096 bytes" in report.files[0].reason


@pytest.mark.parametrize("manifest", ["", "total 0\n", "==gotcha-listing begin v1 mode=all==\n==gotcha-listing end rc=0==\n"])
def test_an_empty_or_garbage_manifest_is_unverifiable(tmp_path: Path, manifest: str):
    report = verify_pull(tmp_path, manifest)
    assert report.verdict == PullVerdict.UNVERIFIABLE


def test_pull_is_unverifiable_when_the_box_could_not_hash_everything(tmp_path: Path, results):
    box, manifest = results
    local = shutil.copytree(box, tmp_path / "pulled")
    report = verify_pull(local, manifest.replace("end rc=0==", "end rc=1=="))
    assert report.verdict == PullVerdict.UNVERIFIABLE and "exited with 1" in report.summary


def test_a_manifest_saved_inside_the_results_is_skipped(tmp_path: Path):
    box = tmp_path / "res"
    box.mkdir()
    (box / "out.csv").write_text("1,2\n")
    (box / "empty.log").write_text("")
    # As people do it: the listing written into the folder it lists (it hashes itself half-written).
    subprocess.run(["sh", "-c", remote_command(".") + " > MANIFEST.sha256"], cwd=box, check=True)
    local = shutil.copytree(box, tmp_path / "pulled")
    report = verify_pull(local, (local / "MANIFEST.sha256").read_text(), manifest_path=local / "MANIFEST.sha256")
    assert report.verdict == PullVerdict.COMPLETE, report.summary
    assert report.counts.total == 2 and report.extra_local == []
    assert any("empty on the box" in n for n in report.notes)


def test_pull_does_not_follow_a_symlink_out_of_the_folder(tmp_path: Path, results):
    box, manifest = results
    local = tmp_path / "pulled"
    local.mkdir()
    shutil.copy(box / "metrics.json", local / "metrics.json")
    (local / "ckpt").symlink_to(box / "ckpt", target_is_directory=True)  # the right bytes, but elsewhere
    report = verify_pull(local, manifest)
    assert report.verdict == PullVerdict.PARTIAL and "not followed" in report.files[0].reason


# --- CLI -----------------------------------------------------------------------------------------

def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def no_ssh(monkeypatch):
    """Fail the test if anything tries to start ssh."""
    real = subprocess.Popen

    def guard(args, *a, **k):
        if isinstance(args, (list, tuple)) and args and args[0] == "ssh":
            raise AssertionError(f"ssh must not run: {args}")
        return real(args, *a, **k)

    monkeypatch.setattr(subprocess, "Popen", guard)


def test_cli_exit_0_when_deployed_1_when_stale(capsys, tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    lst = tmp_path / "box.txt"
    lst.write_text(box_listing(box))
    code, out, _ = run(capsys, "verify-deploy", str(repo), "--listing", str(lst))
    assert code == 0 and out.startswith("DEPLOYED: all 5 file(s) match")
    (repo / "train.py").write_text("changed\n")
    code, out, _ = run(capsys, "verify-deploy", str(repo), "--listing", str(lst))
    assert code == 1 and "differs  train.py" in out and "fix: sync again" in out


def test_cli_json_and_stdin(capsys, monkeypatch, tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    (box / "pkg" / "util.py").unlink()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(box_listing(box).encode())))
    code, out, _ = run(capsys, "verify-deploy", str(repo), "--listing", "-", "--json")
    data = json.loads(out)
    assert code == 1 and data["verdict"] == "PARTIAL" and data["source"] == "stdin"
    assert {"verdict", "summary", "counts", "files", "extra_on_box", "symbols", "skipped", "notes"} <= set(data)
    FileCheck.model_validate(data["files"][0])


def test_cli_print_command_runs_on_the_box(capsys, tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    code, out, _ = run(capsys, "verify-deploy", "--print-command", str(box), "--symbol", "train.py:old_fn")
    assert code == 0 and out.count("\n") == 1
    listing = on_box(out)
    report = verify_deploy(repo, listing=listing, symbols=[parse_symbol("train.py:old_fn")])
    assert report.verdict == Verdict.DEPLOYED and report.symbols[0].box_lines


@pytest.mark.parametrize("argv, msg", [
    (["verify-deploy", "--listing", "x"], "LOCAL_DIR is required"),
    (["verify-deploy", "{repo}"], "give --listing FILE"),
    (["verify-deploy", "{repo}/nope", "--listing", "{repo}/README.md"], "not a directory"),
    (["verify-deploy", "{repo}", "--listing", "{repo}/no-such-listing"], "cannot read"),
    (["verify-deploy", "{repo}", "--listing", "{repo}/README.md", "--symbol", "train.py"], "PATH:TEXT"),
    (["verify-deploy", "{repo}", "--listing", "{repo}/README.md", "--changed-since=--output=x"], "not a git ref"),
    (["verify-deploy", "{repo}", "--ssh=-oProxyCommand=touch {repo}/PWNED:/x"], "starts with '-'"),
    (["verify-deploy", "{repo}", "--ssh", "host;rm -rf /:/x"], "ssh host 'host;rm -rf /'"),
    (["verify-deploy", "{repo}", "--ssh", "box$(id):/x"], "characters no host name has: $ ( )"),
    (["verify-deploy", "{repo}", "--ssh", " host:/x"], "whitespace"),
    (["verify-deploy", "{repo}", "--ssh", "host"], "expected [user@]host:DIR"),
    (["verify-deploy", "--print-command", "/x", "--changed-since", "HEAD"], "needs LOCAL_DIR"),
    (["verify-pull", "{repo}/nope", "--manifest", "{repo}/README.md"], "not a directory"),
])
def test_cli_usage_errors_exit_2_and_never_run_ssh(capsys, no_ssh, repo: Path, argv: list[str], msg: str):
    code, _, err = run(capsys, *[a.replace("{repo}", str(repo)) for a in argv])
    assert code == 2 and msg in err, err
    assert not (repo / "PWNED").exists()


def test_cli_ssh_option_lookalike_without_equals_is_rejected_by_argparse(capsys, no_ssh, repo: Path):
    with pytest.raises(SystemExit) as e:
        main(["verify-deploy", str(repo), "--ssh", "-oProxyCommand=x:/d"])
    assert e.value.code == 2


def test_cli_verify_pull(capsys, tmp_path: Path, results):
    box, manifest = results
    mf = tmp_path / "MANIFEST.sha256"
    mf.write_text(manifest)
    local = shutil.copytree(box, tmp_path / "pulled")
    code, out, _ = run(capsys, "verify-pull", str(local), "--manifest", str(mf))
    assert code == 0 and out.startswith("COMPLETE")
    (local / "metrics.json").unlink()
    code, out, _ = run(capsys, "verify-pull", str(local), "--manifest", str(mf), "--json")
    assert code == 1 and json.loads(out)["verdict"] == "PARTIAL"


def test_cli_too_many_files_is_a_usage_error_with_the_way_out(capsys, tmp_path: Path):
    for i in range(12):
        (tmp_path / f"f{i}").write_text("x")
    code, _, err = run(capsys, "verify-deploy", str(tmp_path), "--listing", str(tmp_path / "f0"), "--max-files", "10")
    assert code == 2 and "--max-files" in err


def test_cli_print_command_for_the_fix_only(capsys, tmp_path: Path, repo: Path):
    base = commit_all(repo, "base")
    (repo / "train.py").write_text("def new_fn(): ...\n")
    code, out, _ = run(capsys, "verify-deploy", str(repo), "--print-command", "/root/proj", "--changed-since", base)
    assert code == 0 and "./train.py" in out and "find" not in out and "cd -- /root/proj" in out


def test_commands_are_listed_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "verify-deploy" in out and "verify-pull" in out
