"""The bless step for diagnose fixtures (UPDATE_FIXTURES=1): results gathered per test, written once
at the end of the session by conftest's pytest_sessionfinish, whatever order the tests ran in."""

from __future__ import annotations

from pathlib import Path

import pytest

KNOWN = Path(__file__).resolve().parent / "fixtures" / "diagnose" / "KNOWN_MISSES"
RESULTS = pytest.StashKey[dict[str, tuple[bool, str]]]()
HEADER = "# fixtures the engine gets wrong today: <stem> <reason>. Regenerate: UPDATE_FIXTURES=1 pytest tests/test_diagnose_fixtures.py"


def known() -> dict[str, str]:
    if not KNOWN.exists():
        return {}
    out = {}
    for line in KNOWN.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            stem, _, reason = line.partition(" ")
            out[stem] = reason.strip()
    return out


def write_known(results: dict[str, tuple[bool, str]]) -> None:
    """Rewrite KNOWN_MISSES from this run's results, keeping the reasons already written."""
    old = known()
    lines = [HEADER] + [f"{stem} {old.get(stem, detail)}" for stem, (ok, detail) in sorted(results.items()) if not ok]
    KNOWN.write_text("\n".join(lines) + "\n", encoding="utf-8")
