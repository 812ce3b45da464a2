"""diagnose_symptom's answer sized for an agent's context: a short text summary next to the
structured result (not a JSON dump of it), no near-zero candidates unless asked, evidence capped,
the full fix for the best match only (get_gotcha ID has any other), its commands once (inside the
fix, not again beside it), and `source` relative to the catalog instead of the server's install
path."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from gotcha_kb.engine.models import Diagnosis, EvidenceItem, Match

FAINT = 0.05  # candidates under this are left out unless include_faint
MAX_EVIDENCE = 3  # for the best match
ALT_EVIDENCE = 1  # an alternative keeps its strongest item: why it is listed, not the whole case
MAX_LINE = 120  # characters of a matched input line


def relative_source(source: str, roots: list[str]) -> str:
    """`/.../site-packages/kb/data/gotchas/02-disk-storage.md:61` -> `gotchas/02-disk-storage.md:61`."""
    path, sep, line = source.rpartition(":")
    if not sep or not line.isdigit():
        path, line = source, ""
    rel = _relative_path(path, tuple(roots))
    return f"{rel}:{line}" if line else rel


@lru_cache(maxsize=4096)
def _relative_path(path: str, roots: tuple[str, ...]) -> str:
    # Resolving paths (realpath) was 4% of a diagnose call; a server sees the same few files.
    p = Path(path)
    for root in roots:
        base = Path(root).parent  # gotchas/ -> the catalog root; a single file -> its folder
        try:
            return p.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return p.name


def _evidence(ev: EvidenceItem) -> EvidenceItem:
    if ev.text and len(ev.text) > MAX_LINE:
        return ev.model_copy(update={"text": ev.text[: MAX_LINE - 1] + "…"})
    return ev


def compact(d: Diagnosis, roots: list[str], include_faint: bool = False) -> Diagnosis:
    kept: list[Match] = []
    for k, m in enumerate(d.matches):
        if k and m.confidence < FAINT and not include_faint:
            continue
        cap = MAX_EVIDENCE if not k else ALT_EVIDENCE
        update = {"source": relative_source(m.source, roots), "evidence": [_evidence(e) for e in m.evidence[:cap]]}
        if k:
            update |= {"fix": "", "commands": []}
        else:  # the fix's fenced blocks are its commands: an agent reads them there, not twice
            update["commands"] = [c for c in m.commands if c not in m.fix]
        kept.append(m.model_copy(update=update))
    return d.model_copy(update={"matches": kept, "next_checks": d.next_checks[:3]})


def summary(d: Diagnosis) -> str:
    """A few lines an agent (or a person reading the transcript) can act on."""
    if d.abstained:
        lines = [f"No confident match: {d.reason}."]
        if d.next_checks:
            lines.append("Run on the box and call again with the output: " + "; ".join(c.run for c in d.next_checks[:3]))
        else:
            lines.append("Run probe_script's script on the box and call again with its output.")
        return "\n".join(lines)
    top = d.matches[0]
    lines = [f"{top.id} ({top.confidence:.2f}): {_where(top)}{top.title}"]
    for m in d.matches[1:]:
        lines.append(f"alternative {m.id} ({m.confidence:.2f}): {_where(m)}{m.title}")
    if d.next_checks:
        lines.append("To tell them apart, run: " + "; ".join(c.run for c in d.next_checks[:3]))
    lines.append(f"Evidence and fix: structured result; full entry: get_gotcha {top.id}.")
    return "\n".join(lines)


def _where(m: Match) -> str:
    """A platform's own gotcha says whose it is: advice for RunPod is no answer on a home box."""
    return f"[{m.platform}] " if m.platform else ""
