"""What a person at a terminal sees: conventions (--version, conflicting inputs, exit codes and
messages), output that fits 80 columns (CJK counted as two), Markdown rendered, --json errors."""

from __future__ import annotations

import json
import re
import shlex
import unicodedata

import pytest

from gotcha_kb.cli.main import COMMANDS, main
from gotcha_kb.kb.loader import load_catalog

HEALTHY_PROBE = """
===== gotcha-probe: uptime =====
 09:13:03 up 3 days,  1 user,  load average: 0.61, 0.31, 0.08
===== gotcha-probe: free =====
               total        used        free      shared  buff/cache   available
Mem:           64105        5240       52807           9        6069       58580
Swap:              0           0           0
===== gotcha-probe: df-h =====
Filesystem               Size  Used Avail Use% Mounted on
/dev/vda                 252G   24G  228G  10% /
===== gotcha-probe: df-i =====
Filesystem                Inodes  IUsed    IFree IUse% Mounted on
/dev/vda                16777216 481370 16295846    3% /
===== gotcha-probe: cgroup-memory-events =====
oom 0
oom_kill 0
===== gotcha-probe: nvidia-query =====
index, utilization.gpu [%], clocks.current.sm [MHz], clocks.max.sm [MHz], power.draw [W], power.limit [W], temperature.gpu, memory.used [MiB], memory.total [MiB]
0, 97 %, 1980 MHz, 1980 MHz, 310.5 W, 350.00 W, 61, 30000 MiB, 81559 MiB
"""

LONG_LINE_PASTE = (
    "Traceback (most recent call last): RuntimeError: DataLoader worker (pid 4242) is killed by signal: Killed. "
    + "x" * 200 + "\n[ 9.1] Out of memory: Killed process 4242 (python) total-vm:123456kB, anon-rss:98765kB\n"
)


def width(line: str) -> int:
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


@pytest.fixture
def cols80(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as e:  # --help, --version, argparse usage errors
        code = e.code if isinstance(e.code, int) else 2
    out = capsys.readouterr()
    return code, out.out, out.err


def too_wide(text: str) -> list[str]:
    """Lines over 80 columns, except a folded command's line holding one shell word that cannot
    fit (render.fold_command never splits a word: the pasted command would break)."""
    return [f"{width(ln)}: {ln}" for ln in text.splitlines() if width(ln) > 80 and not _one_shell_word(ln)]


def _one_shell_word(line: str) -> bool:
    body = line.strip().removeprefix("$ ").removesuffix(" \\")
    try:
        return len(shlex.split(body)) == 1
    except ValueError:
        return False


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(None)


# -- fits 80 columns --------------------------------------------------------------------------


def test_every_help_fits_80_columns(capsys, cols80):
    for argv in [["--help"]] + [[c, "--help"] for c in COMMANDS]:
        code, out, _ = run(capsys, *argv)
        assert code == 0 and out.strip(), argv
        assert not too_wide(out), (argv, too_wide(out))


def test_list_show_profile_profiles_fit_80_columns(capsys, cols80, catalog):
    runs = [["list"], ["profiles"]]
    runs += [["show", e.id] for e in catalog.entries]
    runs += [["show", "U7", "--platform", "autodl"]]
    for name, prof in catalog.profiles.items():
        runs.append(["profile", name])
        runs += [["profile", name, "--section", s.title] for s in prof.sections]
    for argv in runs:
        code, out, _ = run(capsys, *argv)
        assert code == 0, argv
        assert not too_wide(out), (argv, too_wide(out)[:3])


@pytest.mark.parametrize("text", [
    "[ 9.1] Out of memory: Killed process 4242 (python)",
    "OSError: [Errno 28] No space left on device\n$ df -i\nFilesystem Inodes IUsed IFree IUse% Mounted on\n/dev/vdb 6553600 6553600 0 100% /root/autodl-tmp",
    LONG_LINE_PASTE,
    "训练跑着跑着 ssh 断开了，进程没了，nohup 也没用",
])
def test_diagnose_fits_80_columns_and_marks_cuts(capsys, cols80, text):
    code, out, _ = run(capsys, "diagnose", "--all", text)
    assert code in (0, 1) and out
    assert not too_wide(out), too_wide(out)
    if text is LONG_LINE_PASTE:
        assert "…" in out  # the matched input line was cut, and says so


def test_profiles_align_cjk_values_and_never_cut_silently(capsys, cols80, catalog):
    code, out, _ = run(capsys, "profiles")
    assert code == 0
    block = out.split("\n\n")[0].splitlines()
    header = block[0]
    second = header.index(header.split()[1])  # display column where the second platform starts
    offset = width(header[:second])
    row = next(ln for ln in block if ln.startswith("meter_stop_verb"))
    value = row.split()[2]  # autodl's value is 关机 (CJK); the next column must still line up
    assert width(row[: row.index(value, len("meter_stop_verb") + 4)]) == offset
    for prof in catalog.profiles.values():  # every path whole, somewhere in the output
        for v in (prof.facts.durable_path, prof.facts.local_nvme_path):
            if v and " " not in str(v) and len(str(v)) < 30:
                assert str(v) in out, v


def test_profile_section_keeps_a_table_and_accepts_a_prefix(capsys, cols80):
    code, full, _ = run(capsys, "profile", "autodl", "--section", "Teardown / billing")
    code2, prefix, _ = run(capsys, "profile", "autodl", "--section", "teardown")
    assert code == code2 == 0 and full == prefix
    lines = full.splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.split()[:1] == ["action"])
    assert "compute meter" in lines[head] and set(lines[head + 1].replace(" ", "")) == {"-"}
    assert any("释放" in ln and "stops" in ln for ln in lines[head + 2:])
    assert "|" not in full and "**" not in full
    code, _, err = run(capsys, "profile", "autodl", "--section", "nope")
    assert code == 2 and "Teardown / billing" in err


