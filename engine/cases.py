"""Labeled cases (evals/cases.jsonl): the eval set, and examples the matcher learns from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from gotcha_kb.kb.models import Problem


@dataclass(frozen=True)
class Case:
    id: str
    input: str
    expect: tuple[str, ...]
    also_ok: tuple[str, ...] = ()
    platform: str | None = None
    kind: str = "prose"
    note: str = ""
    line: int = 0


@dataclass
class CaseFile:
    cases: list[Case] = field(default_factory=list)  # diagnosis cases (have `input`)
    structural: list[dict] = field(default_factory=list)  # upstream-style prompt/expect_files cases
    problems: list[Problem] = field(default_factory=list)


def default_cases_path() -> Path:
    return Path(__file__).resolve().parent.parent / "evals" / "cases.jsonl"


def load_cases(path: Path | None = None) -> CaseFile:
    path = path or default_cases_path()
    out = CaseFile()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        out.problems.append(Problem(path=str(path), line=0, message=f"cannot read cases: {e}"))
        return out
    seen: set[str] = set()
    for n, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            out.problems.append(Problem(path=str(path), line=n, message=f"bad JSON: {e.msg}"))
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            out.problems.append(Problem(path=str(path), line=n, message="a case is an object with a string 'id'"))
            continue
        if obj["id"] in seen:
            out.problems.append(Problem(path=str(path), line=n, message=f"duplicate case id {obj['id']!r}"))
            continue
        seen.add(obj["id"])
        if "input" not in obj and isinstance(obj.get("text"), str):
            obj["input"] = obj["text"]  # the real-world set's name for the paste
        if "input" not in obj:
            if "prompt" in obj:
                out.structural.append({**obj, "_line": n})
            else:
                out.problems.append(Problem(path=str(path), line=n, message=f"case {obj['id']!r} has neither 'input' (or 'text') nor 'prompt'"))
            continue
        expect = obj.get("expect", [])
        if not isinstance(obj["input"], str) or not isinstance(expect, list):
            out.problems.append(Problem(path=str(path), line=n, message=f"case {obj['id']!r}: 'input' must be a string and 'expect' a list"))
            continue
        out.cases.append(
            Case(
                id=obj["id"],
                input=obj["input"],
                expect=tuple(expect),
                also_ok=tuple(obj.get("also_ok", [])),
                platform=obj.get("platform"),
                kind=obj.get("kind", "prose"),
                note=obj.get("note", ""),
                line=n,
            )
        )
    return out
