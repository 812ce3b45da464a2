"""Lookup ranking on the shipped catalog: what people type -> the entry they need, first."""

from __future__ import annotations

import pytest

from gotcha_kb.kb.index import build_index
from gotcha_kb.kb.search import SearchIndex


@pytest.fixture(scope="module")
def index(catalog):
    return SearchIndex(build_index(catalog))


def top(index, query, platform=None, n=1):
    return [m["id"] for m in index.search(query, platform=platform, limit=max(n, 8))][:n]


@pytest.mark.parametrize(
    "query, first",
    [
        ("U7", "U7"),
        ("u7", "U7"),
        ("inode", "U7"),
        ("inodes exausted", "U7"),
        ("oom", "U9"),
        ("crlf", "U26"),
        ("egress", "U14"),
        ("xid", "U22"),
        ("zombie", "U11"),
        ("exit 137", "U9"),
        ("exit 255", "U1"),
        ("CUDA out of memory", "U10"),
        ("no kernel image", "U28"),
        ("throttle", "U23"),
        ("lockfile", "U29"),
        ("PYTHONUNBUFFERED", "U43"),
        ("noisy neighbour load average", "U41"),
        ("dest open Failure", "U13"),
        ("webdataset shard", "U25"),
        ("OMP_NUM_THREADS", "U40"),
        ("tensorbord inactive", "U39"),
        ("sha256 digest docker", "U30"),
    ],
)
def test_query_ranks_the_right_entry_first(index, query, first):
    assert top(index, query) == [first]


def test_inode_also_shows_the_small_files_entry(index):
    ids = top(index, "inode", n=5)
    assert ids[0] == "U7" and "U25" in ids


def test_stdin_finds_both_stdin_traps(index):
    assert set(top(index, "stdin", n=2)) == {"U17", "U34"}


def test_platform_ranks_its_own_gotchas_and_hides_others(index):
    ids = top(index, "inode", platform="autodl", n=5)
    assert "AD4" in ids[:3]
    assert all(not i.startswith(("RP", "VAST", "LAM", "PS", "GEN", "LOC", "CN")) for i in ids)


def test_platform_values_ride_along_with_universal_entries(index):
    m = next(m for m in index.search("inode", platform="autodl") if m["id"] == "U7")
    assert m["profile_values"] == {"inode_cap": "~200K"}
    m = next(m for m in index.search("tensorboard panel empty", platform="autodl") if m["id"] == "U39")
    assert m["profile_values"]["tb_logdir"] == "/root/tf-logs"


def test_nonsense_finds_nothing(index):
    assert index.search("qwxz blorft") == []
    assert index.search("   ") == []


def test_results_match_the_shared_result_model(index):
    from gotcha_kb.kb.results import LookupMatch

    for m in index.search("oom"):
        assert LookupMatch.model_validate(m).model_dump() == m


def test_a_short_keyword_inside_a_longer_query_is_not_a_whole_phrase_hit():
    from gotcha_kb.kb.search import _best_partial

    assert _best_partial("ssh disconnect", ["ssh"]) < 90  # the query is not inside 'ssh'
    assert _best_partial("no space left", ["no space left on device"]) == 100  # it is inside this one
    assert _best_partial("inodes exausted", ["inodes exhausted"]) >= 90  # a typo still finds it
