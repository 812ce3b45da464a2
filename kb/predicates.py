"""The tiny predicate language of `fact:` signals: `<fact> <op> <value>` or a bare fact name.

Parsed into data once at load time; the engine evaluates it. No eval() of catalog text, ever.
"""

from __future__ import annotations

import re
from typing import Literal, Union

from pydantic import BaseModel


Scalar = Union[bool, int, float, str]
Op = Literal["==", "!=", "<", "<=", ">", ">=", "in", "truthy"]

_PRED = re.compile(r"^\s*([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)\s*(?:(==|!=|<=|>=|<|>|in)\s+(\S.*?))?\s*$")


class Predicate(BaseModel):
    fact: str
    op: Op
    value: Scalar | list[Scalar] | None = None

    def __str__(self) -> str:
        return self.fact if self.op == "truthy" else f"{self.fact} {self.op} {self.value}"


class PredicateError(ValueError):
    pass


def parse_predicate(text: str) -> Predicate:
    m = _PRED.match(text)
    if not m:
        raise PredicateError(f"bad fact predicate {text!r}: want '<fact.name> <op> <value>', op one of == != < <= > >= in")
    name, op, raw = m.groups()
    if op is None:
        return Predicate(fact=name, op="truthy")
    from gotcha_kb.kb import yamlio  # yaml: only when a catalog is parsed, not on a cached start

    try:
        value = yamlio.safe_load(raw)
    except yamlio.YAMLError:
        raise PredicateError(f"bad value in fact predicate {text!r}") from None
    if op == "in":
        if not isinstance(value, list) or not all(isinstance(v, (bool, int, float, str)) for v in value):
            raise PredicateError(f"'in' needs a list like [48, 79] in {text!r}")
    elif not isinstance(value, (bool, int, float, str)):
        raise PredicateError(f"value must be a number, true/false or a string in {text!r}")
    elif op in ("<", "<=", ">", ">=") and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise PredicateError(f"{op} needs a number in {text!r}")
    return Predicate(fact=name, op=op, value=value)
