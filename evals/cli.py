"""`gotcha eval` / `python -m gotcha_kb.evals`: per-case PASS/FAIL, totals, thresholds that gate CI."""

from __future__ import annotations

import argparse
import sys
from typing import Any


# One real post counts this many shipped cases in a fit; chosen by cross-validation over the real
# set (README, "Accuracy": 5x5 top-1 0.794 / 0.805 / 0.813 / 0.814 / 0.814 / 0.813 at 2 / 3 / 4 /
# 5 / 6 / 8): the smallest weight on the plateau, since more trusts 132 posts over the written cases.
REAL_WEIGHT = 4.0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cases", help="a cases.jsonl (default: the shipped evals/cases.jsonl)")
    p.add_argument("--min-top1", type=float, default=None, help="exit 1 when top-1 on positives falls below this (0..1)")
    p.add_argument("--min-top3", type=float, default=None, help="exit 1 when top-3 on positives falls below this")
    p.add_argument("--min-abstain", type=float, default=None, help="exit 1 when abstention on negatives falls below this")
    p.add_argument("--quiet", action="store_true", help="only totals and the first 20 failures")
    p.add_argument("--write-results", action="store_true", help="regenerate evals/RESULTS.md")
    p.add_argument("--max-false-abstain", type=float, default=None, help="exit 1 when false abstention on positives rises above this")
    p.add_argument("--fit", action="store_true", help="refit the model (feature weights + confidence curves) on the shipped cases, plus --real")
    p.add_argument("--out", help="with --fit: where to write the model (default: the engine's model.json)")
    p.add_argument("--real", help="with --fit: a set of real posts (text, expect, also_ok) fitted on as well; never examples")
    p.add_argument("--real-weight", type=float, default=None, metavar="W", help=f"with --real: how much one real post counts against one shipped case (default {REAL_WEIGHT})")
    p.add_argument("--cv", type=int, default=0, metavar="K", help="with --fit: also report K-fold cross-validated figures (per fold over --real)")
    p.add_argument("--cv-repeats", type=int, default=1, metavar="R", help="with --cv and --real: also average R shuffles of the folds (K x R fits)")


def run(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from gotcha_kb.engine.cases import default_cases_path, load_cases
    from gotcha_kb.engine.snapshot import load_engine
    from gotcha_kb.evals.runner import results_markdown, run_cases, structural, summarize

    for name in ("min_top1", "min_top3", "min_abstain", "max_false_abstain"):
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
    # The engine learns from the shipped examples whatever is being scored, as it does in use:
    # the very engine `gotcha diagnose` uses, from the same cache, with the examples it holds.
    engine = load_engine(getattr(args, "catalog", None))
    catalog, examples = engine.catalog, engine.cases
    unknown = sorted({x for c in cases.cases for x in c.expect + c.also_ok if catalog.get(x) is None})
    if unknown:
        sys.stderr.write(f"gotcha: cases name ids the catalog lacks: {', '.join(unknown)}\n")
    if args.fit:
        code = _fit(args, engine, examples)
        if code:
            return code
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
    if args.max_false_abstain is not None and t["false_abstain"] > args.max_false_abstain:
        failed.append(f"false_abstain {t['false_abstain']:.3f} > {args.max_false_abstain:.3f}")
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


def _fit(args: argparse.Namespace, engine: Any, shipped: list[Any]) -> int:
    """Refit on the shipped cases (leave-one-out features) plus the real set; report CV; write."""
    from pathlib import Path

    from gotcha_kb.engine import scoring
    from gotcha_kb.engine.cases import load_cases
    from gotcha_kb.evals.fit import collect, cross_validate, cross_validate_real, fit

    samples = collect(engine, shipped)
    real = []
    if args.real:
        loaded = load_cases(Path(args.real))
        for p in loaded.problems:
            sys.stderr.write(f"{p}\n")
        if not loaded.cases:
            return 2
        weight = REAL_WEIGHT if args.real_weight is None else args.real_weight
        real = collect(engine, loaded.cases, weight, source="real")
    if args.cv > 1:
        if real:
            folds = cross_validate_real(samples, real, k=args.cv)
            for n, f in enumerate(folds, start=1):
                sys.stderr.write(f"real fold {n} ({int(f['cases'])} cases): {_figures(f)}\n")
            sys.stderr.write(f"real set, {args.cv}-fold cross-validation (mean of folds): {_figures(_mean(folds))}\n")
            if args.cv_repeats > 1:
                every = [f for seed in range(7, 7 + args.cv_repeats) for f in cross_validate_real(samples, real, k=args.cv, seed=seed)]
                sys.stderr.write(f"real set, {args.cv}-fold x {args.cv_repeats} shuffles (mean of {len(every)} folds): {_figures(_mean(every))}\n")
        else:
            sys.stderr.write(f"{args.cv}-fold cross-validation: {_figures(cross_validate(samples, k=args.cv))}\n")
    model = fit(samples + real)
    out = Path(args.out) if args.out else scoring.PATH
    source = f"{len(samples)} shipped cases" + (f" + {len(real)} real posts at weight {real[0].weight:g}" if real else "")
    scoring.save(model, out, note=f"fitted by `gotcha eval --fit` on {source}")
    engine.model = scoring.load(out)
    sys.stderr.write(f"fitted on {source}: weights {model.weights}, abstain_below {model.abstain_below} -> {out}\n")
    return 0


def _mean(folds: list[dict[str, float]]) -> dict[str, float]:
    return {k: sum(f[k] for f in folds) / len(folds) for k in folds[0]}


def _figures(r: dict[str, float]) -> str:
    return (f"top-1 {r['top1']:.3f}, top-3 {r['top3']:.3f}, abstain {r['abstain']:.3f}, false abstain {r['false_abstain']:.3f}"
            f" (ranking alone {r['ranked_top1']:.3f} / {r['ranked_top3']:.3f})")
