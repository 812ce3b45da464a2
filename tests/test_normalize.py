"""engine/normalize.py: what any paste becomes before anything reads it."""

from __future__ import annotations

from gotcha_kb.engine.normalize import MAX_INPUT_BYTES, normalize


def test_normalize_strips_ansi_cr_and_stamps():
    raw = "\x1b[31m[ 1234.567890] Out of memory: Killed process 42 (python)\x1b[0m\r\nepoch 1\r50%\r100%\r\n"
    lines, cut = normalize(raw)
    assert [ln.text for ln in lines] == ["Out of memory: Killed process 42 (python)", "100%"] and not cut


def test_normalize_survives_binary_and_invalid_utf8():
    lines, _ = normalize(b"\xff\xfe\x00garbage\x00\x01\nKilled\n" + bytes(range(256)))
    assert any(ln.text == "Killed" for ln in lines)


def test_oversized_input_keeps_its_end_and_says_so():
    big = ("x" * 100 + "\n") * (MAX_INPUT_BYTES // 100 + 10) + "Out of memory: Killed process 7 (python)\n"
    lines, cut = normalize(big.encode())
    assert cut and lines[-1].text.startswith("Out of memory")
