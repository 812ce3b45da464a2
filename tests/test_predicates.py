"""kb/predicates.py and engine/signals.holds: fact predicates are parsed as data and evaluated over parsed facts."""

from __future__ import annotations

import pytest

from gotcha_kb.engine.evidence import Fact
from gotcha_kb.engine.signals import holds
from gotcha_kb.kb.predicates import PredicateError, parse_predicate


@pytest.mark.parametrize(
    "pred, facts, expected",
    [
        ("df.inode_use_pct >= 95", {"df.inode_use_pct": 100}, True),
        ("df.inode_use_pct >= 95", {"df.inode_use_pct": 34}, False),
        ("df.inode_use_pct >= 95", {}, False),  # absent fact never fires
        ("dmesg.xid in [48, 79]", {"dmesg.xid": [13, 79]}, True),
        ("dmesg.xid in [48, 79]", {"dmesg.xid": [13]}, False),
        ("cgroup.oom_kill == 0", {"cgroup.oom_kill": 0}, True),
        ("gpu.throttle_thermal", {"gpu.throttle_thermal": True}, True),
        ("gpu.throttle_thermal", {"gpu.throttle_thermal": False}, False),
    ],
)
def test_fact_predicates(pred, facts, expected):
    assert holds(parse_predicate(pred), {k: Fact(k, v) for k, v in facts.items()}) is expected


@pytest.mark.parametrize("bad", ["__import__('os')", "df.use_pct >>= 3", "df.use_pct in 5", "x > 3", "df.use_pct < 'a'"])
def test_predicates_are_data_not_code(bad):
    with pytest.raises(PredicateError):
        parse_predicate(bad)
