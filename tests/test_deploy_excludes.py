"""verify-deploy compares the code, not what sits next to it: the listing file given, files git
ignores, `--exclude GLOB` and `.gotchaignore`; and README's own three steps, run verbatim against
a correctly synced copy, say DEPLOYED."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gotcha_kb.engine.deploy import DeployInputError, Verdict, print_command, verify_deploy
from gotcha_kb.engine.deploy.exclude import Excluder
from gotcha_kb.engine.deploy.manifest import build_manifest
from test_verify_deploy import box_listing, deploy, git, repo, run  # noqa: F401 - fixtures and helpers

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "pattern, path, hit",
    [
        ("*.log", "train.log", True),
        ("*.log", "runs/a/train.log", True),
        ("box.txt", "sub/box.txt", True),
        ("scratch", "scratch/a.sh", True),
        ("scratch/", "scratch/a.sh", True),
        ("scratch/*.sh", "scratch/a.sh", True),
        ("scratch/*.sh", "other/scratch/a.sh", False),
        ("*.log", "train.py", False),
        ("/cmd.sh", "cmd.sh", True),
    ],
)
def test_patterns_follow_the_gitignore_subset(pattern: str, path: str, hit: bool):
    from gotcha_kb.engine.deploy.exclude import _clean

    assert Excluder(patterns=(_clean(pattern, "t"),)).excludes(path) is hit


def test_listing_file_saved_in_the_tree_is_not_part_of_the_deploy(capsys, tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    listing = box_listing(box)
    (repo / "box.txt").write_text(listing)  # the case: saved into the tree, untracked
    code, out, _ = run(capsys, "verify-deploy", str(repo), "--listing", str(repo / "box.txt"))
    assert code == 0 and out.startswith("DEPLOYED"), out
    # Only the file actually given is skipped: another untracked file still counts.
    (repo / "cmd.sh").write_text("echo\n")
    code, out, _ = run(capsys, "verify-deploy", str(repo), "--listing", str(repo / "box.txt"))
    assert code == 1 and "PARTIAL" in out and "cmd.sh" in out


def test_exclude_and_gotchaignore_leave_files_out(capsys, tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    listing = tmp_path / "box.txt"
    listing.write_text(box_listing(box))
    (repo / "cmd.sh").write_text("echo\n")
    (repo / "notes").mkdir()
    (repo / "notes" / "todo.md").write_text("local only\n")
    code, out, _ = run(capsys, "verify-deploy", str(repo), "--listing", str(listing))
    assert code == 1 and "cmd.sh" in out and "notes/todo.md" in out
    code, out, _ = run(capsys, "verify-deploy", str(repo), "--listing", str(listing), "--exclude", "cmd.sh", "--exclude", "notes/")
    assert code == 0 and out.startswith("DEPLOYED") and "left out" in out, out
    # .gotchaignore is a file of the project: synced to the box like the rest.
    (repo / ".gotchaignore").write_text("# scratch that never goes to the box\ncmd.sh\nnotes/\n")
    shutil.copy(repo / ".gotchaignore", box / ".gotchaignore")
    listing.write_text(box_listing(box))
    code, out, _ = run(capsys, "verify-deploy", str(repo), "--listing", str(listing))
    assert code == 0 and out.startswith("DEPLOYED"), out


def test_git_ignored_files_are_not_compared(tmp_path: Path, repo: Path):
    box = deploy(repo, tmp_path / "box")
    for p in ("data", "model.ckpt"):  # ignored by .gitignore: absent or different on the box is fine
        path = box / p
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    (repo / "model.ckpt").write_bytes(b"other weights")
    assert verify_deploy(repo, listing=box_listing(box)).verdict == Verdict.DEPLOYED


def test_exclude_works_without_git_and_for_changed_since(tmp_path: Path, repo: Path):
    plain = tmp_path / "plain"
    (plain / "logs").mkdir(parents=True)
    (plain / "a.py").write_text("A\n")
    (plain / "logs" / "x.log").write_text("x\n")
    m = build_manifest(plain, exclude=["logs/"])
    assert set(m.files) == {"a.py"}
    (repo / "train.py").write_text("def new_fn():\n    return 2\n")
    (repo / "scratch.sh").write_text("echo\n")
    cmd = print_command("/root/proj", local_dir=repo, changed_since="HEAD", exclude=["*.sh"])
    assert "./train.py" in cmd and "scratch.sh" not in cmd


@pytest.mark.parametrize("bad", ["!keep.py", "../up", "a/../../b"])
def test_bad_exclude_patterns_are_usage_errors(repo: Path, bad: str):
    with pytest.raises(DeployInputError):
        build_manifest(repo, exclude=[bad])


def _readme_steps() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Verify a deploy"):]
    block = section[section.index("```console"):]
    block = block[: block.index("```\n", 10)]
    steps = [ln[2:].split("  #")[0].strip() for ln in block.splitlines() if ln.startswith("$ ")]
    return steps[:3]  # print-command, ssh, verify with --listing


def test_readme_example_verbatim_on_a_synced_box_says_deployed(tmp_path: Path, repo: Path):
    steps = _readme_steps()
    assert steps[0].startswith("gotcha verify-deploy --print-command") and steps[1].startswith("ssh box")
    assert "--listing" in steps[2]
    # README writes cmd.sh and box.txt outside the tree.
    for step in steps:
        assert not re.search(r">\s*(?!/)\S", step), f"writes into the working directory: {step}"
    remote_dir = steps[0].split("--print-command", 1)[1].split()[0]
    box = deploy(repo, tmp_path / "box")
    # `ssh box CMD` runs CMD on the box; here the box is a local copy at `box`, standing in for remote_dir.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "ssh"
    fake.write_text('#!/bin/sh\nshift\ncmd=$(printf "%s" "$*" | sed "s#' + remote_dir + '#$FAKE_BOX#g")\nexec sh -c "$cmd"\n')
    fake.chmod(0o755)
    gotcha_bin = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bindir}:{gotcha_bin}:{os.environ['PATH']}", "FAKE_BOX": str(box)}
    script = "set -e\n" + "\n".join(steps) + "\n"
    proc = subprocess.run(["sh", "-c", script], cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("DEPLOYED"), proc.stdout
