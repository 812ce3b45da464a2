"""Run the labeled cases through the same engine the CLI and MCP server use; measure accuracy.

The shipped cases are also examples the matcher learns from, so each of them is diagnosed
leave-one-out (`exclude_case`): a case never sees itself. Other case files (the real-world set) are
scored against the shipped examples and are never examples themselves.
"""

from __future__ import annotations

import datetime as _dt
import subprocess
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gotcha_kb.engine.cases import Case
from gotcha_kb.engine.diagnose import Engine
from gotcha_kb.kb.catalog import Catalog

ROOT = Path(__file__).resolve().parent.parent


def accepted_ids(case: Case, engine: Engine, platform: str | None) -> frozenset[str]:
    """What counts as a right answer: `expect` and `also_ok`, plus a platform's own gotcha that
    refines one of them when the paste's platform is known (given or named in the text).

    Without platform context a platform gotcha stays a miss: a user on a home box told to read
    Paperspace's template advice has been given the wrong answer.
    """
    ok = set(case.expect) | set(case.also_ok)
    if platform is not None and ok:
        ok |= {e.id for e in engine.entries if e.platform == platform and ok & set(e.refs)}
    elif platform is None:
        # ...and the reverse: with no platform in sight, the universal entry a platform gotcha
        # refines is what the engine should answer (scoring.rank holds the gotcha under it).
        ok |= {r for x in list(ok) if (e := engine.by_id.get(x)) is not None and e.platform for r in e.refs}
    return frozenset(ok)


def held_out(case: Case, engine: Engine) -> str | None:
    """The example to leave out while scoring `case`: itself, when the engine learned from it."""
    own = engine.case_by_id.get(case.id)
    return case.id if own is not None and own.input == case.input else None


@dataclass
class CaseResult:
    case: Case
    accepted: frozenset[str]
    returned: list[str]
    confidences: list[float]
    shortlist: float  # the gate's confidence that the answer is among the first few
    abstained: bool
    raw_ids: list[str]  # the ranking before the abstain decision

    @property
    def rank_raw(self) -> int | None:
        return next((i for i, r in enumerate(self.raw_ids, start=1) if r in self.accepted), None)

    @property
    def ok_ids(self) -> frozenset[str]:
        return self.accepted

    @property
    def rank(self) -> int | None:
        for i, r in enumerate(self.returned, start=1):
            if r in self.ok_ids:
                return i
        return None

    @property
    def passed(self) -> bool:
        if not self.case.expect:
            return self.abstained
        return not self.abstained and self.rank == 1


def run_cases(engine: Engine, cases: list[Case], progress: Callable[[int, int], None] | None = None) -> list[CaseResult]:
    """Every case, leave-one-out; `progress(done, total)` is called as they finish (for a TTY)."""
    out = []
    for n, case in enumerate(cases, start=1):
        if progress is not None:
            progress(n, len(cases))
        analysis = engine.analyze(case.input, platform=case.platform, exclude_case=held_out(case, engine))
        d = engine.answer(analysis, top_k=5)
        raw = analysis.ranking
        out.append(
            CaseResult(
                case=case,
                accepted=accepted_ids(case, engine, analysis.platform),
                returned=[m.id for m in d.matches],
                confidences=[m.confidence for m in d.matches],
                shortlist=d.shortlist_confidence,
                abstained=d.abstained,
                raw_ids=[i for i, _ in raw[:5]],
            )
        )
    return out


def catalog_root() -> Path:
    """The folder holding gotchas/ and profiles/: the source tree, or kb/data in an installed wheel."""
    from gotcha_kb.kb.paths import shipped_sources

    found = shipped_sources()
    return Path(found[0]).parent if found else ROOT


def structural(catalog: Catalog, cases: list[dict], root: Path | None = None) -> list[dict[str, Any]]:
    """Upstream-style cases: the files exist, the ids are headings there, the keywords appear."""
    root = root or catalog_root()
    results = []
    for c in cases:
        problems = []
        for rel in c.get("expect_files", []):
            path = (root / rel).resolve()
            if root.resolve() not in path.parents or not path.is_file():
                problems.append(f"missing file {rel}")
                continue
            text = path.read_text(encoding="utf-8")
            for eid in c.get("expect_ids", []):
                entry = catalog.get(eid)
                if entry is None or Path(entry.source.path).resolve() != path:
                    problems.append(f"{eid} is not a heading in {rel}")
            for kw in c.get("expect_grep", []):
                if kw.lower() not in text.lower():
                    problems.append(f"{kw!r} not in {rel}")
        results.append({"id": c["id"], "passed": not problems, "problems": problems})
    return results


