"""Diagnose fixtures: real-looking pastes with their confusers and the verdict written in.

Each tests/fixtures/diagnose/*.txt starts with `#=EXPECT=# <id>` (optionally `#=PLATFORM=#` and a
`#=WANT=#` note). The engine must answer that id first, without abstaining. Known misses are listed
in KNOWN_MISSES with a reason; they run as strict xfails, so a fix that makes one pass fails the
suite until the list is updated: `UPDATE_FIXTURES=1 pytest tests/test_diagnose_fixtures.py`
rewrites the list from the current results at the end of the session (the bless step, tests/bless.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bless import RESULTS, known

HERE = Path(__file__).resolve().parent / "fixtures" / "diagnose"
FILES = sorted(HERE.glob("*.txt"))


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
    misses = known()
    ok, detail = _verdict(engine, path)
    if os.environ.get("UPDATE_FIXTURES"):
        request.config.stash.setdefault(RESULTS, {})[path.stem] = (ok, detail)
        return
    if path.stem in misses:
        if ok:
            pytest.fail(f"{path.stem} now passes: remove it from KNOWN_MISSES (or rerun with UPDATE_FIXTURES=1)")
        pytest.xfail(f"known miss: {misses[path.stem]} ({detail})")
    assert ok, detail


def test_bless_keeps_written_reasons_and_drops_fixed_misses(tmp_path, monkeypatch):
    import bless

    monkeypatch.setattr(bless, "KNOWN", tmp_path / "KNOWN_MISSES")
    bless.KNOWN.write_text(f"{bless.HEADER}\nold-miss why it is hard\nfixed-one was hard\n", encoding="utf-8")
    bless.write_known({"old-miss": (False, "expected U1"), "fixed-one": (True, "ok"), "new-miss": (False, "expected U2, got ['U3']")})
    assert bless.known() == {"old-miss": "why it is hard", "new-miss": "expected U2, got ['U3']"}
