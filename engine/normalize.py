"""Raw paste -> clean numbered lines: decode leniently, strip ANSI, CR, timestamps, cap size."""

from __future__ import annotations

import re

from engine.evidence import Line

MAX_INPUT_BYTES = 8 * 1024 * 1024  # a bigger paste is cut to its last 8 MiB (the end is where it broke)
MAX_LINE_CHARS = 4000

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


def decode(raw: bytes | str) -> tuple[str, bool]:
    """Text and whether it was cut to MAX_INPUT_BYTES. Invalid UTF-8 becomes U+FFFD, never an error."""
    if isinstance(raw, str):
        data = raw.encode("utf-8", "surrogatepass") if len(raw) > MAX_INPUT_BYTES // 4 else None
        if data is None or len(data) <= MAX_INPUT_BYTES:
            return raw, False
        raw = data
    cut = len(raw) > MAX_INPUT_BYTES
    if cut:
        raw = raw[-MAX_INPUT_BYTES:]
    return raw.decode("utf-8", "replace"), cut


def clean_line(text: str) -> str:
    """One line; `normalize` has already removed ANSI and control bytes from the whole text."""
    if "\r" in text:
        # A progress bar redraws with bare CR: the terminal shows only the last frame.
        parts = [p for p in text.split("\r") if p.strip()]
        text = parts[-1] if parts else ""
    if len(text) > MAX_LINE_CHARS:
        text = text[:MAX_LINE_CHARS]
    return text.strip()


def normalize(raw: bytes | str) -> tuple[list[Line], bool]:
    text, cut = decode(raw)
    text = text.replace("\r\n", "\n")
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
    return lines, cut
