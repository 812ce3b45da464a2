"""Diagnose fixtures: real-looking pastes with their confusers and the verdict written in.

Each tests/fixtures/diagnose/*.txt starts with `#=EXPECT=# <id>` (optionally `#=PLATFORM=#` and a
`#=WANT=#` note). The engine must answer that id first, without abstaining. Known misses are listed
in KNOWN_MISSES with a reason; they run as strict xfails, so a fix that makes one pass fails the
suite until the list is updated: `UPDATE_FIXTURES=1 pytest tests/test_diagnose_fixtures.py`
rewrites the list from the current results (the bless step).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "fixtures" / "diagnose"
KNOWN = HERE / "KNOWN_MISSES"
FILES = sorted(HERE.glob("*.txt"))


def _known() -> dict[str, str]:
    if not KNOWN.exists():
        return {}
    out = {}
    for line in KNOWN.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            stem, _, reason = line.partition(" ")
            out[stem] = reason.strip()
    return out


def _read(path: Path) -> tuple[str, str | None, str]:
    text = path.read_text(encoding="utf-8")
    expect = re.search(r"^#=EXPECT=# (\S+)", text, re.M)
    assert expect, f"{path.name} has no #=EXPECT=# line"
    plat = re.search(r"^#=PLATFORM=# (\S+)", text, re.M)
    body = "\n".join(ln for ln in text.split("\n") if not ln.startswith("#="))
    return expect.group(1), plat.group(1) if plat else None, body


def _verdict(engine, path: Path) -> tuple[bool, str]:
    expect, plat, body = _read(path)
    d = engine.diagnose(body, platform=plat)
    got = [m.id for m in d.matches]
    return (got[:1] == [expect] and not d.abstained), f"expected {expect}, got {got[:3] or 'abstained'}"


def test_every_universal_entry_has_two_fixtures(catalog):
    counts: dict[str, int] = {}
    for f in FILES:
        counts[_read(f)[0]] = counts.get(_read(f)[0], 0) + 1
    missing = [e.id for e in catalog.entries if e.platform is None and counts.get(e.id, 0) < 2]
    assert missing == []


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_fixture(engine, path, request):
    known = _known()
    ok, detail = _verdict(engine, path)
    if os.environ.get("UPDATE_FIXTURES"):
        request.config._fixture_results = getattr(request.config, "_fixture_results", {})
        request.config._fixture_results[path.stem] = (ok, detail)
        return
    if path.stem in known:
        if ok:
            pytest.fail(f"{path.stem} now passes: remove it from KNOWN_MISSES (or rerun with UPDATE_FIXTURES=1)")
        pytest.xfail(f"known miss: {known[path.stem]} ({detail})")
    assert ok, detail


def test_zz_bless(request):
    """With UPDATE_FIXTURES=1, rewrite KNOWN_MISSES from this run (keeping existing reasons)."""
    results = getattr(request.config, "_fixture_results", None)
    if not os.environ.get("UPDATE_FIXTURES") or results is None:
        pytest.skip("bless runs only with UPDATE_FIXTURES=1")
    old = _known()
    lines = ["# fixtures the engine gets wrong today: <stem> <reason>. Regenerate: UPDATE_FIXTURES=1 pytest tests/test_diagnose_fixtures.py"]
    for stem, (ok, detail) in sorted(results.items()):
        if not ok:
            lines.append(f"{stem} {old.get(stem, detail)}")
    KNOWN.write_text("\n".join(lines) + "\n", encoding="utf-8")
