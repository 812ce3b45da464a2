"""`gotcha eval` / `python -m evals`: per-case PASS/FAIL, totals, thresholds that gate CI."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cases", help="a cases.jsonl (default: the shipped evals/cases.jsonl)")
    p.add_argument("--min-top1", type=float, default=None, help="exit 1 when top-1 on positives falls below this (0..1)")
    p.add_argument("--min-top3", type=float, default=None, help="exit 1 when top-3 on positives falls below this")
    p.add_argument("--min-abstain", type=float, default=None, help="exit 1 when abstention on negatives falls below this")
    p.add_argument("--quiet", action="store_true", help="only totals and the first 20 failures")
    p.add_argument("--write-results", action="store_true", help="regenerate evals/RESULTS.md")
    p.add_argument("--fit", action="store_true", help="refit engine/model.json (feature weights + confidence) on these cases")
    p.add_argument("--cv", type=int, default=0, metavar="K", help="with --fit: also report K-fold cross-validated top-1/top-3/abstain")


def run(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from engine.cases import default_cases_path, load_cases
    from engine.diagnose import Engine
    from evals.runner import results_markdown, run_cases, structural, summarize
    from kb.loader import load_catalog

    for name in ("min_top1", "min_top3", "min_abstain"):
        v = getattr(args, name)
        if v is not None and not 0.0 <= v <= 1.0:
            sys.stderr.write(f"gotcha: --{name.replace('_', '-')} must be between 0 and 1\n")
            return 2
    path = Path(args.cases) if args.cases else default_cases_path()
    cases = load_cases(path)
    if cases.problems:
        for p in cases.problems:
            sys.stderr.write(f"{p}\n")
        if not cases.cases:
            return 2
    catalog = load_catalog(getattr(args, "catalog", None))
    engine = Engine(catalog, cases.cases)
    unknown = sorted({x for c in cases.cases for x in c.expect + c.also_ok if catalog.get(x) is None})
    if unknown:
        sys.stderr.write(f"gotcha: cases name ids the catalog lacks: {', '.join(unknown)}\n")
    if args.fit:
        from engine import scoring
        from evals.fit import collect, cross_validate, fit

        samples = collect(engine, cases.cases)
        if args.cv > 1:
            cv = cross_validate(samples, scoring.DEFAULT_WEIGHTS, k=args.cv)
            sys.stderr.write(f"{args.cv}-fold cross-validation: top-1 {cv['top1']:.3f}, top-3 {cv['top3']:.3f}, abstain {cv['abstain']:.3f}\n")
        model = fit(samples, scoring.DEFAULT_WEIGHTS)
        scoring.save(model, note=f"fitted by `gotcha eval --fit` on {path.name} ({len(cases.cases)} cases)")
        engine.model = scoring.load()
        sys.stderr.write(f"fitted: weights {model.weights}, abstain_below {model.abstain_below}\n")
    results = run_cases(engine, cases.cases, progress=_progress if sys.stderr.isatty() else None)
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    summary = summarize(results, structural(catalog, cases.structural))
    if args.write_results:
        out = Path(__file__).with_name("RESULTS.md")
        out.write_text(results_markdown(summary, str(path.name)), encoding="utf-8")
    if getattr(args, "json", False):
        json.dump(summary, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print(summary, args.quiet)
    failed = []
    t = summary["totals"]
    for name, key in (("min_top1", "top1"), ("min_top3", "top3"), ("min_abstain", "abstain")):
        floor = getattr(args, name)
        if floor is not None and t[key] < floor:
            failed.append(f"{key} {t[key]:.3f} < {floor:.3f}")
    if t["structural_passed"] < t["structural"]:
        failed.append(f"structural {t['structural_passed']}/{t['structural']}")
    if failed:
        sys.stderr.write("eval gate FAILED: " + "; ".join(failed) + "\n")
        return 1
    return 0


QUIET_FAILS = 20  # --quiet lists this many failures, then a count


def _progress(done: int, total: int) -> None:
    if done == total or done % 10 == 0:
        sys.stderr.write(f"\reval: {done}/{total} cases")
        sys.stderr.flush()


def _print(summary: dict[str, Any], quiet: bool) -> None:
    shown = 0
    failures = sum(1 for c in summary["cases"] if not c["passed"])
    for c in summary["cases"]:
        if quiet and c["passed"]:
            continue
        if quiet:
            shown += 1
            if shown > QUIET_FAILS:
                print(f"... {failures - QUIET_FAILS} more FAIL(s); run without --quiet (or with --json) to see them all")
                break
        status = "PASS" if c["passed"] else "FAIL"
        if c.get("structural"):
            print(f"{status} {c['id']:<32} structural {'; '.join(c['problems'])}")
            continue
        got = "abstained" if c["abstained"] else ",".join(c["returned"][:3])
        conf = f" {c['confidence']:.2f}" if c["confidence"] is not None else ""
        print(f"{status} {c['id']:<32} expect {','.join(c['expect']) or '(none)':<10} got {got}{conf}")
    t = summary["totals"]
    print(
        f"\ncases {t['cases']} (positives {t['positives']}, negatives {t['negatives']}; structural "
        f"{t['structural_passed']}/{t['structural']})\n"
        f"top-1 {t['top1']:.3f}  top-3 {t['top3']:.3f}  MRR {t['mrr']:.3f}  "
        f"abstain {t['abstain']:.3f}  false-abstain {t['false_abstain']:.3f}\n"
        f"ranking alone (no abstention): top-1 {t['ranked_top1']:.3f}  top-3 {t['ranked_top3']:.3f}"
    )
    weak = sorted(summary["per_entry"].items(), key=lambda kv: (kv[1]["recall"], kv[0]))[:5]
    print("weakest: " + ", ".join(f"{k} {v['top1']}/{v['cases']}" for k, v in weak))
    if summary["confusions"]:
        print("confusions: " + ", ".join(f"{c['expected']}->{c['got']} x{c['count']}" for c in summary["confusions"][:8]))
