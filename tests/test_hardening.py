"""Regression tests for the faults of issue 16, each named for the attack that found it.

Every test here failed on 78adb25. Cost limits are checked by size (lines kept, bytes read,
nodes refused), never by wall time: bench/bench_hostile.py measures time and memory.
"""

from __future__ import annotations

import io
import json
import os
import sys

import pytest

from gotcha_kb.engine.normalize import MAX_INPUT_BYTES, MAX_LINES, MAX_TEXT_CHARS, normalize
from gotcha_kb.cli.main import main
from gotcha_kb.kb.index import INDEX_VERSION

OOM_END = b"\n[ 8812.331] Out of memory: Killed process 4242 (python) total-vm:90123456kB, anon-rss:61234567kB\nKilled\n"

# -- fault 2: input over 64 MiB lost its end ----------------------------------------------------


def _sparse_log(path, size: int) -> None:
    """`size` bytes of NULs (a sparse file: no disk, no time) ending in an OOM kill."""
    with open(path, "wb") as fh:
        fh.truncate(size - len(OOM_END))
        fh.seek(size - len(OOM_END))
        fh.write(OOM_END)


def test_a_70_mb_log_ending_in_an_oom_kill_is_read_from_its_end(tmp_path, capsys):
    log = tmp_path / "train.log"
    _sparse_log(log, 70 * 1024 * 1024)
    assert main(["diagnose", "--json", "--file", str(log)]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["facts"].get("dmesg.oom_kill") == 1
    assert d["truncated"] is True
    assert d["dropped_bytes"] >= 70 * 1024 * 1024 - MAX_INPUT_BYTES


def test_the_truncation_note_says_how_much_was_skipped(tmp_path, capsys):
    log = tmp_path / "train.log"
    _sparse_log(log, 70 * 1024 * 1024)
    main(["diagnose", "--file", str(log)])
    out = capsys.readouterr().out
    assert "MiB" in out and "skipped" in out and "only the end was read" in out


class _Endless(io.RawIOBase):
    """A pipe of `size` NUL bytes then `tail`, produced on demand (never held in memory)."""

    def __init__(self, size: int, tail: bytes):
        self.left, self.tail = size, tail

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self.left > 0:
            n = min(len(b), self.left)
            b[:n] = bytes(n)
            self.left -= n
            return n
        n = min(len(b), len(self.tail))
        b[:n], self.tail = self.tail[:n], self.tail[n:]
        return n


@pytest.mark.parametrize("argv", [["diagnose", "--json", "-"], ["diagnose", "--json", "--file", "-"]])
def test_stdin_over_64_mib_keeps_its_end(monkeypatch, capsys, argv):
    stream = io.TextIOWrapper(io.BufferedReader(_Endless(70 * 1024 * 1024, OOM_END)))
    monkeypatch.setattr(sys, "stdin", stream)
    assert main(argv) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["facts"].get("dmesg.oom_kill") == 1 and d["truncated"]


def test_a_device_as_the_file_to_diagnose_is_refused(capsys):
    assert main(["diagnose", "--file", "/dev/zero"]) == 2
    assert "device" in capsys.readouterr().err


def test_the_engine_keeps_the_end_of_a_big_string_and_counts_what_it_dropped(engine):
    text = "x" * 100 + "\n"
    d = engine.diagnose(text * (MAX_INPUT_BYTES // 100) + OOM_END.decode())
    assert d.facts.get("dmesg.oom_kill") == 1 and d.truncated and d.dropped_bytes > 0


def test_mcp_keeps_the_end_of_the_largest_text_it_accepts():
    """MCP (stdio and HTTP share the tool): 2 MiB of noise ending in an OOM kill still finds it."""
    from gotcha_kb.mcp_server import ops
    from gotcha_kb.mcp_server.state import get_kb

    text = ("step 1 loss 0.5 " + "y" * 60 + "\n") * (ops.MAX_TEXT_BYTES // 80 - 2) + OOM_END.decode()
    assert len(text.encode()) <= ops.MAX_TEXT_BYTES
    d = ops.diagnose(get_kb(), text, None, 3)
    assert d.facts.get("dmesg.oom_kill") == 1
    assert d.truncated and d.dropped_bytes > 0  # over the engine's 1 MiB of text: said so


# -- the pathological-input cost: bounded by size, measured in bench/bench_hostile.py ----------


@pytest.mark.parametrize(
    "flood",
    [b"a\n" * (4 * 1024 * 1024), b"=\n" * (4 * 1024 * 1024), b"\n" * (8 * 1024 * 1024)],
    ids=["4M one-character lines", "=-newline flood", "blank lines"],
)
def test_a_flood_of_tiny_lines_is_cut_to_the_line_cap_keeping_its_end(flood):
    lines, dropped = normalize(flood[: -len(OOM_END)] + OOM_END)
    assert len(lines) <= MAX_LINES
    assert lines[-1].text == "Killed" and dropped > 0


def test_text_that_never_repeats_is_cut_to_the_text_budget_keeping_its_end():
    import random

    rng = random.Random(1)
    raw = rng.randbytes(8 * 1024 * 1024) + OOM_END
    lines, dropped = normalize(raw)
    assert sum(len(ln.text) + 1 for ln in lines) <= MAX_TEXT_CHARS
    assert lines[-1].text == "Killed" and dropped > 0


def test_progress_bar_redraws_do_not_eat_the_text_budget():
    """A tqdm log is mostly CR-redrawn frames: the budget counts the one line the terminal kept."""
    bar = "".join(f"\r{i}%|##   | {i}/100" for i in range(100))
    raw = "\n".join(f"epoch {n}{bar}" for n in range(4_000)) + OOM_END.decode()
    assert len(raw) > 4 * MAX_TEXT_CHARS
    lines, dropped = normalize(raw)
    assert len(lines) >= 4_000 and dropped == 0  # every epoch's last frame kept


# -- faults 3-6: hostile catalogs ----------------------------------------------------------------

ENTRY = """## Disk

### U1 — Something breaks

**Symptom** it breaks.

**Root cause** because.

**Fix** fix it.

```signals
{signals}
```
"""


def _laughs(prefix: str = "") -> list[str]:
    """Nine nested aliases: 9^9 strings once anything expands them."""
    lines = [f'{prefix}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{prefix}{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return lines


def _check(argv: list[str], capsys) -> tuple[int, str]:
    code = main(["check", *argv])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_billion_laughs_in_a_signals_block_keywords_is_refused_at_its_line(tmp_path, capsys):
    block = "\n".join(_laughs()[:-1] + ["keywords: [" + ",".join(["*h"] * 9) + "]", "signals:", "  - regex: 'x'"])
    (tmp_path / "g.md").write_text(ENTRY.format(signals=block))
    code, out = _check(["--catalog", str(tmp_path)], capsys)
    assert code == 1 and f"{tmp_path / 'g.md'}:13:" in out and "aliases" in out


def test_billion_laughs_in_profile_front_matter_is_refused_at_its_line(tmp_path, capsys):
    from pathlib import Path

    src = (Path(__file__).resolve().parent.parent / "profiles" / "local.md").read_text()
    lines = src.split("\n")
    lines = [("hints: [" + ",".join(["*h"] * 9) + "]") if ln.startswith("hints:") else ln for ln in lines]
    lines[1:1] = _laughs("x_")[:-1]
    (tmp_path / "local.md").write_text("\n".join(lines))
    code, out = _check(["--catalog", str(tmp_path)], capsys)
    assert code == 1 and f"{tmp_path / 'local.md'}:3:" in out and "aliases" in out


def test_a_device_as_catalog_is_refused_by_name(capsys, monkeypatch):
    code, out = _check(["--catalog", "/dev/zero"], capsys)
    assert code == 1 and "/dev/zero:0: error: not a regular file" in out
    monkeypatch.setenv("GOTCHA_CATALOG", "/dev/zero")
    code, out = _check([], capsys)
    assert code == 1 and "/dev/zero:0: error: not a regular file" in out


def test_a_fifo_as_catalog_is_refused_without_blocking(tmp_path, capsys):
    fifo = tmp_path / "g.md"
    os.mkfifo(fifo)
    code, out = _check(["--catalog", str(fifo)], capsys)
    assert code == 1 and "not a regular file" in out


@pytest.mark.parametrize("regex", ["(a+)+$", "(\\w+\\s*)*$", "^(\\d+)*$"])
def test_a_nested_quantifier_is_refused_at_load(tmp_path, regex):
    from gotcha_kb.kb.loader import load_catalog

    (tmp_path / "g.md").write_text(ENTRY.format(signals=f"signals:\n  - regex: '{regex}'"))
    cat = load_catalog([str(tmp_path)])
    assert any("backtrack" in p.message and p.line == 13 for p in cat.errors)
    assert all(not s.regex for e in cat.entries for s in e.signals)


def test_a_backtracking_regex_the_shape_rule_misses_is_timed_out_at_load(tmp_path, engine):
    from gotcha_kb.kb.loader import load_catalog

    (tmp_path / "g.md").write_text(ENTRY.format(signals="signals:\n  - regex: '(a|aa)+$'"))
    cat = load_catalog([str(tmp_path)])
    assert any("backtracks" in p.message for p in cat.errors)
    assert all(not s.regex for e in cat.entries for s in e.signals)  # diagnose never runs it


def test_check_reports_a_slow_regex_with_file_and_line(tmp_path, capsys):
    (tmp_path / "g.md").write_text(ENTRY.format(signals="signals:\n  - regex: '(a|aa)+$'"))
    code, out = _check(["--catalog", str(tmp_path)], capsys)
    assert code == 1 and f"{tmp_path / 'g.md'}:3:" in out and "backtracks" in out


def test_the_shipped_regexes_pass_the_shape_rule(catalog):
    from gotcha_kb.kb.redos import nested_quantifier

    assert [s.regex for e in catalog.entries for s in e.signals if s.regex and nested_quantifier(s.regex)] == []


def test_an_oversized_field_drops_the_entry_with_an_error(tmp_path):
    from gotcha_kb.kb.loader import load_catalog

    text = ENTRY.format(signals="signals:\n  - regex: 'x'").replace("it breaks.", "it breaks " + "x" * 30_000)
    (tmp_path / "g.md").write_text(text)
    cat = load_catalog([str(tmp_path)])
    assert cat.entries == [] and any("symptom is" in p.message and "limit" in p.message for p in cat.errors)


def test_a_huge_yaml_scalar_is_refused(tmp_path):
    from gotcha_kb.kb.loader import load_catalog

    (tmp_path / "g.md").write_text(ENTRY.format(signals="why_not: '" + "x" * 20_000 + "'"))
    cat = load_catalog([str(tmp_path)])
    assert any("characters; the limit is" in p.message for p in cat.errors)


def test_too_many_entries_are_capped_with_a_way_to_raise_the_cap(tmp_path):
    from gotcha_kb.kb.loader import load_catalog

    body = "## Disk\n\n" + "".join(
        f"### U{n} — Thing {n}\n\n**Symptom** s.\n\n**Root cause** r.\n\n**Fix** f.\n\n```signals\nsignals:\n  - regex: 'thing {n}'\n```\n\n"
        for n in range(1, 31))
    (tmp_path / "g.md").write_text(body)
    cat = load_catalog([str(tmp_path)], environ={"GOTCHA_MAX_ENTRIES": "10"})
    assert len(cat.entries) == 10
    assert any("GOTCHA_MAX_ENTRIES" in p.message for p in cat.errors)
    assert len(load_catalog([str(tmp_path)], environ={"GOTCHA_MAX_ENTRIES": "100"}).entries) == 30


def test_too_many_files_are_capped_with_a_way_to_raise_the_cap(tmp_path):
    from gotcha_kb.kb.loader import load_catalog

    for n in range(5):
        (tmp_path / f"g{n}.md").write_text(f"## Disk\n\n### U{n + 1} — T\n\n**Symptom** s.\n\n**Root cause** r.\n\n**Fix** f.\n")
    cat = load_catalog([str(tmp_path)], environ={"GOTCHA_MAX_FILES": "3"})
    assert len(cat.entries) == 3 and any("GOTCHA_MAX_FILES" in p.message for p in cat.errors)


# -- faults 7-8: the lookup index cache ---------------------------------------------------------



def _cache_files() -> list[str]:
    from gotcha_kb.kb.diskcache import cache_dir

    d = cache_dir()
    return sorted(n for n in os.listdir(d) if n.startswith("index-")) if os.path.isdir(d) else []


@pytest.mark.parametrize(
    "poison",
    [{"version": INDEX_VERSION}, {"version": INDEX_VERSION, "entries": [{"id": 1}], "vocab": {}, "profiles": {}, "problems": []}, [1, 2, 3], "x",
     {"version": INDEX_VERSION, "entries": [], "vocab": {"oom": "7:1:1"}, "profiles": {}, "problems": []}],
    ids=["only a version", "an entry of the wrong shape", "a list", "a string", "postings past the entries"],
)
def test_a_malformed_index_cache_is_rebuilt_not_a_crash(poison, capsys, tmp_path, monkeypatch):
    import marshal
    import zlib

    from gotcha_kb.kb.diskcache import cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # this test's index file only
    cat = tmp_path / "cat"
    cat.mkdir()
    (cat / "g.md").write_text(ENTRY.format(signals="signals:\n  - regex: 'x'"))  # one entry: quick to rebuild
    assert main(["--catalog", str(cat), "lookup", "breaks"]) == 0  # writes the cache
    capsys.readouterr()
    (name,) = _cache_files()
    payload = marshal.dumps(poison)  # with a valid checksum, so that the shape check must catch it
    with open(os.path.join(cache_dir(), name), "wb") as fh:
        fh.write(zlib.crc32(payload).to_bytes(4, "little") + payload)
    assert main(["--catalog", str(cat), "lookup", "breaks"]) == 0
    assert "U1" in capsys.readouterr().out


def test_stale_cache_files_are_pruned(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no other test's files
    from gotcha_kb.kb.diskcache import KEEP_PER_KIND, cache_dir

    main(["lookup", "inode"])
    os.makedirs(cache_dir(), exist_ok=True)
    old = [f"index-{n:016x}.marshal" for n in range(KEEP_PER_KIND + 2)]
    for n, name in enumerate(old):
        with open(os.path.join(cache_dir(), name), "wb") as fh:
            fh.write(b"old")
        os.utime(os.path.join(cache_dir(), name), (1000 + n, 1000 + n))  # unused for decades
    cat = tmp_path / "cat"
    cat.mkdir()
    (cat / "g.md").write_text(ENTRY.format(signals="signals:\n  - regex: 'x'"))
    main(["--catalog", str(cat), "lookup", "breaks"])  # a new key: written, the least recently used pruned
    capsys.readouterr()
    left = _cache_files()
    # The two indexes just used stay, with the newest of the planted ones; the oldest went.
    assert len(left) == KEEP_PER_KIND and set(left) & set(old) == set(old[-(KEEP_PER_KIND - 2):])


# -- fault 9: lookup had no query cap -------------------------------------------------------------


def test_a_lookup_query_over_the_mcp_cap_is_a_usage_error(capsys):
    assert main(["lookup", *(["word"] * 20_000)]) == 2
    err = capsys.readouterr().err
    assert "the limit is 500" in err and "diagnose" in err
    assert main(["lookup", *(["inode"] * 80)]) in (0, 1)  # 479 characters: still a query


# -- MCP stdio: malformed lines were answered with silence ----------------------------------------


def test_mcp_stdio_answers_garbage_with_json_rpc_errors_and_stays_alive(tmp_path):
    import subprocess
    import time

    from mcp_support import ROOT, child_env

    init = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
    lines = [
        b"\xff\xfe\x00 binary garbage\n",
        json.dumps(init).encode() + b"\n",
        b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n',
        b"[1, 2, 3]\n",
        b'{"jsonrpc":"2.0","id":null,"method":"ping"}\n',
        b"not json at all\n",
        b'{"jsonrpc":"2.0","id":7,"methd":"ping"}\n',
        b'"a string"\n',
        b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n',
    ]
    proc = subprocess.Popen([sys.executable, "-m", "gotcha_kb.mcp_server"], cwd=ROOT, env={**os.environ, **child_env(tmp_path)},
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        for ln in lines:
            os.write(proc.stdin.fileno(), ln)
        replies: list[dict] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(r.get("id") == 1 for r in replies):
            out = proc.stdout.readline()
            if not out:
                break
            replies.append(json.loads(out))
    finally:
        proc.kill()
        proc.wait()
    errors = [(r["id"], r["error"]["code"]) for r in replies if "error" in r]
    assert errors == [(None, -32700), (None, -32600), (None, -32600), (None, -32700), (7, -32600), (None, -32600)]
    assert any(r.get("id") == 0 and "result" in r for r in replies)  # the handshake still worked
    assert replies[-1] == {"jsonrpc": "2.0", "id": 1, "result": {}}  # and it is still alive


@pytest.mark.parametrize("line, code", [("", None), ('{"jsonrpc":"2.0","id":"a","method":"ping"}', None), ("{", -32700),
                                        ('{"id": true, "method": "x", "jsonrpc": "2.0"}', -32600), ("null", -32600)])
def test_stdio_line_classification(line, code):
    from gotcha_kb.mcp_server.stdio_guard import classify

    err = classify(line)
    assert (err.error.code if err else None) == code


# -- found by tests/test_fuzz.py ---------------------------------------------------------------------


def test_an_empty_nvidia_apps_probe_section_is_parsed_not_a_crash():
    from gotcha_kb.engine.parsers import parse_all

    lines, _ = normalize("===== gotcha-probe: nvidia-apps =====\n===== gotcha-probe: free =====\n")
    parsed = parse_all(lines)
    assert "nvidia_apps!" not in parsed.parsers and parsed.facts["gpu.processes"].value == 0
