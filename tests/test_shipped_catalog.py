"""The shipped catalog, loaded by the real loader: complete, consistent, and diagnosable."""

from __future__ import annotations

import re

import pytest

from conftest import SHARED

UNIVERSAL = [f"U{n}" for n in range(1, 44)]


def test_shipped_catalog_has_no_errors(catalog):
    assert [str(p) for p in catalog.errors] == []


def test_all_43_universal_entries_with_three_parts(catalog):
    universal = [e for e in catalog.entries if e.platform is None]
    assert sorted(e.id for e in universal) == sorted(UNIVERSAL)
    for e in universal:
        assert e.symptom and e.root_cause and e.fix, e.id


def test_delegated_entries_are_flagged(catalog):
    assert sorted(e.id for e in catalog.entries if e.delegated) == ["U36", "U37", "U38", "U39"]


def test_every_entry_has_signals_keywords_and_checks(catalog):
    for e in catalog.entries:
        assert e.keywords, f"{e.id} has no keywords"
        assert e.signals, f"{e.id} has no signals"
        if e.platform is None:
            assert e.checks, f"{e.id} has no checks"


def test_cross_references_kept(catalog):
    get = catalog.get
    assert "U41" in get("U3").refs and "U3" in get("U41").refs
    assert "U25" in get("U7").refs
    assert "U10" in get("U9").refs


def test_pointers_are_records(catalog):
    targets = sorted(p.target for p in catalog.pointers)
    assert targets == ["references/multinode.md", "references/spot-resilience.md"]


def test_fact_names_in_signals_are_produced_by_a_parser(catalog):
    from engine.validate import validate_catalog

    assert [str(p) for p in validate_catalog(catalog)] == []


@pytest.mark.skipif(not (SHARED / "seed" / "gotchas_universal.md").exists(), reason="../shared is not here")
def test_upstream_catalog_checks_clean():
    from kb.loader import load_catalog

    cat = load_catalog(environ={"GOTCHA_CATALOG": str(SHARED / "seed" / "gotchas_universal.md")})
    assert len(cat.entries) == 43
    assert [str(p) for p in cat.errors] == []


@pytest.mark.skipif(not (SHARED / "seed" / "gotchas_universal.md").exists(), reason="../shared is not here")
def test_our_catalog_keeps_the_upstream_facts(catalog):
    """Every exact error string the upstream Symptom quotes survives in our entry of the same id."""
    from kb.loader import load_catalog

    upstream = load_catalog([str(SHARED / "seed" / "gotchas_universal.md")])
    missing = []
    for up in upstream.entries:
        ours = catalog.get(up.id)
        text = " ".join([ours.title, ours.symptom, ours.root_cause, ours.fix])
        for s in up.error_strings:
            if re.search(r"[A-Za-z]{3}", s) and s not in text:
                missing.append(f"{up.id}: {s}")
    assert missing == []