# -- Markdown rendered for people, kept for machines --------------------------------------------


def test_markdown_is_rendered_in_text_and_kept_in_json(capsys, cols80):
    code, out, _ = run(capsys, "show", "U7")
    assert code == 0 and "**" not in out and "`" not in out
    assert "df -i" in out and "\n  - " in out  # list bullets kept
    code, out, _ = run(capsys, "show", "U7", "--json")
    assert "`df -i`" in json.loads(out)["fix"]
    code, out, _ = run(capsys, "diagnose", "[ 9.1] Out of memory: Killed process 4242 (python)")
    fix = out.split("Fix:", 1)[1]
    assert "**" not in fix and "`" not in fix


# -- conventions and exit codes ---------------------------------------------------------------


def test_version(capsys):
    from importlib.metadata import version

    for flag in ("--version", "-V"):
        code, out, _ = run(capsys, flag)
        assert code == 0 and out.strip() == f"gotcha {version('gotcha-kb')}"


def test_conflicting_inputs_are_usage_errors(capsys, monkeypatch, tmp_path):
    import io
    import sys

    log = tmp_path / "log.txt"
    log.write_text("Killed\n")
    code, out, err = run(capsys, "diagnose", "some text", "--file", str(log))
    assert code == 2 and "not both" in err and not out
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Killed\n")))
    code, out, err = run(capsys, "diagnose", "-", "extra")
    assert code == 2 and "standard input" in err and not out


