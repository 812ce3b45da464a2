"""Profiles: typed facts, sections, survival tables; malformed profiles give exact messages."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT
from gotcha_kb.kb.loader import load_catalog

PLATFORMS = ["autodl", "china", "generic-ssh", "lambda", "local", "paperspace", "runpod", "vastai"]


def test_eight_profiles_parse_cleanly(catalog):
    assert sorted(catalog.profiles) == PLATFORMS
    for name, prof in catalog.profiles.items():
        assert [s.title for s in prof.sections][:8] == [
            "Launch", "Storage model", "Network", "Spot / interruption and resume",
            "Teardown / billing", "Daemon tool", "Top gotchas", "Script overrides",
        ], name
        assert prof.survival, name
        assert set(prof.overrides) >= {"DATA_DIR", "DURABLE_DIR", "PROXY_HOOK", "CRED_FILE", "SCRATCH", "HF_HOME", "DETACH"}, name
        assert prof.gotchas and all(g.id.startswith(prof.facts.gotcha_prefix) for g in prof.gotchas), name
        assert all(g.platform == name for g in prof.gotchas)


# --- questions users really ask, answered from the records -------------------------------------


def test_what_stops_billing_on_vastai(catalog):
    vast = catalog.profile("vast.ai")
    assert vast.facts.meter_stop_verb == "destroy"
    assert vast.facts.meter_stop_irreversible is True
    assert vast.facts.storage_still_billed_when_stopped is True  # `stop` alone keeps billing the disk


def test_stopped_autodl_instance_does_not_keep_data_for_weeks(catalog):
    ad = catalog.profile("autodl")
    assert ad.facts.meter_stop_verb == "关机"
    disk = next(r for r in ad.survival if "/root/autodl-tmp" in r.path)
    assert disk.survives_stop.startswith("yes") and disk.survives_destroy.startswith("no")
    released = catalog.get("AD10")
    assert re.search(r"\b15 days\b", released.symptom + released.root_cause + released.fix)
    fs = next(r for r in ad.survival if "/root/autodl-fs" in r.path)
    assert fs.survives_destroy.startswith("yes")


def test_lambda_has_no_stop_state(catalog):
    lam = catalog.profile("lambda")
    assert lam.facts.meter_stop_verb == "terminate"
    assert all(r.survives_stop.startswith("n/a") for r in lam.survival)


def test_runpod_checkpoints_survive_only_on_a_network_volume(catalog):
    rp = catalog.profile("runpod")
    survivors = [r for r in rp.survival if r.survives_destroy.startswith("yes")]
    assert survivors and all("network volume" in r.tier.lower() for r in survivors)
    assert rp.overrides["DURABLE_DIR"].startswith("/workspace") or "network" in rp.facts.durable_path.lower()


def test_profile_field_answers_by_cli(capsys):
    from gotcha_kb.cli.main import main

    assert main(["profile", "vastai", "--field", "meter_stop_verb"]) == 0
    assert capsys.readouterr().out.strip() == "destroy"
    assert main(["profile", "vastai", "--field", "nonsense"]) == 2


# --- malformed profiles --------------------------------------------------------------------------


def mutated(tmp_path: Path, old: str, new: str, count: int = 1) -> list[str]:
    text = (ROOT / "profiles" / "runpod.md").read_text(encoding="utf-8")
    assert old in text, old
    p = tmp_path / "runpod.md"
    p.write_text(text.replace(old, new, count), encoding="utf-8")
    cat = load_catalog([str(p), str(ROOT / "gotchas")])
    return [f"{Path(x.path).name}:{x.line}: {x.message}" for x in cat.problems]


def line_of(needle: str) -> int:
    lines = (ROOT / "profiles" / "runpod.md").read_text(encoding="utf-8").split("\n")
    return next(i for i, ln in enumerate(lines, start=1) if ln.startswith(needle))


def test_bad_yaml_in_front_matter(tmp_path):
    got = mutated(tmp_path, "spot_available: true", "spot_available: [true")
    assert len(got) == 1 and re.match(r"runpod\.md:\d+: bad YAML in front matter", got[0]), got


def test_unknown_field(tmp_path):
    n = line_of("kind:")
    got = mutated(tmp_path, "kind: ssh-rental", "kind: ssh-rental\nprice_per_hour: 2")
    assert got == [f"runpod.md:{n + 1}: unknown field 'price_per_hour'"]


def test_wrong_type(tmp_path):
    n = line_of("spot_available:")
    got = mutated(tmp_path, "spot_available: true", "spot_available: sometimes")
    assert len(got) == 1 and got[0].startswith(f"runpod.md:{n}: field 'spot_available':"), got
    assert "'sometimes'" in got[0]


def test_missing_field(tmp_path):
    got = mutated(tmp_path, "inode_cap: none\n", "")
    assert got == ["runpod.md:1: missing field 'inode_cap'"]


def test_missing_section(tmp_path):
    got = mutated(tmp_path, "## Daemon tool", "## Daemons")
    assert any(g.endswith("profile lacks section '## Daemon tool'") for g in got), got


def test_sections_out_of_order(tmp_path):
    text = (ROOT / "profiles" / "runpod.md").read_text(encoding="utf-8")
    swapped = text.replace("## Network", "## TMP").replace("## Launch", "## Network").replace("## TMP", "## Launch")
    p = tmp_path / "runpod.md"
    p.write_text(swapped, encoding="utf-8")
    got = [x.message for x in load_catalog([str(p), str(ROOT / "gotchas")]).problems]
    assert any(m.startswith("sections out of order") for m in got), got


def test_platform_must_match_file_name(tmp_path):
    got = mutated(tmp_path, "platform: runpod", "platform: run-pod")
    assert got == [f"runpod.md:{line_of('platform:')}: platform 'run-pod' must equal the file name 'runpod'"]


def test_profile_naming_a_missing_universal_id(tmp_path):
    got = mutated(tmp_path, "## Network\n", "## Network\n\nSee U99 for details.\n")
    assert any(g.endswith("profile 'runpod' refers to U99, which does not exist") for g in got), got


def test_entry_field_dependencies_exist_in_every_profile(catalog):
    from gotcha_kb.kb.profile_model import ProfileFacts

    for e in catalog.entries:
        for f in e.profile_fields:
            assert f in ProfileFacts.model_fields, (e.id, f)
            for prof in catalog.profiles.values():
                assert str(getattr(prof.facts, f)).strip(), (prof.name, f)


def test_hints_shorter_than_four_characters_are_rejected(tmp_path):
    got = mutated(tmp_path, 'hints: ["runpodctl"', 'hints: ["rp", "runpodctl"')
    assert len(got) == 1 and "field 'hints'" in got[0] and "'rp'" in got[0], got


def test_a_hint_two_profiles_share_is_an_error(tmp_path):
    text = (ROOT / "profiles" / "runpod.md").read_text(encoding="utf-8").replace('hints: ["runpodctl"', 'hints: ["vastai", "runpodctl"')
    (tmp_path / "runpod.md").write_text(text, encoding="utf-8")
    (tmp_path / "vastai.md").write_text((ROOT / "profiles" / "vastai.md").read_text(encoding="utf-8"), encoding="utf-8")
    got = [x.message for x in load_catalog([str(tmp_path), str(ROOT / "gotchas")]).problems]
    assert any("hint 'vastai' is also a hint of profile" in m for m in got), got


def test_a_hint_inside_another_profiles_name_or_hint_is_an_error(tmp_path):
    # "vast.ai" is vast.ai's display name; a RunPod hint "vast" would match inside it.
    text = (ROOT / "profiles" / "runpod.md").read_text(encoding="utf-8").replace('hints: ["runpodctl"', 'hints: ["vast", "runpodctl"')
    (tmp_path / "runpod.md").write_text(text, encoding="utf-8")
    (tmp_path / "vastai.md").write_text((ROOT / "profiles" / "vastai.md").read_text(encoding="utf-8"), encoding="utf-8")
    got = [x.message for x in load_catalog([str(tmp_path), str(ROOT / "gotchas")]).problems]
    assert any("hint 'vast' occurs inside" in m and "of profile 'vastai'" in m for m in got), got
