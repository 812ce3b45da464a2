"""Parser fixtures (markdown-it style) run through the real pipeline: normalize -> parse_all.

A fixture file under tests/fixtures/parsers/<parser>/*.txt holds cases:

    title
    .
    <verbatim input>
    .
    fact.name = value      (json value when it parses, else a string; `(none)` = no facts at all)
    (unclaimed)            (optional: no parser may claim any line of the input either)
    .
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import random
import re
import string
import time
from pathlib import Path

import pytest
from conftest import budget
from hypothesis import given, settings
from hypothesis import strategies as st

from gotcha_kb.engine.evidence import Line, Segment
from gotcha_kb.engine.normalize import normalize
from gotcha_kb.engine.parsers import known_facts, parse_all, parsers

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "parsers"
README = ROOT / "gotchas" / "README.md"


def read_cases(path: Path) -> list[tuple[int, str, str, list[str]]]:
    """(line, title, input, expected lines). Bytes are kept as they are (CR, ESC) inside the input."""
    lines = path.read_bytes().decode("utf-8").split("\n")
    cases = []
    i = 0
    n = len(lines)
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        start, title = i + 1, lines[i].strip()
        if i + 1 >= n or lines[i + 1].rstrip("\r") != ".":
            raise ValueError(f"{path}:{start}: a case title must be followed by a '.' line")
        j = i + 2
        body: list[str] = []
        while j < n and lines[j].rstrip("\r") != ".":
            body.append(lines[j])
            j += 1
        k = j + 1
        expected: list[str] = []
        while k < n and lines[k].rstrip("\r") != ".":
            if lines[k].strip():
                expected.append(lines[k].strip())
            k += 1
        if k >= n:
            raise ValueError(f"{path}:{start}: unterminated case")
        cases.append((start, title, "\n".join(body), expected))
        i = k + 1
    return cases


def parse_expected(lines: list[str]) -> dict:
    lines = [ln for ln in lines if ln != "(unclaimed)"]
    if lines == ["(none)"]:
        return {}
    out = {}
    for ln in lines:
        name, sep, raw = ln.partition("=")
        assert sep, f"expected `name = value`, got {ln!r}"
        raw = raw.strip()
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        out[name.strip()] = value
    return out


def collect():
    params = []
    for path in sorted(FIXTURES.glob("*/*.txt")):
        for line, title, text, expected in read_cases(path):
            pid = f"{path.parent.name}/{path.name}:{line}"
            params.append(pytest.param(text, expected, id=pid))
    return params


CASES = collect()


def _approx(v):
    if isinstance(v, float):
        return pytest.approx(v, abs=0.051)
    return v


@pytest.mark.parametrize("text,expected", CASES)
def test_fixture(text, expected):
    lines, _ = normalize(text)
    parsed = parse_all(lines)
    broken = [p for p in parsed.parsers if p.endswith("!")]
    assert not broken, f"parsers raised: {broken}"
    got = {name: fact.value for name, fact in parsed.facts.items()}
    want = parse_expected(expected)
    assert sorted(got) == sorted(want), f"facts differ: got {got}"
    for name, value in want.items():
        assert type(got[name]) is not bool or isinstance(value, bool), name
        assert got[name] == _approx(value), name
    if "(unclaimed)" in expected:
        claimed = sorted(parsed.claimed)
        assert not claimed, f"lines claimed by {parsed.parsers}: {claimed}"


def test_every_parser_has_fixtures():
    names = {p.parent.name for p in FIXTURES.glob("*/*.txt")}
    missing = [m.NAME for m in parsers() if m.NAME not in names]
    assert not missing, f"parsers without fixtures: {missing}"
    assert len(CASES) >= 40


def _all_modules():
    """Every module in engine/parsers, including any that discovery would silently skip."""
    import gotcha_kb.engine.parsers as pkg
    names = sorted(i.name for i in pkgutil.iter_modules(pkg.__path__) if not i.name.startswith("_"))
    return [importlib.import_module(f"gotcha_kb.engine.parsers.{n}") for n in names]


def test_discovery_finds_every_module():
    assert [m.__name__ for m in _all_modules()] == [m.__name__ for m in parsers()]
    assert len({m.NAME for m in parsers()}) == len(parsers()), "duplicate parser NAME"


@pytest.mark.parametrize("mod", _all_modules(), ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_parser_interface(mod):
    for attr in ("NAME", "FACTS", "sniff", "parse"):
        assert hasattr(mod, attr), f"{mod.__name__} lacks {attr}"
    assert isinstance(mod.NAME, str) and mod.NAME
    assert isinstance(mod.FACTS, dict) and mod.FACTS
    assert all(isinstance(k, str) and "." in k and isinstance(v, str) and v for k, v in mod.FACTS.items())
    assert callable(mod.sniff) and callable(mod.parse)
    sections = getattr(mod, "SECTIONS", (mod.NAME,))
    assert isinstance(sections, tuple) and all(isinstance(s, str) for s in sections)
    assert set(getattr(mod, "SUMMED", ())) <= set(mod.FACTS)


def readme_facts() -> set[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("### Facts you can test", 1)[1]
    names: set[str] = set()
    for row in table.splitlines():
        if not row.startswith("| `"):
            continue
        first = row.split("|")[1]
        names.update(re.findall(r"`([a-z_]+\.[a-z0-9_]+)`", first))
    return names


def test_readme_facts_are_produced():
    names = readme_facts()
    assert len(names) > 20
    missing = sorted(names - set(known_facts()))
    assert not missing, f"README facts no parser produces: {missing}"


def test_fixture_facts_are_declared():
    """A fixture expecting a fact no module declares in FACTS is a typo (or an undeclared fact)."""
    known = set(known_facts())
    for p in CASES:
        want = parse_expected(p.values[1])
        assert set(want) <= known, p.id


def _garbage(seed: int, size: int = 1 << 20) -> str:
    rnd = random.Random(seed)
    half = size // 2
    printable = "".join(rnd.choices(string.printable, k=half))
    raw = bytes(rnd.getrandbits(8) for _ in range(size - half)).decode("utf-8", "replace")
    return printable + raw


@pytest.fixture(scope="module")
def garbage_lines() -> list[Line]:
    lines, _ = normalize(_garbage(1234))
    return lines


@pytest.mark.parametrize("mod", parsers(), ids=lambda m: m.NAME)
def test_garbage_is_fast_and_harmless(mod, garbage_lines):
    sections = getattr(mod, "SECTIONS", (mod.NAME,))
    for seg in (
        Segment(lines=garbage_lines),
        Segment(lines=garbage_lines, command=sections[0], section=sections[0]),
    ):
        t0 = time.perf_counter()
        mod.sniff(seg)
        mod.parse(seg)
        elapsed = time.perf_counter() - t0
        assert elapsed < 2.0, f"{mod.NAME} took {elapsed:.2f}s on 1 MB of garbage"


def _structured_garbage(seed: int) -> str:
    """Garbage built from the tokens parsers look for: '|', digits, 'MiB /', '%', ':' and friends."""
    rnd = random.Random(seed)
    toks = ["|", "+", "-", "=", " ", "  ", "0", "42", "MiB", "MiB /", "%", "W /", "C", ":", ",", "/", "\\r", "\\n",
            "up", "load average:", "oom_kill", "max", "^M$", "Mem:", "total", "used", "free", "[N/A]", "Active",
            "days,", "min,", "1:02", "memory.max", "cpu.max", "threads", "=", "OMP_NUM_THREADS", "\n", "0000000"]
    return "".join(rnd.choices(toks, k=300_000))


def test_structured_garbage_through_pipeline():
    lines, _ = normalize(_structured_garbage(7))
    t0 = time.perf_counter()
    parsed = parse_all(lines)
    elapsed = time.perf_counter() - t0
    assert not [p for p in parsed.parsers if p.endswith("!")]
    assert elapsed < 2.0 * max(1, len(parsers()) // 4), f"pipeline took {elapsed:.2f}s"


def test_garbage_through_pipeline(garbage_lines):
    parsed = parse_all(garbage_lines)
    assert not [p for p in parsed.parsers if p.endswith("!")]


@pytest.mark.parametrize("mod", parsers(), ids=lambda m: m.NAME)
def test_long_lines(mod):
    """Worst-case line shapes for backtracking: long runs of one character class."""
    sections = getattr(mod, "SECTIONS", (mod.NAME,))
    shapes = ["|" + " " * 3990 + "x", "0" * 4000, "1 " * 2000, "a:" * 2000, "/" * 3999 + "x", "\\r " * 1300,
              "up " + "1 day, " * 550, "| 0 " + "N/A " * 990, "oom_kill " + "9" * 3990, "," * 4000, "[" * 4000,
              "Killed process 1 (" * 220, "MiB / " * 600, "memory.max/" * 360, "get_num_threads() " * 200,
              "up 1:00, " * 400, "load average: " * 280, "with CRLF, " * 360, "0d 0a " * 600, "clocks.sm, " * 360]
    lines = [Line(i + 1, s[:4000]) for i, s in enumerate(shapes * 20)]
    for seg in (Segment(lines=lines), Segment(lines=lines, command=sections[0], section=sections[0])):
        t0 = time.perf_counter()
        mod.sniff(seg)
        mod.parse(seg)
        assert time.perf_counter() - t0 < 2.0


def catalog_fact_names() -> dict[str, str]:
    """Fact names used by `fact:` predicates in the catalog's signals blocks -> where."""
    out: dict[str, str] = {}
    for md in sorted([*(ROOT / "gotchas").glob("*.md"), *(ROOT / "profiles").glob("*.md")]):
        if md.name == "README.md":
            continue
        in_block = False
        for no, line in enumerate(md.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith("```"):
                in_block = line.strip() == "```signals"
                continue
            m = re.match(r"^\s*-?\s*fact:\s*(.+)$", line) if in_block else None
            if not m:
                continue
            value = m.group(1).split(" #")[0]
            preds = re.findall(r"\"([^\"]*)\"|'([^']*)'", value) or [(value, "")]
            for a, b in preds:
                name = re.match(r"\s*\[?\s*([a-z_]+\.[a-z0-9_]+)", a or b)
                if name:
                    out.setdefault(name.group(1), f"{md.name}:{no}")
    return out


def test_catalog_facts_are_produced():
    used = catalog_fact_names()
    assert used, "no fact predicates found in the catalog"
    missing = {n: where for n, where in used.items() if n not in known_facts()}
    assert not missing, f"catalog predicates on facts no parser produces: {missing}"


_KERNEL_BITS = ["Out of memory: Killed process 4242 (python)", "KILLED PROCESS 7 (x) total-vm:1kB", "oom-kill:constraint=CONSTRAINT_NONE",
                "OOM-KILL:CONSTRAINT=x", "Killed process", "killed  process 1", "\u212ailled process 9 (p) total-vm", "killed proce\u017fs 3 (p) total-vm", "step 3 loss 0.5",
                "NVRM: Xid (PCI:0000:3b:00): 79", "Memory cgroup out of memory: Killed process 12", "ok"]


@settings(max_examples=budget(400), deadline=None)
@given(st.lists(st.lists(st.sampled_from(_KERNEL_BITS), max_size=4).map(" ".join), min_size=1, max_size=12))
def test_dmesg_sniff_prefilter_agrees_with_its_regex(texts):
    """The ASCII literal prefilter only skips work: sniff says what the regex alone said."""
    from gotcha_kb.engine.parsers import dmesg

    lines = [Line(n, t) for n, t in enumerate(texts, 1)]
    seg = Segment(lines=lines)
    text = "\n".join(texts)
    assert dmesg.sniff(seg) == (any(dmesg._KERNELISH.match(t) for t in texts[:400]) or "NVRM: Xid" in text
                                or dmesg._OOM.search(text) is not None)