@pytest.mark.parametrize("argv, words", [
    (["show", "U99"], ["unknown id 'U99'", "did you mean", "U9"]),
    (["show", "U7", "--platform", "nosuch"], ["unknown platform 'nosuch'", "known:", "autodl", "runpod"]),
    (["profile", "nope"], ["unknown platform 'nope'", "known:", "autodl"]),
    (["list", "--theme", "zzz"], ["unknown theme 'zzz'", "known:", "Disk & Storage"]),
    (["list", "--platform", "nosuch"], ["unknown platform 'nosuch'", "known:"]),
    (["profile", "autodl", "--section", "zzz"], ["unknown section 'zzz'", "known:"]),
])
def test_unknown_names_exit_2_in_one_style(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2 and not out and err.startswith("gotcha: unknown ")
    for w in words:
        assert w in err
    code, out, err = run(capsys, *argv, "--json")
    data = json.loads(err)
    assert code == 2 and data["code"] == 2 and data["error"].startswith("unknown ") and not out


def test_list_theme_prefix_still_works(capsys):
    code, out, _ = run(capsys, "list", "--theme", "disk")
    assert code == 0 and "U7" in out and "U1 " not in out


def test_argparse_errors_are_json_under_json(capsys):
    code, out, err = run(capsys, "--json", "diagnose", "--top", "x")
    data = json.loads(err)
    assert code == 2 and data["code"] == 2 and "--top" in data["error"]


def test_verify_deploy_help_quotes_the_symbol_example(capsys, cols80):
    _, out, _ = run(capsys, "verify-deploy", "--help")
    assert "--symbol 'train.py:def warmup'" in out
    assert "--exclude" in out and ".gotchaignore" in out


# -- diagnose reads like advice, not like a model dump ----------------------------------------


def test_diagnose_explains_itself_and_hides_faint_candidates(capsys, cols80):
    text = "[ 9.1] Out of memory: Killed process 4242 (python)"
    code, out, _ = run(capsys, "diagnose", text)
    assert code == 0 and "How to read this" in out and "gotcha show ID" in out
    code, data = run(capsys, "diagnose", text, "--json")[0], json.loads(run(capsys, "diagnose", text, "--json")[1])
    faint = [m for m in data["matches"][1:] if m["confidence"] < 0.05]
    assert faint, "the example needs a faint runner-up"
    _, out, _ = run(capsys, "diagnose", text)
    assert all(f"{m['id']} — " not in out for m in faint) and "--all shows them" in out
    _, out_all, _ = run(capsys, "diagnose", text, "--all")
    assert all(f"{m['id']} — " in out_all for m in faint)
    _, out_top, _ = run(capsys, "diagnose", text, "--top", "3")
    assert all(f"{m['id']} — " in out_top for m in faint)


def test_evidence_never_names_a_case_the_user_cannot_see(capsys):
    text = "my training died when my ssh connection dropped, nohup did not help, tmux?"
    _, out, _ = run(capsys, "diagnose", text, "--json", "--top", "5")
    whys = [ev["why"] for m in json.loads(out)["matches"] for ev in m["evidence"]]
    assert not any("labeled case" in w or "gen0" in w for w in whys), whys
    assert any(w.startswith("reads like past reports of this trap: '") for w in whys), whys
    # The words quoted are the paste's own, not the stems the text models compare ('connect').
    quoted = [q for w in whys if w.startswith("reads like past reports") for q in re.findall(r"'([^']+)'", w)]
    assert quoted and all(re.search(rf"\b{re.escape(q)}\b", text.lower()) for q in quoted), quoted


def test_abstention_in_plain_words_and_healthy_readings_are_not_an_error(capsys):
    code, out, _ = run(capsys, "diagnose", HEALTHY_PROBE, "--json")
    data = json.loads(out)
    assert code == 1 and data["abstained"] and data["facts"]
    reason = data["reason"]
    assert "threshold" not in reason and "does not cover" not in reason
    assert reason.startswith("no entry fits well enough to name") and "sure)" in reason
    code, out, _ = run(capsys, "diagnose", "ModuleNotFoundError: No module named 'timm'", "--json")
    assert code == 1 and "threshold" not in json.loads(out)["reason"]


# -- eval --quiet -----------------------------------------------------------------------------


def test_eval_quiet_caps_failures(tmp_path, capsys):
    rows = [{"id": f"wrong{i}", "input": f"[ {i}.1] Out of memory: Killed process {4000 + i} (python)",
             "expect": ["U22"], "kind": "output", "note": "mislabeled on purpose"} for i in range(25)]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code, out, err = run(capsys, "eval", "--cases", str(path), "--quiet")
    fails = [ln for ln in out.splitlines() if ln.startswith("FAIL ")]
    assert len(fails) == 20 and "... 5 more FAIL(s)" in out and "top-1 0.000" in out
    assert "eval: " not in err  # progress only on a terminal


# -- packaging and README -----------------------------------------------------------------------


def test_packaging_metadata_and_readme_state_the_python_needed():
    import tomllib

    from conftest import ROOT

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11" and project["license"]
    assert {"Programming Language :: Python :: 3.11", "Programming Language :: Python :: 3.12"} <= set(project["classifiers"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Python 3.11 or newer" in readme and "How to read the output" in readme
    assert '{"error": "...", "code": 2}' in readme and "| **2** |" in readme


def _folded_pieces(lines: list[str], prefix: str) -> list[str]:
    pieces = []
    for n, ln in enumerate(lines):
        body = ln.removeprefix(prefix) if n == 0 else ln.lstrip(" ")
        pieces.append(body.removesuffix(" \\") if n < len(lines) - 1 else body)
    return pieces


def test_folded_commands_paste_back_as_the_same_command(catalog):
    """A fold is a backslash-newline at a space between shell words: never inside quotes (the
    backslash would stay in a grep pattern), inside a word (the indent would split it) or inside a
    comment (its next line would run); a trailing comment moves above its command."""
    from gotcha_kb.cli.render import fold_command

    commands = {c.run for e in catalog.entries for c in e.checks}
    commands |= {ln for e in catalog.entries for block in e.commands for ln in block.splitlines() if ln.strip()}
    commands |= {"dmesg | grep -iE 'killed process|out of memory' | tail -n 20", 'echo "a b c d e f g h" > /tmp/x',
                 "uptime   # minutes since boot: a small number means the box rebooted under the run"}
    assert len(commands) > 50
    for cmd in sorted(commands):
        for cols in (24, 40, 60):
            lines = fold_command(cmd, cols, "  $ ")
            moved = [ln for ln in lines if ln.startswith("  $ # ")] if not cmd.startswith("#") else []
            pieces = _folded_pieces([ln for ln in lines if ln not in moved], "  $ ")
            code = " ".join(pieces)
            assert shlex.split(code, comments=True) == shlex.split(cmd, comments=True), (cmd, lines)
            if moved:
                note = " ".join(ln.removeprefix("  $ # ") for ln in moved)
                assert code == cmd[: len(code)] and note.split() == cmd[len(code):].strip().lstrip("#").split(), (cmd, lines)
            else:
                assert code == cmd, (cmd, lines)
            for k in range(1, len(pieces)):
                shlex.split(cmd[: len(" ".join(pieces[:k]))])  # raises on an open quote: the fold sat inside one
    huge = " ".join(f"--flag{i}=v" for i in range(4000))  # a user's catalog may hold anything: linear, not quadratic
    assert " ".join(_folded_pieces(fold_command(huge, 80, "$ "), "$ ")) == huge
    narrow = fold_command("dmesg | grep -iE 'killed process|out of memory'", 24, "$ ")
    assert "'killed process|out of memory'" in narrow[-1], narrow
    assert fold_command("uptime   # minutes since boot, small means it rebooted", 30, "$ ")[-1] == "$ uptime"


def test_an_abstention_names_its_best_guess_with_its_title(capsys, catalog):
    code, out, _ = run(capsys, "diagnose", "training is weird today", "--json")
    reason = json.loads(out)["reason"]
    guess = re.search(r"best guess (\w+) — ", reason)
    assert code == 1 and guess, reason
    title = next(e.title for e in catalog.entries if e.id == guess.group(1))
    assert f"best guess {guess.group(1)} — {title}, " in reason
    _, text, _ = run(capsys, "diagnose", "training is weird today")
    assert text.startswith("No confident match:") and "`" not in text.split("\n\n")[0]  # Markdown made plain


def test_markdown_blocks_render_as_text_lines():
    """Headings, quotes, ordered lists keep their numbers, nested lists indent, and a list item that
    starts with code carries its marker on the first command (no lone dash on a line)."""
    from gotcha_kb.cli.render import markdown

    text = ("# Title\n\n> quoted **bold**\n\n3. three\n4. four\n   - nested\n\n"
            "- ```\n  df -h\n  du -sh x\n  ```\n- plain\n  ```\n  ls\n  ```\n\n---")
    assert markdown(text, indent="  ", width=40).split("\n") == [
        "  Title", "  quoted bold", "  3. three", "  4. four", "    - nested",
        "  - $ df -h", "    $ du -sh x", "  - plain", "      $ ls", "  --------------------",
    ]
