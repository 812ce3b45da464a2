"""Fuzz every parser of untrusted text: command-output parsers, diagnose, the deploy listing, the catalog.

Inputs are the real fixtures, mutated line by line (dropped, doubled, swapped, cut, numbers
changed, junk spliced in), plus free text and bytes: close enough to real output to get deep into
each parser, odd enough to find its edges. The property is the same everywhere: no exception
escapes, and what comes back is well formed. Budget: the whole file runs in well under 60 s on a
shared 2-core machine (max_examples are per test, below; no deadline, since the machine is noisy).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import budget
from hypothesis import given, settings
from hypothesis import strategies as st

from gotcha_kb.engine.evidence import Line
from gotcha_kb.engine.normalize import normalize
from gotcha_kb.engine.parsers import parse_all, parsers
from gotcha_kb.engine.segment import split

FIXTURES = Path(__file__).parent / "fixtures"


def _fixture_texts(folder: Path) -> list[str]:
    return sorted(p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*.txt"))


PARSER_TEXTS = _fixture_texts(FIXTURES / "parsers")
DIAGNOSE_TEXTS = _fixture_texts(FIXTURES / "diagnose")
JUNK = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\t", "%", "-", "|", "0", "-1", "100%", "999999999999999999999", "NaN", "N/A", "[N/A]",
                     "$ ", "# ", "==gotcha-", "MiB", "GiB", "\x1b[31m", "\r", "Killed", "Xid 79", ":", ","]),
)


@st.composite
def mutated(draw, texts: list[str]) -> str:
    """A fixture with a few line-level mutations."""
    lines = draw(st.sampled_from(texts)).split("\n")
    for _ in range(draw(st.integers(0, 6))):
        if not lines:
            lines = [""]
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "dup", "swap", "cut", "junk", "digits", "splice"]))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, max(0, len(lines[i]))))]
        elif op == "junk":
            lines.insert(i, draw(JUNK))
        elif op == "digits":
            lines[i] = "".join(draw(st.sampled_from("0123456789-.")) if c.isdigit() else c for c in lines[i])
        else:
            words = lines[i].split(" ")
            k = draw(st.integers(0, len(words)))
            lines[i] = " ".join(words[:k] + [draw(JUNK)] + words[k:])
    return "\n".join(lines)


def _segments(text: str):
    lines, _ = normalize(text)
    return split(lines)


@pytest.mark.parametrize("mod", parsers(), ids=lambda m: m.NAME)
@settings(max_examples=budget(250))
@given(text=mutated(PARSER_TEXTS))
def test_parser_never_raises_on_mutated_output(mod, text):
    for seg in _segments(text):
        # parse_all's contract: parse runs when sniff accepts, or when a probe section names it.
        if seg.section and seg.section.split(".")[0] not in getattr(mod, "SECTIONS", (mod.NAME,)):
            continue
        if not seg.section and not mod.sniff(seg):
            continue
        reading = mod.parse(seg)
        for fact in reading.facts:
            assert fact.name in mod.FACTS
            assert isinstance(fact.value, (bool, int, float, list))
        assert all(isinstance(n, int) for n in reading.claimed)


@settings(max_examples=budget(300))
@given(text=st.one_of(mutated(PARSER_TEXTS), st.text(max_size=500)))
def test_parse_all_isolates_nothing_because_nothing_breaks(text):
    """parse_all hides a crashing parser as `name!`; under fuzz none may crash in the first place."""
    lines, _ = normalize(text)
    parsed = parse_all(lines)
    assert not [p for p in parsed.parsers if p.endswith("!")]


@pytest.fixture(scope="module")
def engine_once():
    from gotcha_kb.engine.api import build_engine

    return build_engine()


@settings(max_examples=budget(500))
@given(data=st.one_of(mutated(DIAGNOSE_TEXTS), mutated(PARSER_TEXTS), st.text(max_size=2000), st.binary(max_size=2000)))
def test_diagnose_answers_any_input(engine_once, data):
    d = engine_once.diagnose(data, top_k=5)
    assert d.abstained == (not d.matches)
    assert 0.0 <= d.shortlist_confidence <= 1.0
    confs = [m.confidence for m in d.matches]
    assert confs == sorted(confs, reverse=True)
    assert all(ev.line is None or ev.line >= 1 for m in d.matches for ev in m.evidence)


# -- the deploy listing -----------------------------------------------------------------------------

SHA = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
PATHS = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\x00"), min_size=1, max_size=30)
LISTING_LINE = st.one_of(
    st.tuples(SHA, st.sampled_from(["  ", " *", " ", "\t"]), PATHS).map("".join),
    st.sampled_from(["==gotcha-listing-begin", "==gotcha-listing-end", "==gotcha-", "==gotcha-sha256sum", "sha256sum: x: No such file",
                     "", "total 0", "Permission denied"]),
    st.text(max_size=80),
)


@settings(max_examples=budget(400))
@given(lines=st.lists(LISTING_LINE, max_size=30), crlf=st.booleans())
def test_listing_parser_never_raises(lines, crlf):
    from gotcha_kb.engine.deploy.errors import ListingError
    from gotcha_kb.engine.deploy.listing import parse_listing

    for text, kw in ((("\r\n" if crlf else "\n").join(lines), {}), ("\n".join(lines), {"keep": {"a", "b"}, "max_entries": 5})):
        try:
            parse_listing(text, **kw)
        except ListingError as e:  # the designed refusal: a message that says which line and why
            assert str(e).startswith("line ") or "listing" in str(e)


# -- the catalog loader -----------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
CATALOG_TEXTS = [p.read_text(encoding="utf-8")[:6000] for p in sorted((ROOT / "gotchas").glob("*.md"))[:4]]
PROFILE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "profiles").glob("*.md"))[:2]]
YAMLISH = st.sampled_from(["```signals", "```", "keywords: [a, b]", "signals:", "  - regex: '('", "  - regex: 'x'", "  - fact: 'df.use_pct >= 9'",
                           "&a [1]", "*a", "- *a", "!!python/object:os.system", "---", "### U9 — t", "## Theme", "**Symptom** s",
                           "**Fix**", "hints: [x]", "weight: 1e309", "- regex: '(a+)+$'", "| a | b |", "|---|---|"])


@st.composite
def catalog_text(draw, texts: list[str]) -> str:
    text = draw(mutated(texts))
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 4))):
        lines.insert(draw(st.integers(0, len(lines))), draw(YAMLISH))
    return "\n".join(lines)


@settings(max_examples=budget(200))
@given(text=catalog_text(CATALOG_TEXTS))
def test_catalog_file_parser_reports_problems_never_raises(text):
    from gotcha_kb.kb.loader import _catalog_file

    entries, problems = _catalog_file("g.md", text)
    n = text.count("\n") + 1
    assert all(p.path == "g.md" and 0 <= p.line <= n + 1 for p in problems)
    assert all(e.source.line >= 1 for e in entries)


@settings(max_examples=budget(100))
@given(text=catalog_text(PROFILE_TEXTS))
def test_profile_parser_reports_problems_never_raises(text):
    from gotcha_kb.kb.profiles import parse_profile

    _profile, problems = parse_profile("local.md", text, "local")
    assert all(p.path == "local.md" and p.line >= 0 for p in problems)


@settings(max_examples=budget(300))
@given(text=st.one_of(st.text(max_size=300), st.lists(YAMLISH, max_size=8).map("\n".join)))
def test_signals_block_parser_never_raises(text):
    from gotcha_kb.kb.signals_block import parse_signals_block

    _block, signals, problems = parse_signals_block(text, "g.md", 10)
    assert all(p.line >= 10 for p in problems)
    assert all((s.regex is None) or len(s.regex) <= 2000 for s in signals)
