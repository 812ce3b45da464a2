"""Evaluate the catalog's signals: regexes newest-first over lines, predicates over facts.

Every regex is compiled once per process, on first use. A regex is searched over the whole text in one C-level
pass (re.M), not line by line, so a 1 MB log costs one scan per pattern.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from gotcha_kb.engine.evidence import Fact, Line
from gotcha_kb.engine.prefilter import required_literals
from gotcha_kb.kb.models import Entry
from gotcha_kb.kb.predicates import Predicate


@functools.lru_cache(maxsize=None)
def compiled(pattern: str) -> re.Pattern[str]:
    """A catalog regex compiled once per process, on first use (re's own cache holds only 512)."""
    return re.compile(pattern, re.M)


@dataclass(frozen=True)
class CompiledSignal:
    pattern: str | None  # the regex as written; compiled on first use (most never run: prefilter)
    predicates: tuple[Predicate, ...]
    weight: float
    why: str
    source: str  # the regex or predicates as written, for messages
    literals: tuple[str, ...] | None = None  # one of these must be in the text for the regex to match
    icase: bool = False

    def to_plain(self) -> tuple:
        preds = tuple((p.fact, p.op, p.value) for p in self.predicates)
        return (self.pattern, preds, self.weight, self.why, self.source, self.literals, self.icase)

    @classmethod
    def from_plain(cls, t: tuple) -> "CompiledSignal":
        pattern, preds, weight, why, source, literals, icase = t
        if not (pattern is None or isinstance(pattern, str)) or not isinstance(weight, (int, float)):
            raise ValueError("not a signal")
        parsed = tuple(Predicate.model_construct(fact=f, op=o, value=v) for f, o, v in preds)
        return cls(pattern, parsed, float(weight), str(why), str(source), tuple(literals) if literals else None, bool(icase))


@dataclass(frozen=True)
class SignalHit:
    signal: CompiledSignal
    line: int | None
    text: str | None


def compile_entry(entry: Entry) -> list[CompiledSignal]:
    """The entry's signals ready to evaluate: predicates parsed, regex literals for the prefilter."""
    out = []
    for s in entry.signals:
        preds = tuple(s.predicates)
        written = " & ".join(([f"/{s.regex}/"] if s.regex else []) + list(s.fact))
        lits, icase = required_literals(s.regex) if s.regex else (None, False)
        out.append(CompiledSignal(s.regex or None, preds, s.weight, s.why, written, tuple(lits) if lits else None, icase))
    return out


def _num(v: object) -> float | None:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    return None


def holds(pred: Predicate, facts: dict[str, Fact]) -> bool:
    fact = facts.get(pred.fact)
    if fact is None:
        return False
    v = fact.value
    if pred.op == "truthy":
        return bool(v)
    if pred.op == "in":
        values = v if isinstance(v, list) else [v]
        return any(x in pred.value for x in values)  # type: ignore[operator]
    if isinstance(v, list):
        return False
    if pred.op in ("==", "!="):
        a, b = _num(v), _num(pred.value)
        same = (a == b) if a is not None and b is not None else (str(v) == str(pred.value))
        return same if pred.op == "==" else not same
    a, b = _num(v), _num(pred.value)
    if a is None or b is None:
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[pred.op]


_FOLD_DIGITS = bytes.maketrans(b"123456789", b"000000000")


def drop_repeats(lines: list[Line]) -> list[Line]:
    """Keep the last line of each shape (digits folded): a 1 MB log is mostly one step line."""
    if not lines:
        return []
    last: dict[bytes, int] = {}
    # bytes.translate is a C table lookup: far cheaper than a regex sub over a megabyte.
    shapes = "\n".join(ln.text for ln in lines).encode("utf-8", "surrogatepass").translate(_FOLD_DIGITS).split(b"\n")
    for i, shape in enumerate(shapes):
        last[shape] = i
    keep = sorted(last.values())
    return [lines[i] for i in keep]


def last_chars(lines: list[Line], budget: int) -> list[Line]:
    """The last lines that fit in `budget` characters (at least one line)."""
    used, start = 0, len(lines)
    while start > 0 and (used + len(lines[start - 1].text) + 1 <= budget or start == len(lines)):
        start -= 1
        used += len(lines[start].text) + 1
    return lines[start:]


class TextIndex:
    """The lines joined once, with line starts, so a match offset maps back to a line.

    The caller decides what to index (diagnose gives it the input without repeats, drop_repeats).
    """

    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.text = "\n".join(ln.text for ln in lines)
        self._lower: str | None = None
        self._seen: dict[tuple[str, bool], bool] = {}  # signals share literals: scan for each once
        self.starts: list[int] = []
        pos = 0
        for ln in lines:
            self.starts.append(pos)
            pos += len(ln.text) + 1

    def may_contain(self, literals: tuple[str, ...], icase: bool) -> bool:
        if icase and self._lower is None:
            self._lower = self.text.lower()
        hay = self._lower if icase else self.text
        for lit in literals:
            found = self._seen.get((lit, icase))
            if found is None:
                found = self._seen[(lit, icase)] = lit in hay
            if found:
                return True
        return False

    def last_match(self, rx: re.Pattern[str]) -> tuple[int, str] | None:
        """Newest-first: the last line that matches (the end of a log is where it broke)."""
        last = None
        for m in rx.finditer(self.text):
            last = m
        if last is None:
            return None
        i = bisect.bisect_right(self.starts, last.start()) - 1
        return self.lines[i].no, self.lines[i].text


def evaluate(sig: CompiledSignal, index: TextIndex, facts: dict[str, Fact]) -> SignalHit | None:
    for pred in sig.predicates:
        if not holds(pred, facts):
            return None
    if sig.pattern is not None:
        if sig.literals is not None and not index.may_contain(sig.literals, sig.icase):
            return None
        found = index.last_match(compiled(sig.pattern))
        if found is None:
            return None
        return SignalHit(sig, found[0], found[1])
    first = facts[sig.predicates[0].fact] if sig.predicates else None
    line = first.line if first and first.line else None
    text = next((ln.text for ln in index.lines if ln.no == line), None) if line else None
    return SignalHit(sig, line, text)
