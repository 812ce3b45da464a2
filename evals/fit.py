"""Fit the engine's feature weights and confidence curve on the labeled cases.

Case-similarity features are computed leave-one-out (a case never sees itself), so what is
fitted is how much to trust each kind of evidence, not the cases' answers. With 7 weights and a
few hundred cases the risk of memorising is small; `--cv K` measures it anyway by fitting on
K-1 folds and scoring the held-out fold.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from engine.cases import Case
from engine.diagnose import Engine
from evals.runner import accepted_ids, held_out
from engine.scoring import CONF_INPUTS, FEATURES, SHORTLIST, Context, Model, conf_inputs


@dataclass
class Sample:
    case: Case
    cands: list[tuple[str, dict[str, float]]]  # entry id, features
    ctx: Context
    ok: frozenset[str]  # acceptable answers (evals.runner.accepted_ids)


def collect(engine: Engine, cases: list[Case]) -> list[Sample]:
    out = []
    for c in cases:
        a = engine.analyze(c.input, platform=c.platform, exclude_case=held_out(c, engine))
        out.append(Sample(c, [(x.entry.id, x.features) for x in a.scored], a.context, accepted_ids(c, engine, a.platform)))
    return out


def _dot(w: dict[str, float], f: dict[str, float]) -> float:
    return sum(w[k] * f.get(k, 0.0) for k in FEATURES)


FIT_CANDIDATES = 30  # the softmax mass below the top 30 of a few hundred candidates is negligible


def fit_weights(samples: list[Sample], start: dict[str, float], iters: int = 1500, lr: float = 0.01, l2: float = 0.01) -> dict[str, float]:
    """Softmax regression: maximise the probability mass on acceptable ids among the candidates."""
    keys = list(FEATURES)
    w = [start.get(k, 0.0) for k in keys]
    train = []  # per case: feature rows as tuples, and which rows are acceptable answers
    for s in samples:
        if s.case.expect and any(i in s.ok for i, _ in s.cands):
            cands = s.cands[:FIT_CANDIDATES]
            if not any(i in s.ok for i, _ in cands):
                cands = cands + [c for c in s.cands if c[0] in s.ok][:1]
            train.append(([tuple(f.get(k, 0.0) for k in keys) for _, f in cands], [i in s.ok for i, _ in cands]))
    neg = keys.index("signal_neg")
    n = len(train)
    for _ in range(iters):
        grad = [l2 * x for x in w]
        for rows, good_mask in train:
            scores = [sum(a * b for a, b in zip(w, r)) for r in rows]
            top = max(scores)
            exps = [math.exp(x - top) for x in scores]
            z = sum(exps)
            good = sum(e for e, g in zip(exps, good_mask) if g)
            for e, g, r in zip(exps, good_mask, rows):
                d = (e / z - (e / good if g else 0.0)) / n
                if d:
                    for j, v in enumerate(r):
                        grad[j] += d * v
        w = [x - lr * g * 10 for x, g in zip(w, grad)]
        w[neg] = max(w[neg], 0.0)  # evidence against must stay against
    return dict(zip(keys, w))


def _ranked(w: dict[str, float], s: Sample) -> list[tuple[float, int]]:
    """(score, candidate index) best first; ties keep the engine's order."""
    return sorted(((_dot(w, f), n) for n, (_, f) in enumerate(s.cands)), key=lambda t: (-t[0], t[1]))


def _top(w: dict[str, float], s: Sample) -> tuple[str | None, float, float, dict[str, float], bool]:
    """The best candidate (id, score, runner-up's score, features) and whether an acceptable id
    is among the first SHORTLIST, all read off one ranking."""
    ranked = _ranked(w, s)
    if not ranked:
        return None, -1.0, -1.0, {}, False
    second = ranked[1][0] if len(ranked) > 1 else min(0.0, ranked[0][0])
    i, f = s.cands[ranked[0][1]]
    listed = bool(s.case.expect) and any(s.cands[n][0] in s.ok for _, n in ranked[:SHORTLIST])
    return i, ranked[0][0], second, f, listed


# More evidence must never lower confidence: these inputs keep non-negative weights (a prior the
# few hundred cases cannot overrule by accident, e.g. a log with strong signals but little prose).
MONOTONE = {"score", "margin", "signal_pos", "phrase", "text", "case", "centroid", "coverage", "scope"}
# ...and signs of being out of scope must never raise it.
ANTITONE = {"neg_sim", "unexplained", "unbacked", "unplaced"}


