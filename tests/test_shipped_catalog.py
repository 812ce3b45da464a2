"""The shipped catalog, loaded by the real loader: complete, consistent, and diagnosable."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, SHARED



def test_shipped_catalog_has_no_errors(catalog):
    assert [str(p) for p in catalog.errors] == []


def test_universal_ids_are_unique_and_numbered_without_gaps(catalog):
    """U1..Un with no hole and no repeat, whatever n is today: adding U44+ needs no edit here."""
    numbers = [int(e.id[1:]) for e in catalog.entries if e.platform is None]
    assert all(e.id.startswith("U") for e in catalog.entries if e.platform is None)
    assert len(numbers) == len(set(numbers))
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert len(numbers) >= 43  # the upstream U1..U43 are all still here


def test_every_entry_has_three_parts(catalog):
    for e in catalog.entries:
        assert e.symptom and e.root_cause and e.fix, e.id


def test_every_universal_fix_holds_something_to_do(catalog):
    """A Fix the user can act on names a command, a setting or a code snippet, not only prose."""
    for e in catalog.entries:
        if e.platform is None:
            assert "`" in e.fix, f"{e.id}'s Fix has no command, setting or code"


def test_former_pointer_only_entries_have_real_fixes(catalog):
    musts = {"U36": "use_deterministic_algorithms", "U37": "size=min(", "U38": "num_workers", "U39": "ssh -N -L"}
    for eid, must in musts.items():
        assert must in catalog.get(eid).fix, eid


def test_shipped_text_points_at_no_outside_document():
    """Grep every Markdown file under gotchas/ and profiles/ (READMEs too) with the check's own patterns."""
    from gotcha_kb.kb.references import outside_references

    files = sorted((ROOT / "gotchas").glob("*.md")) + sorted((ROOT / "profiles").glob("*.md"))
    assert len(files) > 10
    found = [str(p) for f in files for p in outside_references(str(f.relative_to(ROOT)), f.read_text(encoding="utf-8"))]
    assert found == []


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


def test_fact_names_in_signals_are_produced_by_a_parser(catalog):
    # `gotcha check` reports these too (engine/validate.py), after its slower regex timing.
    from gotcha_kb.engine.parsers import known_facts

    known = known_facts()
    assert [(e.id, p.fact) for e in catalog.entries for s in e.signals for p in s.predicates if p.fact not in known] == []


@pytest.mark.skipif(not (SHARED / "seed" / "gotchas_universal.md").exists(), reason="../shared is not here")
def test_upstream_catalog_loads_and_its_outside_pointers_are_caught():
    """The seed parses into all 43 entries; what check rejects there is exactly what we rewrote:
    pointer-only entries with no Symptom/Root cause/Fix, and references to documents we do not ship."""
    from gotcha_kb.kb.loader import load_catalog

    cat = load_catalog(environ={"GOTCHA_CATALOG": str(SHARED / "seed" / "gotchas_universal.md")})
    assert len(cat.entries) == 43
    kinds = {"missing label" if " has no **" in p.message else "outside" if p.message.startswith("refers to ") else p.message for p in cat.errors}
    assert kinds == {"missing label", "outside"}
    texts = " ".join(p.message for p in cat.errors)
    for pointer in ("principle #3", "Phase 0", "REQUIRED", "references/monitoring_patterns.md"):
        assert pointer in texts, pointer


@pytest.mark.skipif(not (SHARED / "seed" / "gotchas_universal.md").exists(), reason="../shared is not here")
def test_our_catalog_keeps_the_upstream_facts(catalog):
    """Every exact error string the upstream Symptom quotes survives in our entry of the same id."""
    from gotcha_kb.kb.loader import load_catalog

    upstream = load_catalog([str(SHARED / "seed" / "gotchas_universal.md")])
    missing = []
    for up in upstream.entries:
        ours = catalog.get(up.id)
        text = " ".join([ours.title, ours.symptom, ours.root_cause, ours.fix])
        for s in up.error_strings:
            if re.search(r"[A-Za-z]{3}", s) and s not in text:
                missing.append(f"{up.id}: {s}")
    assert missing == []
