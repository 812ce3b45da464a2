"""The CLI's JSON shapes and exit codes (0 found, 1 nothing/abstained/failed, 2 usage)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SHARED
from gotcha_kb.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    return code, json.loads(out)


def test_lookup_json_shape_and_order(capsys):
    code, data = run_json(capsys, "lookup", "inode")
    assert code == 0
    assert data["query"] == "inode"
    ids = [m["id"] for m in data["matches"]]
    assert ids[0] == "U7" and "U25" in ids
    scores = [m["score"] for m in data["matches"]]
    assert scores == sorted(scores, reverse=True)
    assert {"id", "title", "score", "theme", "matched", "source"} <= set(data["matches"][0])


def test_lookup_nothing_found_exits_1_and_an_unknown_id_is_a_usage_error(capsys):
    code, data = run_json(capsys, "lookup", "qwxzblorft")
    assert code == 1 and data["matches"] == []
    code, out, _ = run(capsys, "lookup", "qwxzblorft")
    assert code == 1 and "nothing found" in out
    code, out, err = run(capsys, "lookup", "U99")
    assert code == 2 and not out and "unknown id 'U99'; did you mean U9" in err
    code, data = run_json(capsys, "lookup", "h100")  # the shape of an id, but no entry uses that prefix
    assert code in (0, 1) and "matches" in data


def test_json_flag_works_before_the_command_too(capsys):
    code = main(["--json", "lookup", "crlf"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["matches"][0]["id"] == "U26"


def test_list_json(capsys, catalog):
    code, data = run_json(capsys, "list")
    assert code == 0
    ids = [e["id"] for e in data["entries"]]
    assert ids == [e.id for e in catalog.entries] and len(ids) == len(set(ids))
    assert set(data["entries"][0]) == {"id", "title", "theme", "platform"}
    code, data = run_json(capsys, "list", "--theme", "memory")
    assert sorted(e["id"] for e in data["entries"]) == ["U10", "U11", "U41", "U9"]


def test_show_renders_fix_commands_and_unknown_id_suggests(capsys):
    code, out, _ = run(capsys, "show", "u11")
    assert code == 0 and out.startswith("U11 — ") and "$ fuser -v /dev/nvidia*" in out
    code, out, err = run(capsys, "show", "U077")
    assert code == 2 and "did you mean" in err and "U7" in err


@pytest.mark.slow  # the thorough regex timing of every signal: about 3 s
def test_check_passes_on_shipped_catalog(capsys, catalog):
    code, data = run_json(capsys, "check")
    assert code == 0 and data["errors"] == 0
    assert data["universal"] == sum(1 for e in catalog.entries if e.platform is None) >= 43
    assert data["entries"] == len(catalog.entries)


def test_check_fails_with_file_line_on_a_bad_catalog(capsys, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("## T\n\n### U1 — x\n\n**Symptom**: s\n\n**Fix**: f\n", encoding="utf-8")
    code, out, err = run(capsys, "check", "--catalog", str(bad))
    assert code == 1
    assert f"{bad}:3: error: U1 has no **Root cause**" in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["lookup"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["frobnicate"])
    assert e.value.code == 2
    assert main([]) == 2
    code, _, err = run(capsys, "lookup", "inode", "--platform", "mars")
    assert code == 2 and "unknown platform" in err


@pytest.mark.skipif(not (SHARED / "seed" / "gotchas_universal.md").exists(), reason="../shared is not here")
def test_check_upstream_catalog_via_env(capsys, monkeypatch):
    # The seed still points at documents gotcha-kb does not ship; check must say so, by line.
    monkeypatch.setenv("GOTCHA_CATALOG", str(SHARED / "seed" / "gotchas_universal.md"))
    code, data = run_json(capsys, "check")
    assert code == 1 and data["entries"] == 43 and data["errors"] > 0
    assert any(p["message"].startswith("refers to a numbered principle") and p["line"] > 1 for p in data["problems"])


def _installed_gotcha() -> str | None:
    exe = Path(sys.executable).parent / "gotcha"
    return str(exe) if exe.exists() else shutil.which("gotcha")


@pytest.mark.skipif(_installed_gotcha() is None, reason="the gotcha console script is not installed")
def test_installed_console_script_runs_from_another_directory(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("GOTCHA_CATALOG", None)
    proc = subprocess.run([_installed_gotcha(), "lookup", "inode", "--json"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["matches"][0]["id"] == "U7"


def test_lookup_does_not_import_the_mcp_sdk_or_heavy_parsers(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    code = (
        "import sys; from gotcha_kb.cli.main import main; main(['lookup','inode']); main(['lookup','inode']);"
        "bad=[m for m in ('mcp','markdown_it','yaml','pydantic') if m in sys.modules];"
        "print('HEAVY', bad)"
    )
    # First run fills the cache; the second process must stay light.
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in proc.stdout, proc.stdout + proc.stderr


def test_platform_values_are_labeled_with_the_entrys_own_platform(capsys, tmp_path):
    # No platform named: platform gotchas still compete, and their profile values must say whose they are.
    paste = tmp_path / "p.txt"
    paste.write_text("No space left on device\n", encoding="utf-8")
    code, out, _ = run(capsys, "diagnose", "--file", str(paste), "--top", "5")
    assert code == 0
    assert "None:" not in out
    assert any(line.strip().startswith(("vastai:", "runpod:", "autodl:")) for line in out.splitlines())
