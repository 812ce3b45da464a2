"""Catastrophic backtracking in catalog regexes: rejected by shape at load, timed at `gotcha check`.

A user's catalog is data from anywhere, and Python's `re` backtracks: `(a+)+$` on 40 a's and a `!`
runs for minutes, and no signal or timeout can stop a match in progress. So:

- `nested_quantifier` (cheap, run at every load) rejects the classic shape: an unbounded repeat
  whose body is itself only repeats, with no required character to anchor each round:
  `(a+)+`, `(\\w+\\s*)*`, `(x+x+)+`. `(\\d+\\.)+` has the required `.` and passes.
- `slowest_attack` (run by `gotcha check`) times the regex on inputs grown step by step from the
  characters the pattern itself names, and stops at the first step over budget, so even an
  exponential pattern costs at most a few budgets. It catches what the shape rule cannot see
  (`(a|aa)+$`, `(\\w|\\d)+$`, `.*.*.*=`), the way tests/test_redos.py guards the shipped ones.
"""

from __future__ import annotations

import re
import time
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]

MAX_REGEX_CHARS = 2000
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)
_UNBOUNDED = 50  # {0,50} already repeats enough to blow up when nested
# Characters that have no meaning in most patterns: a good mismatch to end an attack with.
_ENDERS = "!\x00\n"


def _is_repeat(op, av) -> bool:
    return op in _REPEATS and av[1] >= _UNBOUNDED


def _body_items(items) -> list:
    """The top-level items of a sequence, looking through plain groups."""
    out = []
    for op, av in items:
        if op is C.SUBPATTERN:
            out.extend(_body_items(av[3]))
        else:
            out.append((op, av))
    return out


def _only_repeats(items) -> bool:
    """Every required item of this sequence is a repeat (or an assertion), and one is unbounded."""
    body = _body_items(items)
    unbounded = False
    for op, av in body:
        if op in _REPEATS:
            unbounded = unbounded or av[1] >= _UNBOUNDED
            continue
        elif op is C.BRANCH:
            if all(_only_repeats(b) for b in av[1]):
                unbounded = True
                continue
            return False
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        else:
            return False
    return unbounded


def nested_quantifier(pattern: str) -> str | None:
    """The offending part, when an unbounded repeat holds a body of nothing but repeats; else None."""
    try:
        parsed = P.parse(pattern)
    except re.error:
        return None

    def walk(items) -> str | None:
        for op, av in items:
            if op in _REPEATS:
                if av[1] >= _UNBOUNDED and _only_repeats(av[2]):
                    return "a repeated group whose body is itself only repeats"
                found = walk(av[2])
            elif op is C.SUBPATTERN:
                found = walk(av[3])
            elif op is C.BRANCH:
                found = next((f for b in av[1] if (f := walk(b))), None)
            elif op in (C.ASSERT, C.ASSERT_NOT):
                found = walk(av[1])
            else:
                found = None
            if found:
                return found
        return None

    return walk(parsed)


def _named_chars(pattern: str) -> str:
    """Characters the pattern names: its literals, plus one member of each class it uses."""
    chars = set("a0 _-./=:")
    try:
        parsed = P.parse(pattern)
    except re.error:
        return "".join(sorted(chars))

    def walk(items) -> None:
        for op, av in items:
            if op is C.LITERAL:
                chars.add(chr(av))
            elif op is C.IN:
                for sub_op, sub_av in av:
                    if sub_op is C.LITERAL:
                        chars.add(chr(sub_av))
                    elif sub_op is C.RANGE:
                        chars.add(chr(sub_av[0]))
            elif op in _REPEATS:
                walk(av[2])
            elif op is C.SUBPATTERN:
                walk(av[3])
            elif op is C.BRANCH:
                for b in av[1]:
                    walk(b)
            elif op in (C.ASSERT, C.ASSERT_NOT):
                walk(av[1])

    walk(parsed)
    return "".join(sorted(c for c in chars if c.isprintable() or c == " "))[:40]


def _units(pattern: str) -> list[str]:
    """Repeating units to build attacks from: each named character, and each pair."""
    chars = _named_chars(pattern)
    return list(chars) + [a + b for a in chars[:6] for b in chars[:6] if a < b]


