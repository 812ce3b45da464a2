"""A diagnosis sized for a reader: which candidates are worth showing, and the compact form an
agent's context can afford. Both faces read these numbers, so the CLI's text and the MCP answer
hide the same candidates.

The compact form keeps no near-zero candidates unless asked, caps evidence, gives the full fix for
the best match only (`get_gotcha ID` has any other), its commands once (inside the fix, not again
beside it), and `source` relative to the catalog instead of the install path.
"""

from __future__ import annotations

from collections.abc import Sequence

from gotcha_kb.engine.models import Diagnosis, EvidenceItem, Match
from gotcha_kb.kb.paths import relative_source

# Candidates this unlikely are noise to a reader: hidden unless asked for (the CLI's --all, the
# MCP tool's include_faint); the CLI's --json keeps them all. The best match is always shown.
FAINT = 0.05
MAX_EVIDENCE = 3  # for the best match
ALT_EVIDENCE = 1  # an alternative keeps its strongest item: why it is listed, not the whole case
MAX_LINE = 120  # characters of a matched input line
MAX_CHECKS = 3  # next checks an agent gets: the ones that split the top candidates


def shown(matches: Sequence[Match], include_faint: bool = False) -> list[Match]:
    """The matches a reader sees: the best one, then those at least FAINT likely."""
    return [m for k, m in enumerate(matches) if include_faint or k == 0 or m.confidence >= FAINT]


def _evidence(ev: EvidenceItem) -> EvidenceItem:
    if ev.text and len(ev.text) > MAX_LINE:
        return ev.model_copy(update={"text": ev.text[: MAX_LINE - 1] + "…"})
    return ev


def compact(d: Diagnosis, roots: list[str], include_faint: bool = False) -> Diagnosis:
    """The diagnosis for an agent's context; `roots` are the catalog sources paths are made relative to."""
    kept: list[Match] = []
    for k, m in enumerate(shown(d.matches, include_faint)):
        cap = MAX_EVIDENCE if not k else ALT_EVIDENCE
        update = {"source": relative_source(m.source, roots), "evidence": [_evidence(e) for e in m.evidence[:cap]]}
        if k:
            update |= {"fix": "", "commands": []}
        else:  # the fix's fenced blocks are its commands: an agent reads them there, not twice
            update["commands"] = [c for c in m.commands if c not in m.fix]
        kept.append(m.model_copy(update=update))
    return d.model_copy(update={"matches": kept, "next_checks": d.next_checks[:MAX_CHECKS]})
