"""Raw paste -> clean numbered lines: decode leniently, strip ANSI, CR, timestamps, cap size."""

from __future__ import annotations

import re

from gotcha_kb.engine.evidence import Line

MAX_INPUT_BYTES = 8 * 1024 * 1024  # a bigger paste is cut to its last 8 MiB (the end is where it broke)
MAX_LINE_CHARS = 4000
# Every later stage costs per line: 8 MiB of one-character lines is 4M lines, and took 25 s and
# 700 MB before this cap. 100,000 lines is more than an 8 MiB log of ordinary 80-byte lines holds,
# so a real log is only ever cut by bytes; a flood of tiny lines is cut here, keeping its end.
MAX_LINES = 100_000
# Each catalog regex scans the whole cleaned text: 60 of them over 8 MiB of text that never
# repeats (random bytes, distinct words) took 9-14 s. The engine analyzes the last MAX_TEXT_CHARS
# characters of cleaned text (after ANSI codes and progress-bar redraws are gone), which bounds a
# worst case near 2 s; the lead's 1 MB-log benchmark fits inside it whole.
MAX_TEXT_CHARS = 1024 * 1024

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# dmesg `[12345.678901] `, `[Mon Jun  3 10:00:00 2026] `, ISO / syslog stamps, `2026-06-03 10:00:00,123 `
_STAMPS = re.compile(
    # [ \t], never \s: this runs over the whole text and must not eat a newline.
    r"(?m)^(?:\[[ \t]*\d+\.\d+\][ \t]?"
    r"|\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d [\d:]{8} \d{4}\][ \t]?"
    r"|\d{4}-\d\d-\d\d[T ][\d:]{8}(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?[ \t]+"
    r"|[A-Z][a-z]{2} [ \d]\d [\d:]{8} \S+ (?=kernel:|\S+\[\d+\]:))"
)


def decode(raw: bytes | str) -> tuple[str, int]:
    """Text, and how many bytes were cut from its start to fit MAX_INPUT_BYTES (0: none).

    Invalid UTF-8 becomes U+FFFD, never an error.
    """
    if isinstance(raw, str):
        data = raw.encode("utf-8", "surrogatepass") if len(raw) > MAX_INPUT_BYTES // 4 else None
        if data is None or len(data) <= MAX_INPUT_BYTES:
            return raw, 0
        raw = data
    dropped = max(0, len(raw) - MAX_INPUT_BYTES)
    if dropped:
        raw = raw[-MAX_INPUT_BYTES:]
    return raw.decode("utf-8", "replace"), dropped


def keep_last_lines(text: str, limit: int = MAX_LINES) -> tuple[str, int]:
    """The last `limit` lines of `text`, and how many bytes (UTF-8) were cut before them."""
    pos = len(text)
    for _ in range(limit):
        pos = text.rfind("\n", 0, pos)
        if pos < 0:
            return text, 0
    return text[pos + 1 :], len(text[: pos + 1].encode("utf-8", "surrogatepass"))


def _within_budget(lines: list[Line], text: str, limit: int = MAX_TEXT_CHARS) -> tuple[list[Line], int]:
    """The last lines whose cleaned text fits `limit` characters, and the bytes of `text` before them.

    Counted after cleaning, so a progress bar's thousand CR-redrawn frames count as the one line
    the terminal showed. `text` is the input before cleaning, whose line numbers these are.
    """
    total = 0
    for i in range(len(lines) - 1, -1, -1):
        total += len(lines[i].text) + 1
        if total > limit:
            break
    else:
        return lines, 0
    kept = lines[i + 1 :] if i + 1 < len(lines) else lines[-1:]
    pos = 0
    for _ in range(kept[0].no - 1):  # the offset where the first kept line starts
        pos = text.find("\n", pos) + 1
    return kept, len(text[:pos].encode("utf-8", "surrogatepass"))


def clean_line(text: str) -> str:
    """One line; `normalize` has already removed ANSI and control bytes from the whole text."""
    if "\r" in text:
        # A progress bar redraws with bare CR: the terminal shows only the last frame.
        parts = [p for p in text.split("\r") if p.strip()]
        text = parts[-1] if parts else ""
    if len(text) > MAX_LINE_CHARS:
        text = text[:MAX_LINE_CHARS]
    return text.strip()


def normalize(raw: bytes | str) -> tuple[list[Line], int]:
    """Clean numbered lines, and how many bytes were cut from the start of `raw` (0: none)."""
    text, cut = decode(raw)
    text = text.replace("\r\n", "\n")
    text, more = keep_last_lines(text)
    cut += more
    before = text
    # Whole-text passes: one C-level scan each instead of one regex call per line.
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    text = _CTRL.sub("", text)
    text = _STAMPS.sub("", text)
    lines = []
    for n, line in enumerate(text.split("\n"), start=1):
        cleaned = clean_line(line)
        if cleaned:
            lines.append(Line(n, cleaned))
    lines, more = _within_budget(lines, before)
    return lines, cut + more
