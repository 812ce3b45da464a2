"""diagnose_symptom's text content: a few lines an agent (or a person reading the transcript) can
act on, next to the structured result (engine/brief.py decides what that keeps), not a JSON dump of it."""

from __future__ import annotations

from gotcha_kb.engine.brief import MAX_CHECKS
from gotcha_kb.engine.models import Diagnosis, Match


def summary(d: Diagnosis) -> str:
    if d.abstained:
        lines = [f"No confident match: {d.reason}."]
        if d.next_checks:
            lines.append("Run on the box and call again with the output: " + "; ".join(c.run for c in d.next_checks[:MAX_CHECKS]))
        else:
            lines.append("Run probe_script's script on the box and call again with its output.")
        return "\n".join(lines)
    top = d.matches[0]
    lines = [f"{top.id} ({top.confidence:.2f}): {_where(top)}{top.title}"]
    for m in d.matches[1:]:
        lines.append(f"alternative {m.id} ({m.confidence:.2f}): {_where(m)}{m.title}")
    if d.next_checks:
        lead = "To tell them apart, run: " if len(d.matches) > 1 else "To confirm, run: "
        lines.append(lead + "; ".join(c.run for c in d.next_checks[:MAX_CHECKS]))
    lines.append(f"Evidence and fix: structured result; full entry: get_gotcha {top.id}.")
    return "\n".join(lines)


def _where(m: Match) -> str:
    """A platform's own gotcha says whose it is: advice for RunPod is no answer on a home box."""
    return f"[{m.platform}] " if m.platform else ""
