"""YAML through libyaml when the wheel has it: the catalog's signal blocks are most of load time.

The pure-Python loader took about 3 of the 4 seconds a profiled catalog load spent; the C one
parses the same safe subset and reports the same marks, so errors keep their line numbers.

Catalog YAML is data anyone can hand us (`--catalog`, $GOTCHA_CATALOG), so before building any
object the event stream is checked: no aliases (a "billion laughs" block of nine nested aliases
expands to 10^9 strings the moment anything walks it), at most MAX_NODES nodes and no scalar over
MAX_SCALAR_CHARS. A refusal is a YAMLError with a mark, so callers report it at file:line.
"""

from __future__ import annotations

from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

YAMLError = yaml.YAMLError

# The largest shipped signals block has a few hundred nodes and its longest scalar (a regex) is
# under 500 characters; these leave room for any honest catalog.
MAX_NODES = 5_000
MAX_SCALAR_CHARS = 10_000


class RefusedYAML(yaml.MarkedYAMLError):
    """Valid YAML that a catalog may not contain (an alias, too many nodes, a huge scalar)."""


def check_events(text: str) -> None:
    """Raise RefusedYAML at the first alias, or when the text exceeds the node or scalar budget."""
    nodes = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            raise RefusedYAML(problem=f"aliases (*{event.anchor}) are not allowed in catalog YAML; write the value out",
                              problem_mark=event.start_mark)
        if isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            nodes += 1
            if nodes > MAX_NODES:
                raise RefusedYAML(problem=f"more than {MAX_NODES} YAML nodes in one block", problem_mark=event.start_mark)
            if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_SCALAR_CHARS:
                raise RefusedYAML(problem=f"a value of {len(event.value)} characters; the limit is {MAX_SCALAR_CHARS}",
                                  problem_mark=event.start_mark)


def safe_load(text: str) -> Any:
    check_events(text)
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader (C or Python), never the full one


def compose(text: str) -> yaml.Node | None:
    check_events(text)
    return yaml.compose(text, Loader=_Loader)
