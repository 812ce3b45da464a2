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

from engine.normalize import MAX_INPUT_BYTES, MAX_LINES, MAX_TEXT_CHARS, normalize
from gotcha_cli.main import main

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
    from mcp_server import ops
    from mcp_server.state import get_kb

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
