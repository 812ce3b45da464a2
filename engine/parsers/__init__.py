"""Command-output parsers, discovered by module: each has NAME, FACTS, sniff(seg), parse(seg).

Adding a parser is adding a module here plus its fixtures under tests/fixtures/parsers/<name>/.
A parser that raises is skipped for that input (logged in `Parsed.parsers` as `name!`): one broken
parser must not take the diagnosis down.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from types import ModuleType

from gotcha_kb.engine.evidence import Fact, Line, Parsed
from gotcha_kb.engine.segment import probe_marker, split


@lru_cache(maxsize=1)
def parsers() -> tuple[ModuleType, ...]:
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        if all(hasattr(mod, a) for a in ("NAME", "FACTS", "sniff", "parse")):
            found.append(mod)
    return tuple(found)


def known_facts() -> dict[str, str]:
    out: dict[str, str] = {}
    for mod in parsers():
        out.update(mod.FACTS)
    from gotcha_kb.engine.derive import FACTS as DERIVED

    out.update(DERIVED)
    return out


def parse_all(lines: list[Line]) -> Parsed:
    from gotcha_kb.engine.derive import derive

    parsed = Parsed(lines=lines, segments=split(lines))
    for seg in parsed.segments:
        for mod in parsers():
            if seg.section and seg.section.split(".")[0] not in getattr(mod, "SECTIONS", (mod.NAME,)):
                continue  # a probe section names its parser: don't let others guess
            try:
                if not seg.section and not mod.sniff(seg):
                    continue
                reading = mod.parse(seg)
            except Exception:  # noqa: BLE001 - isolate a broken parser, keep the rest
                parsed.parsers.append(f"{mod.NAME}!")
                continue
            if reading.facts or reading.claimed:
                parsed.parsers.append(mod.NAME)
            for fact in reading.facts:
                parsed.add(fact, combine="sum" if fact.name in getattr(mod, "SUMMED", ()) else "max")
            parsed.claimed |= reading.claimed
    for fact in derive(parsed.facts):
        parsed.add(fact)
    parsed.probe_noise = {ln.no for seg in parsed.segments if seg.section for ln in seg.lines if ln.no not in parsed.claimed}
    parsed.probe_noise |= {ln.no for ln in lines if probe_marker(ln.text)}
    return parsed


__all__ = ["Fact", "parse_all", "parsers", "known_facts"]
