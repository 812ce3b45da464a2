"""The on-disk caches of the parsed catalog and the built engine: same answers, rebuilt when stale or broken."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from gotcha_kb.engine.cases import load_cases
from gotcha_kb.engine.snapshot import load_engine
from gotcha_kb.kb import diskcache
from gotcha_kb.kb.catalog_cache import load_catalog_cached
from gotcha_kb.kb.loader import load_catalog

ROOT = Path(__file__).resolve().parent.parent


def _files(kind: str) -> list[str]:
    d = diskcache.cache_dir()
    return sorted(n for n in os.listdir(d) if n.startswith(f"{kind}-")) if os.path.isdir(d) else []


@pytest.fixture()
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "gotcha-kb"


TINY = """## Disk

### U1 — The disk is full of inodes

**Symptom** No space left on device while df -h shows room.

**Root cause** Millions of small files used every inode.

**Fix** Pack them into shards.

```signals
keywords: [inode, "df -i"]
signals:
  - regex: '(?i)no space left on device'
    weight: 2
```

### U2 — A worker was killed for memory

**Symptom** The job dies with a bare Killed.

**Root cause** The kernel's OOM killer picked the DataLoader worker.

**Fix** Fewer workers.

```signals
signals:
  - regex: '(?i)out of memory: killed process'
    weight: 2
```
"""
TINY_CASES = [
    {"id": "t1", "input": "OSError: [Errno 28] No space left on device", "expect": ["U1"]},
    {"id": "t2", "input": "Out of memory: Killed process 4242 (python)", "expect": ["U2"]},
    {"id": "t3", "input": "ModuleNotFoundError: No module named 'foo'", "expect": []},
]


@pytest.fixture()
def tiny(tmp_path) -> tuple[list[str], str]:
    """A two-entry catalog and three cases: rebuilding it takes milliseconds, not a second."""
    import json

    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "g.md").write_text(TINY, encoding="utf-8")
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(c) + "\n" for c in TINY_CASES), encoding="utf-8")
    return [str(tmp_path / "tiny")], str(cases)


def _poison(kind: str, value) -> None:
    (name,) = _files(kind)
    payload = marshal.dumps(value)
    with open(os.path.join(diskcache.cache_dir(), name), "wb") as fh:
        fh.write(zlib.crc32(payload).to_bytes(4, "little") + payload)


def _cached_snapshot() -> dict:
    (name,) = _files("engine")
    return marshal.loads(open(os.path.join(diskcache.cache_dir(), name), "rb").read()[4:])


def test_a_restored_engine_answers_exactly_like_a_built_one(fresh_cache):
    assert not _files("engine")
    built = load_engine()  # an empty cache: built from the sources, and both caches written
    assert _files("engine") and _files("catalog")
    import gotcha_kb.engine.diagnose as diagnose_module

    def no_building(*a, **k):
        raise AssertionError("built, not restored")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(diagnose_module, "build_tables", no_building)
        restored = load_engine()  # it really comes from the cache
    assert restored.cases == built.cases  # texts included: evals and leave-one-out read them
    sample = load_cases().cases[::80]
    assert len(sample) > 20
    for case in sample:
        a = built.diagnose(case.input, platform=case.platform).model_dump()
        b = restored.diagnose(case.input, platform=case.platform).model_dump()
        assert a == b, case.id


def test_a_restored_catalog_equals_a_parsed_one(fresh_cache):
    parsed = load_catalog()
    load_catalog_cached()
    assert _files("catalog")
    assert load_catalog_cached() == parsed


@pytest.mark.parametrize(
    "poison",
    [
        {"version": 1},
        {"version": 1, "cases": [], "tables": {}},
        {"version": 1, "cases": [("x",)], "tables": {}},
        "not a dict",
        None,
    ],
    ids=["only a version", "empty tables", "a case of the wrong shape", "a string", "none"],
)
def test_a_malformed_engine_cache_is_rebuilt(fresh_cache, tiny, poison):
    load_engine(*tiny)
    _poison("engine", poison)
    eng = load_engine(*tiny)
    assert _cached_snapshot()["cases"][0][0] == "t1"  # built again and written over the poison
    assert eng.analyze("[ 9.1] Out of memory: Killed process 4242 (python)").ranking[0][0] == "U2"


def test_postings_of_the_wrong_length_are_rebuilt_not_a_crash_later(fresh_cache, tiny):
    load_engine(*tiny)
    (name,) = _files("engine")
    path = os.path.join(diskcache.cache_dir(), name)
    raw = open(path, "rb").read()
    data = marshal.loads(raw[4:])
    word = next(iter(data["tables"]["case_index"]["postings"]))
    ids, ws = data["tables"]["case_index"]["postings"][word]
    data["tables"]["case_index"]["postings"][word] = (ids + b"\0", ws)
    _poison("engine", data)
    eng = load_engine(*tiny)
    ids, ws = eng.case_index.postings[word]
    assert len(ws) == 2 * len(ids)  # rebuilt, not restored
    assert eng.analyze("OSError: [Errno 28] No space left on device").ranking[0][0] == "U1"


def test_a_damaged_file_fails_its_checksum(fresh_cache, tiny):
    load_catalog_cached(tiny[0])
    (name,) = _files("catalog")
    path = os.path.join(diskcache.cache_dir(), name)
    raw = bytearray(open(path, "rb").read())
    raw[len(raw) // 2] ^= 0xFF
    open(path, "wb").write(bytes(raw))
    assert diskcache.read("catalog", name[len("catalog-"):-len(".marshal")]) is None
    assert load_catalog_cached(tiny[0]).get("U1") is not None


def test_an_edited_catalog_is_read_again_and_cached_anew(fresh_cache, tiny):
    load_engine(*tiny)
    before = (_files("catalog"), _files("engine"))
    target = Path(tiny[0][0]) / "g.md"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("### U1 — ", "### U1 — Zebra crossing: ", 1), encoding="utf-8")
    os.utime(target, ns=(1, 1))  # a new mtime even on a coarse clock
    eng = load_engine(*tiny)
    assert eng.by_id["U1"].title.startswith("Zebra crossing")
    after = (_files("catalog"), _files("engine"))
    assert len(after[0]) == len(after[1]) == 2 and set(before[0]) < set(after[0]) and set(before[1]) < set(after[1])


def test_catalogs_used_in_turn_keep_their_caches_and_the_least_recent_goes(fresh_cache, tmp_path):
    """Four catalogs used in turn stay cached; a fifth evicts the one used longest ago."""
    import json

    dirs = []
    for n in range(diskcache.KEEP_PER_KIND + 1):
        d = tmp_path / f"cat{n}"
        d.mkdir()
        (d / "g.md").write_text(TINY.replace("The disk is full", f"The disk number {n} is full"), encoding="utf-8")
        dirs.append([str(d)])
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(c) + "\n" for c in TINY_CASES), encoding="utf-8")
    for d in dirs[:-1]:
        load_engine(d, str(cases))
    first = _files("engine")
    assert len(first) == diskcache.KEEP_PER_KIND
    load_engine(dirs[1], str(cases))  # used again: now the first catalog is the least recent
    load_engine(dirs[-1], str(cases))
    left = _files("engine")
    assert len(left) == diskcache.KEEP_PER_KIND and len(set(first) - set(left)) == 1


def test_concurrent_first_runs_agree_and_leave_one_file_per_kind(fresh_cache, tmp_path, tiny):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "gotcha_kb.cli", "--catalog", tiny[0][0], "diagnose", "--json", "[ 9.1] Out of memory: Killed process 4242 (python)"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode in (0, 1) for p in procs), [e for _, e in outs]  # 1: abstained, a valid answer
    assert len({o for o, _ in outs}) == 1 and json.loads(outs[0][0])["input_lines"] == 1
    names = os.listdir(fresh_cache)
    assert sorted(n.split("-")[0] for n in names) == ["catalog", "engine"], names
