"""YAML through libyaml when the wheel has it: the catalog's signal blocks are most of load time.

The pure-Python loader took about 3 of the 4 seconds a profiled catalog load spent; the C one
parses the same safe subset and reports the same marks, so errors keep their line numbers.
"""

from __future__ import annotations

from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

YAMLError = yaml.YAMLError


def safe_load(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader (C or Python), never the full one


def compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=_Loader)