def _time(rx: re.Pattern[str], text: str) -> float:
    t = time.perf_counter()
    for _ in rx.finditer(text):
        pass
    return time.perf_counter() - t


def slowest_attack(pattern: str, budget_s: float = 0.1, max_len: int = 4000, pairs: bool = True) -> tuple[float, str] | None:
    """(seconds, attack) for the first attack that takes over `budget_s`, or None when all stay under it.

    Each unit is repeated to lengths 8, 12, ... 28, then 256 and max_len, followed by a mismatching
    character. The jump to 256 can hang on an exponential pattern that was still fast at 28, so
    call this through `timed_check`, which runs it in a child process under a deadline.
    """
    rx = re.compile(pattern, re.M)
    lengths = [8, 12, 16, 20, 24, 28, 256, max_len]
    units = _units(pattern) if pairs else list(_named_chars(pattern))
    for unit in units:
        for n in lengths:
            for end in _ENDERS:
                text = (unit * n)[:n] + end
                took = _time(rx, text)
                if took > budget_s:
                    shown = text if len(text) <= 24 else f"{text[:10]}...({len(text)} chars)"
                    return took, shown
    return None


_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from gotcha_kb.kb.redos import slowest_attack
args = json.loads(sys.stdin.readline())
for p in args["patterns"]:
    r = slowest_attack(p, args["budget"], args["max_len"], args["pairs"])
    print(json.dumps(None if r is None else f"took {r[0]:.2f} s on {r[1]!r}"), flush=True)
"""
_verdicts: dict[tuple[str, bool], str | None] = {}


def timed_check(patterns: list[str], thorough: bool = True, budget_s: float = 0.1, deadline_s: float = 3.0) -> dict[str, str]:
    """pattern -> why it is too slow, for each pattern that is; run in a child process.

    `re` cannot be interrupted mid-match, so the attacks run in a child that is killed when one
    pattern takes longer than `deadline_s`: that pattern is reported and the rest go to a fresh
    child. thorough=False (used at every load of a user catalog) tries runs of single characters;
    `gotcha check` also tries runs of pairs of characters.
    """
    import json
    import os
    import select
    import subprocess
    import sys

    todo = [p for p in dict.fromkeys(patterns) if (p, thorough) not in _verdicts]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    while todo:
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, root], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps({"patterns": todo, "budget": budget_s, "max_len": 4000, "pairs": thorough}) + "\n")
        proc.stdin.flush()
        done = 0
        try:
            while done < len(todo):
                ready, _, _ = select.select([proc.stdout], [], [], deadline_s)
                line = proc.stdout.readline() if ready else ""
                if not line:
                    break
                _verdicts[(todo[done], thorough)] = json.loads(line)
                done += 1
        finally:
            proc.kill()
            proc.wait()
        if done < len(todo):  # the child hung (or died) on todo[done]
            _verdicts[(todo[done], thorough)] = f"did not finish within {deadline_s:.0f} s on a short line"
            done += 1
        todo = todo[done:]
    return {p: why for p in patterns if (why := _verdicts.get((p, thorough)))}


def guard_user_regexes(entries: list, sources: list[str]) -> list:
    """Drop the slow regex signals of a catalog that is not the shipped one; return Problems for them.

    The shipped catalog's regexes are timed by tests/test_redos.py in CI; anyone else's are timed
    here, once per process, before diagnose can run them on a paste.
    """
    import os

    from gotcha_kb.kb.models import Problem
    from gotcha_kb.kb.paths import shipped_sources

    if sorted(map(os.path.realpath, sources)) == sorted(map(os.path.realpath, shipped_sources())):
        return []
    slow = timed_check([s.regex for e in entries for s in e.signals if s.regex], thorough=False)
    problems = []
    for e in entries:
        for n, s in enumerate(e.signals):
            if s.regex in slow:
                problems.append(Problem(path=e.source.path, line=e.source.line,
                                        message=f"{e.id} signals[{n}]: regex {s.regex!r} {slow[s.regex]}; it backtracks "
                                        "catastrophically, so it is left out"))
        if slow:
            e.signals = [s for s in e.signals if s.regex not in slow]
    return problems