def summarize(results: list[CaseResult], struct: list[dict[str, Any]]) -> dict[str, Any]:
    pos = [r for r in results if r.case.expect]
    neg = [r for r in results if not r.case.expect]
    top1 = sum(1 for r in pos if not r.abstained and r.rank == 1)
    top3 = sum(1 for r in pos if not r.abstained and r.rank is not None and r.rank <= 3)
    # The ranking alone, as if the engine never abstained: how much abstention costs.
    ranked1 = sum(1 for r in pos if r.rank_raw == 1)
    ranked3 = sum(1 for r in pos if r.rank_raw is not None and r.rank_raw <= 3)
    mrr = sum(1.0 / r.rank for r in pos if not r.abstained and r.rank) / max(1, len(pos))
    per_entry: dict[str, dict[str, Any]] = {}
    by_entry: dict[str, list[CaseResult]] = defaultdict(list)
    for r in pos:
        by_entry[r.case.expect[0]].append(r)
    for eid, rs in sorted(by_entry.items(), key=lambda kv: (kv[0][0] != "U", kv[0])):
        hits = sum(1 for r in rs if r.passed)
        per_entry[eid] = {"cases": len(rs), "top1": hits, "recall": round(hits / len(rs), 3)}
    confusions = Counter()
    for r in pos:
        if not r.passed:
            got = "(abstained)" if r.abstained else (r.returned[0] if r.returned else "(none)")
            confusions[(r.case.expect[0], got)] += 1
    for r in neg:
        if not r.abstained:
            confusions[("(none)", r.returned[0])] += 1
    return {
        "totals": {
            "cases": len(results),
            "positives": len(pos),
            "negatives": len(neg),
            "top1": round(top1 / max(1, len(pos)), 4),
            "top3": round(top3 / max(1, len(pos)), 4),
            "mrr": round(mrr, 4),
            "abstain": round(sum(1 for r in neg if r.abstained) / max(1, len(neg)), 4),
            "false_abstain": round(sum(1 for r in pos if r.abstained) / max(1, len(pos)), 4),
            "ranked_top1": round(ranked1 / max(1, len(pos)), 4),
            "ranked_top3": round(ranked3 / max(1, len(pos)), 4),
            "structural": len(struct),
            "structural_passed": sum(1 for s in struct if s["passed"]),
        },
        "per_entry": per_entry,
        "confusions": [{"expected": a, "got": b, "count": n} for (a, b), n in confusions.most_common(15)],
        "cases": [
            {
                "id": r.case.id,
                "expect": list(r.case.expect),
                "returned": r.returned,
                "confidence": r.confidences[0] if r.confidences else None,
                "shortlist_confidence": r.shortlist,
                "abstained": r.abstained,
                "passed": r.passed,
            }
            for r in results
        ]
        + [{"id": s["id"], "structural": True, "passed": s["passed"], "problems": s["problems"]} for s in struct],
    }


def git_commit(root: Path = ROOT) -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True, timeout=10)
        head = out.stdout.strip() or "unknown"
        return head + (" + uncommitted changes" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def results_markdown(summary: dict[str, Any], cases_path: str) -> str:
    t = summary["totals"]
    lines = [
        "# Eval results",
        "",
        "Generated by `gotcha eval --write-results`; do not edit by hand.",
        "",
        f"- date: {_dt.date.today().isoformat()}",
        f"- commit: {git_commit()}",
        f"- cases: `{cases_path}` ({t['cases']} diagnosis cases: {t['positives']} positive, {t['negatives']} negative; "
        f"{t['structural']} structural, {t['structural_passed']} passed)",
        "- method: every case diagnosed leave-one-out (it is excluded from the matcher's examples)",
        "",
        "| metric | value |",
        "|---|---|",
        f"| top-1 (positives) | {t['top1']:.3f} |",
        f"| top-3 (positives) | {t['top3']:.3f} |",
        f"| MRR (positives) | {t['mrr']:.3f} |",
        f"| abstention on negatives | {t['abstain']:.3f} |",
        f"| false abstention on positives | {t['false_abstain']:.3f} |",
        f"| ranking alone, top-1 (no abstention) | {t['ranked_top1']:.3f} |",
        f"| ranking alone, top-3 (no abstention) | {t['ranked_top3']:.3f} |",
        "",
        "The feature weights and the two confidence curves in `engine/model.json` are fitted on these same",
        "cases (`gotcha eval --fit`); case-derived features are leave-one-out, and `--fit --cv 5` reports the",
        "cross-validated figures, which are the ones to quote as generalisation.",
        "",
        "## Per entry (cases whose first expected id is the entry)",
        "",
        "| id | cases | top-1 | recall |",
        "|---|---|---|---|",
    ]
    for eid, row in summary["per_entry"].items():
        lines.append(f"| {eid} | {row['cases']} | {row['top1']} | {row['recall']:.2f} |")
    lines += ["", "## Most frequent confusions", "", "| expected | got | count |", "|---|---|---|"]
    for c in summary["confusions"]:
        lines.append(f"| {c['expected']} | {c['got']} | {c['count']} |")
    return "\n".join(lines) + "\n"
