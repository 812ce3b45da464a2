"""Read what the box printed: sha256 lines, our marker lines, and whatever else came along.

Accepted line shapes (what real tools print):
  `<64 hex>  ./path`     GNU sha256sum / shasum, text mode
  `<64 hex> *path`       binary-mode marker (sha256sum -b, shasum on some systems)
  `<64 hex> path`        BSD `sha256 -r`
  `SHA256 (path) = <hex>` BSD tagged / `sha256sum --tag`; `SHA2-256(path)= <hex>` openssl
  `\\<64 hex>  path\\nname` GNU's escaped form for names holding a newline or backslash
CRLF endings and leading indentation (pastes from chat or email) are tolerated; any other line
is noise and only counted. A path that is absolute or holds `..` is refused with its line number:
such a listing was not made from inside the directory, so none of it can be matched safely.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Iterator
from dataclasses import dataclass, field

from gotcha_kb.engine.deploy.errors import ListingError, TooManyFiles
from gotcha_kb.engine.deploy.paths import UnsafePath, normalize_rel
from gotcha_kb.engine.deploy.remote import BEGIN, END_PREFIX, ERROR_PREFIX, SYMBOL_PREFIX

MAX_LINE = 16_384  # PATH_MAX is 4096; a longer line is not a listing line
SAMPLE = 200  # how many extra paths / noise lines are kept as examples
GREP_LINES = 3
GREP_LINE_CHARS = 300

_PLAIN = re.compile(r"(\\?)([0-9a-fA-F]{64}) (.*)", re.DOTALL)
_TAGGED = re.compile(r"(?:SHA256|SHA2-256) ?\((.*)\) ?= ?([0-9a-fA-F]{64})", re.DOTALL)
_BEGIN = re.compile(re.escape(BEGIN.split("{")[0]) + r"(all|files)==")
_END = re.compile(re.escape(END_PREFIX) + r"(\d+)==")
_SYM = re.compile(re.escape(SYMBOL_PREFIX) + r"([0-9a-f]{12}) (?:begin|end rc=(\d+))==")
_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)
_ESCAPES = {"\\": "\\", "n": "\n", "r": "\r"}


@dataclass
class SymbolResult:
    rc: int | None = None  # None: the begin marker came but the end marker did not
    lines: list[str] = field(default_factory=list)


@dataclass
class Listing:
    entries: dict[str, str] = field(default_factory=dict)  # kept path -> sha256 (lowercase)
    hash_lines: int = 0  # every sha256 line read, kept or not
    extra_count: int = 0  # sha256 lines for paths the caller did not ask to keep
    extra_sample: list[str] = field(default_factory=list)
    extra_by_dir: Counter[str] = field(default_factory=Counter)
    mode: str | None = None  # "all" | "files" from our begin marker; None for a bare listing
    begun: bool = False
    ended: bool = False
    rc: int | None = None  # exit status of the hash command on the box
    errors: list[str] = field(default_factory=list)  # our ==gotcha-error== lines
    noise: int = 0
    noise_sample: list[str] = field(default_factory=list)
    ignored_before_begin: int = 0
    symbols: dict[str, SymbolResult] = field(default_factory=dict)


def parse_listing(text: str, *, keep: Container[str] | None = None, max_entries: int | None = None) -> Listing:
    """Parse a listing. With `keep`, only those paths are stored and the rest are counted as extra,
    so a box directory with a million data files costs a counter, not a dict."""
    out = Listing()
    first_line: dict[str, int] = {}
    symbol: str | None = None
    for no, raw in enumerate(_lines(text), 1):
        line = raw.rstrip("\r").lstrip(" \t")
        if not line:
            continue
        if line.startswith("==gotcha-"):
            symbol = _marker(out, line, no, symbol)
            continue
        if symbol is not None:  # grep output between a symbol's markers
            res = out.symbols[symbol]
            if len(res.lines) < GREP_LINES:
                res.lines.append(line[:GREP_LINE_CHARS])
            continue
        parsed = _hash_line(line) if len(line) <= MAX_LINE else None
        if parsed is None or (out.begun and out.ended) or parsed[0] == "-":
            _noise(out, line)
            continue
        path, sha = parsed
        try:
            key = normalize_rel(path)
        except UnsafePath as e:
            raise ListingError(
                f"line {no}: {e}. A listing must be made inside the directory (cd DIR first), "
                f"so every path is relative and stays below it: {_show(line)}"
            ) from None
        out.hash_lines += 1
        if keep is not None and key not in keep:
            out.extra_count += 1
            if len(out.extra_sample) < SAMPLE:
                out.extra_sample.append(key)
            out.extra_by_dir[key.split("/", 1)[0] + "/" if "/" in key else "."] += 1
            continue
        prev = out.entries.get(key)
        if prev is not None and prev != sha:
            raise ListingError(
                f"line {no}: {key} is listed twice with different sha256 (first on line {first_line[key]}); "
                "were two listings pasted together?"
            )
        if prev is None:
            out.entries[key] = sha
            first_line[key] = no
            if max_entries is not None and len(out.entries) > max_entries:
                raise TooManyFiles(f"the listing names more than {max_entries} files; raise --max-files to check it")
    return out


def _marker(out: Listing, line: str, no: int, symbol: str | None) -> str | None:
    """Apply one marker line; returns the symbol whose grep output follows, if any."""
    if m := _BEGIN.fullmatch(line):
        if out.begun:
            raise ListingError(f"line {no}: a second listing starts here; paste the output of one run only")
        if out.entries or out.extra_count:
            # sha256 lines before our marker belong to something else that was pasted along.
            out.ignored_before_begin = out.hash_lines
            out.entries.clear()
            out.extra_count, out.hash_lines = 0, 0
            out.extra_sample.clear()
            out.extra_by_dir.clear()
        out.begun, out.mode = True, m.group(1)
        return None
    if m := _END.fullmatch(line):
        if not out.begun:
            raise ListingError(f"line {no}: the listing's end marker came without its begin marker; paste the whole output")
        out.ended, out.rc = True, int(m.group(1))
        return None
    if m := _SYM.fullmatch(line):
        key, rc = m.group(1), m.group(2)
        if rc is None:
            out.symbols[key] = SymbolResult()
            return key
        out.symbols.setdefault(key, SymbolResult()).rc = int(rc)
        return None
    if line.startswith(ERROR_PREFIX) and line.endswith("=="):
        out.errors.append(line[len(ERROR_PREFIX):-2])
        return None
    _noise(out, line)
    return symbol


def _hash_line(line: str) -> tuple[str, str] | None:
    if m := _PLAIN.fullmatch(line):
        escaped, sha, rest = m.groups()
        # GNU: one space then ' ' (text) or '*' (binary); BSD -r: one space then the name.
        path = rest[1:] if rest[:1] in (" ", "*") else rest
        if escaped:
            path = _UNESCAPE.sub(lambda e: _ESCAPES.get(e.group(1), e.group(0)), path)
        return (path, sha.lower()) if path else None
    if m := _TAGGED.fullmatch(line):
        return m.group(1), m.group(2).lower()
    return None


def _noise(out: Listing, line: str) -> None:
    out.noise += 1
    if len(out.noise_sample) < 5:
        out.noise_sample.append(_show(line))


def _show(line: str) -> str:
    return repr(line[:120] + ("..." if len(line) > 120 else ""))


def _lines(text: str) -> Iterator[str]:
    # Split on "\n" only: str.splitlines would also cut at \x0b, \x1c or U+2028, which are legal
    # in file names. A generator, so a 100 MB listing is not held twice.
    start, n = 0, len(text)
    while start < n:
        end = text.find("\n", start)
        if end < 0:
            end = n
        yield text[start:end]
        start = end + 1
