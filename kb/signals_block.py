"""The ```signals fence of an entry: YAML, validated into typed data with file:line errors."""

from __future__ import annotations

import re

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gotcha_kb.kb import yamlio
from gotcha_kb.kb.models import Check, Problem, Signal
from gotcha_kb.kb.predicates import PredicateError, parse_predicate
from gotcha_kb.kb.redos import MAX_REGEX_CHARS, nested_quantifier

DEFAULT_WEIGHT = {"regex": 2.0, "fact": 3.0}


class _SignalSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    regex: str | None = None
    fact: list[str] = Field(default_factory=list)
    weight: float | None = None
    why: str = ""

    @field_validator("fact", mode="before")
    @classmethod
    def _one_or_many(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v


class SignalsBlock(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keywords: list[str] = Field(default_factory=list)
    profile_fields: list[str] = Field(default_factory=list)
    signals: list[_SignalSpec] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)

    @field_validator("keywords", "profile_fields", mode="before")
    @classmethod
    def _strings(cls, v: object) -> object:
        # YAML turns `- 137` or `- yes` into int/bool; keywords are words, so keep them as text.
        if isinstance(v, list):
            return [str(x).lower() if isinstance(x, bool) else str(x) for x in v]
        return v


def parse_signals_block(text: str, path: str, line: int) -> tuple[SignalsBlock | None, list[Signal], list[Problem]]:
    """Parse one fence whose first content line is `line`. Returns the block, its signals, problems."""
    problems: list[Problem] = []
    try:
        raw = yamlio.safe_load(text) or {}
    except yamlio.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = line + (mark.line if mark is not None else 0)
        problems.append(Problem(path=path, line=at, message=f"bad YAML in signals block: {getattr(e, 'problem', e)}"))
        return None, [], problems
    if not isinstance(raw, dict):
        problems.append(Problem(path=path, line=line, message="signals block must be a YAML mapping"))
        return None, [], problems
    lines = _node_lines(text)
    try:
        block = SignalsBlock.model_validate(raw)
    except ValidationError as e:
        for err in e.errors():
            where = ".".join(str(p) for p in err["loc"])
            at = line + lines.get(tuple(err["loc"][:2]), lines.get(tuple(err["loc"][:1]), 0))
            problems.append(Problem(path=path, line=at, message=f"signals block: {where}: {err['msg']}"))
        return None, [], problems
    signals: list[Signal] = []
    for n, spec in enumerate(block.signals):
        label = f"signals[{n}]"
        line_of = line + lines.get(("signals", n), 0)
        if spec.regex is None and not spec.fact:
            problems.append(Problem(path=path, line=line_of, message=f"{label} has neither regex nor fact"))
            continue
        if spec.regex is not None:
            if len(spec.regex) > MAX_REGEX_CHARS:
                problems.append(Problem(path=path, line=line_of, message=f"{label}: regex is {len(spec.regex)} characters; the limit is {MAX_REGEX_CHARS}"))
                continue
            try:
                re.compile(spec.regex)
            except re.error as e:
                problems.append(Problem(path=path, line=line_of, message=f"{label}: regex {spec.regex!r} does not compile: {e}"))
                continue
            nested = nested_quantifier(spec.regex)
            if nested:
                problems.append(Problem(path=path, line=line_of, message=f"{label}: regex {spec.regex!r} can backtrack catastrophically "
                                        f"({nested}, like (a+)+); give each repetition a required character, e.g. (\\d+\\.)+"))
                continue
        parsed = []
        for pred in spec.fact:
            try:
                parsed.append(parse_predicate(pred))
            except PredicateError as e:
                problems.append(Problem(path=path, line=line_of, message=f"{label}: {e}"))
        if len(parsed) != len(spec.fact):
            continue
        weight = spec.weight if spec.weight is not None else DEFAULT_WEIGHT["fact" if spec.fact and not spec.regex else "regex"]
        signals.append(Signal(regex=spec.regex, fact=spec.fact, weight=weight, why=spec.why, predicates=parsed))
    return block, signals, problems


def _node_lines(text: str) -> dict[tuple, int]:
    """0-based line offsets of top-level keys and of list items under them, for precise messages."""
    out: dict[tuple, int] = {}
    try:
        root = yamlio.compose(text)
    except yamlio.YAMLError:
        return out
    if not isinstance(root, yaml.MappingNode):
        return out
    for key, value in root.value:
        name = key.value
        out[(name,)] = key.start_mark.line
        if isinstance(value, yaml.SequenceNode):
            for i, item in enumerate(value.value):
                out[(name, i)] = item.start_mark.line
    return out