def fit_curve(rows: list[tuple[dict[str, float], float]], iters: int = 3000, lr: float = 0.1, l2: float = 0.01) -> dict[str, float]:
    """Logistic regression of a 0/1 label on CONF_INPUTS (standardised for gradient descent)."""
    keys = list(CONF_INPUTS)
    n = len(rows)
    mean = [sum(x[k] for x, _ in rows) / n for k in keys]
    std = [(sum((x[k] - m) ** 2 for x, _ in rows) / n) ** 0.5 or 1.0 for k, m in zip(keys, mean)]
    z = [(tuple((x[k] - m) / sd for k, m, sd in zip(keys, mean, std)), y) for x, y in rows]
    sign = [1 if k in MONOTONE else -1 if k in ANTITONE else 0 for k in keys]
    c = [0.0] * len(keys)
    bias = 0.0
    for _ in range(iters):
        g = [l2 * v for v in c]
        gb = 0.0
        for x, y in z:
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, bias + sum(a * b for a, b in zip(c, x))))))
            d = (p - y) / n
            gb += d
            for j, v in enumerate(x):
                g[j] += d * v
        c = [v - lr * gv for v, gv in zip(c, g)]
        c = [max(v, 0.0) if sg > 0 else min(v, 0.0) if sg < 0 else v for v, sg in zip(c, sign)]
        bias -= lr * gb
    # Undo the standardisation so the curve applies to raw inputs.
    out = {k: v / sd for k, v, sd in zip(keys, c, std)}
    out["bias"] = bias - sum(v * m / sd for v, m, sd in zip(c, mean, std))
    return out


def fit_confidence(samples: list[Sample], w: dict[str, float]) -> Model:
    """Both curves on the top candidate's inputs, then the abstain cut on the shortlist gate."""
    inputs = []
    for s in samples:
        best, top, second, f, listed = _top(w, s)
        inputs.append((conf_inputs(top, second, f, s.ctx), bool(s.case.expect) and best in s.ok, listed))
    conf = fit_curve([(x, 1.0 if right else 0.0) for x, right, _ in inputs])
    gate = fit_curve([(x, 1.0 if listed else 0.0) for x, _, listed in inputs])
    model = Model(dict(w), conf, gate, 0.5)
    model.abstain_below = best_threshold(samples, model)
    return model


def best_threshold(samples: list[Sample], model: Model, min_abstain: float = 0.9) -> float:
    """The lowest abstain cut that still abstains on `min_abstain` of the negatives (or the best sum)."""
    pos = [s for s in samples if s.case.expect]
    neg = [s for s in samples if not s.case.expect]
    rows = []
    for s in samples:
        best, top, second, f, _ = _top(model.weights, s)
        rows.append((s, best, model.shortlist(top, second, f, s.ctx)))
    options = []
    for t in [x / 200 for x in range(20, 181)]:  # half-point steps: the cut sits on a steep edge
        p = sum(1 for s, b, c in rows if s.case.expect and b in s.ok and c >= t) / max(1, len(pos))
        q = sum(1 for s, b, c in rows if not s.case.expect and c < t) / max(1, len(neg))
        options.append((t, p, q))
    meeting = [o for o in options if o[2] >= min_abstain]
    if meeting:
        return max(meeting, key=lambda o: (o[1], -o[0]))[0]
    return max(options, key=lambda o: o[1] + o[2])[0]


def evaluate(samples: list[Sample], model: Model) -> dict[str, float]:
    pos = [s for s in samples if s.case.expect]
    neg = [s for s in samples if not s.case.expect]
    top1 = top3 = abst = 0
    for s in samples:
        best, top, second, f, listed = _top(model.weights, s)
        answered = best is not None and model.shortlist(top, second, f, s.ctx) >= model.abstain_below
        if s.case.expect and answered:
            top1 += best in s.ok
            top3 += listed
        if not s.case.expect and not answered:
            abst += 1
    return {"top1": top1 / max(1, len(pos)), "top3": top3 / max(1, len(pos)), "abstain": abst / max(1, len(neg))}


def fit(samples: list[Sample], start: dict[str, float]) -> Model:
    return fit_confidence(samples, fit_weights(samples, start))


def cross_validate(samples: list[Sample], start: dict[str, float], k: int = 5, seed: int = 7) -> dict[str, float]:
    order = list(range(len(samples)))
    random.Random(seed).shuffle(order)
    folds = [order[i::k] for i in range(k)]
    got = {"top1": 0.0, "top3": 0.0, "abstain": 0.0}
    for fold in folds:
        held = set(fold)
        model = fit([s for i, s in enumerate(samples) if i not in held], start)
        r = evaluate([samples[i] for i in fold], model)
        for key in got:
            got[key] += r[key] / k
    return got
