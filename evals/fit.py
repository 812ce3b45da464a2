"""Fit the engine's feature weights and its two confidence curves on labeled cases.

Two sources of cases feed a fit: the shipped cases (written for the project; their case-derived
features are leave-one-out, since they are also the engine's examples) and, when given, a set of
real posts (never examples, only scored). Real posts get a sample weight, because a few real
pastes say more about real use than many written ones; how much more is chosen by
cross-validation over the real set (`cross_validate_real`), folds by case, refitting per fold.

Every step is a smooth convex problem solved with L-BFGS-B (scipy), bounded where a sign is a
prior: a full fit takes about a second where hand-rolled gradient descent took minutes, which is
what makes refitting per fold affordable. The optimiser is deterministic: the same samples give
the same model, byte for byte.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from gotcha_kb.engine.cases import Case
from gotcha_kb.engine.diagnose import Engine
from gotcha_kb.engine.scoring import CONF_INPUTS, DEFAULT_WEIGHTS, FEATURES, SHORTLIST, Context, Model, conf_inputs, rank
from gotcha_kb.evals.runner import accepted_ids, held_out


@dataclass
class Sample:
    case: Case
    cands: list[tuple[str, dict[str, float]]]  # entry id, features
    ctx: Context
    ok: frozenset[str]  # acceptable answers (evals.runner.accepted_ids)
    below: dict[str, tuple[str, ...]] = field(default_factory=dict)  # see scoring.rank
    weight: float = 1.0  # how much this sample counts in a fit
    source: str = "shipped"  # which set it came from ("shipped" or "real"; see best_threshold)


def collect(engine: Engine, cases: list[Case], weight: float = 1.0, source: str = "shipped") -> list[Sample]:
    out = []
    for c in cases:
        a = engine.analyze(c.input, platform=c.platform, exclude_case=held_out(c, engine), every_candidate=True)
        # Catalog order, not the loaded model's ranking: what a fit learns from must not depend
        # on the model it replaces (two refits give the same bytes).
        cands = [(x.entry.id, x.features) for x in sorted(a.scored, key=lambda x: x.order)]
        out.append(Sample(c, cands, a.context, accepted_ids(c, engine, a.platform), a.below, weight, source))
    return out


def _dot(w: dict[str, float], f: dict[str, float]) -> float:
    return sum(w[k] * f.get(k, 0.0) for k in FEATURES)


def fit_weights(samples: list[Sample], l2: float = 0.01) -> dict[str, float]:
    """Softmax regression: maximise the (weighted) probability mass on acceptable ids."""
    import numpy as np
    from scipy.optimize import minimize

    keys = list(FEATURES)
    rows = []
    for s in samples:
        if not (s.case.expect and any(i in s.ok for i, _ in s.cands)):
            continue
        x = np.array([[f.get(k, 0.0) for k in keys] for _, f in s.cands])
        rows.append((x, np.array([i in s.ok for i, _ in s.cands]), s.weight))
    total = sum(r[2] for r in rows) or 1.0

    def loss(w):
        value, grad = 0.5 * l2 * w @ w, l2 * w
        for x, good, sw in rows:
            s = x @ w
            e = np.exp(s - s.max())
            z, g = e.sum(), e[good].sum()
            value += sw * (math.log(z) - math.log(g)) / total
            grad = grad + sw * ((e / z - np.where(good, e / g, 0.0)) @ x) / total
        return value, grad

    # Evidence against must stay against: signal_neg multiplies weights that are already <= 0.
    bounds = [(0.0, None) if k == "signal_neg" else (None, None) for k in keys]
    res = minimize(loss, np.array([DEFAULT_WEIGHTS[k] for k in keys]), jac=True, method="L-BFGS-B", bounds=bounds)
    return {k: float(v) for k, v in zip(keys, res.x)}


def _ranked(w: dict[str, float], s: Sample) -> list[tuple[float, int]]:
    """(score, candidate index) best first, ranked as the engine ranks (scoring.rank)."""
    return rank([_dot(w, f) for _, f in s.cands], [i for i, _ in s.cands], s.below)


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
# cases cannot overrule by accident, e.g. a log with strong signals but little prose). signal_neg
# is here too: it is <= 0, so a non-negative weight means counter-evidence can only lower it.
MONOTONE = {"score", "margin", "signal_pos", "signal_neg", "phrase", "text", "case", "centroid", "coverage", "scope"}
# ...and signs of being out of scope must never raise it.
ANTITONE = {"neg_sim", "unexplained", "unbacked", "unplaced"}


def fit_curve(rows: list[tuple[dict[str, float], float]], weights: list[float] | None = None, l2: float = 0.01) -> dict[str, float]:
    """Weighted logistic regression of a 0/1 label on CONF_INPUTS, with the sign priors above."""
    import numpy as np
    from scipy.optimize import minimize

    keys = list(CONF_INPUTS)
    x = np.array([[r[k] for k in keys] for r, _ in rows])
    y = np.array([label for _, label in rows], dtype=float)
    sw = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=float)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = (x - mean) / std  # standardised, so one l2 fits every input
    n = sw.sum()

    def loss(v):
        c, b = v[:-1], v[-1]
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ c + b, -30, 30)))
        value = -(sw * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))).sum() / n + 0.5 * l2 * c @ c
        d = sw * (p - y) / n
        return value, np.append(z.T @ d + l2 * c, d.sum())

    bounds = [(0.0, None) if k in MONOTONE else (None, 0.0) if k in ANTITONE else (None, None) for k in keys]
    res = minimize(loss, np.zeros(len(keys) + 1), jac=True, method="L-BFGS-B", bounds=bounds + [(None, None)])
    c, b = res.x[:-1], res.x[-1]
    out = {k: float(ci / sd) for k, ci, sd in zip(keys, c, std)}  # back to raw inputs
    out["bias"] = float(b - sum(ci * m / sd for ci, m, sd in zip(c, mean, std)))
    return out


def fit_confidence(samples: list[Sample], w: dict[str, float], min_abstain: float = 0.9) -> Model:
    """Both curves on the top candidate's inputs, then the abstain cut on the shortlist gate."""
    inputs = []
    for s in samples:
        best, top, second, f, listed = _top(w, s)
        inputs.append((conf_inputs(top, second, f, s.ctx), bool(s.case.expect) and best in s.ok, listed))
    weights = [s.weight for s in samples]
    conf = fit_curve([(x, 1.0 if right else 0.0) for x, right, _ in inputs], weights)
    gate = fit_curve([(x, 1.0 if listed else 0.0) for x, _, listed in inputs], weights)
    model = Model(dict(w), conf, gate, 0.5)
    model.abstain_below = best_threshold(samples, model, min_abstain)
    return model


def best_threshold(samples: list[Sample], model: Model, min_abstain: float = 0.9) -> float:
    """The lowest abstain cut that still abstains on `min_abstain` of the (weighted) negatives and
    of the shipped cases' own negatives (CI's floor), or the best sum of both rates when none does.

    The floor is not asked of the real posts alone: their negatives sit much closer to entries, and
    holding them to it refused a third more real in-scope posts under cross-validation."""
    rows = []
    for s in samples:
        best, top, second, f, _ = _top(model.weights, s)
        rows.append((s, best, model.shortlist(top, second, f, s.ctx)))
    pos = sum(s.weight for s, _, _ in rows if s.case.expect) or 1.0
    groups = [[(s.weight, c) for s, _, c in rows if not s.case.expect],
              [(s.weight, c) for s, _, c in rows if not s.case.expect and s.source == "shipped"]]
    groups = [g for g in groups if g]
    options = []
    for t in [x / 200 for x in range(20, 181)]:  # half-point steps: the cut sits on a steep edge
        p = sum(s.weight for s, b, c in rows if s.case.expect and b in s.ok and c >= t) / pos
        q = min((sum(w for w, c in g if c < t) / sum(w for w, _ in g) for g in groups), default=1.0)
        options.append((t, p, q))
    meeting = [o for o in options if o[2] >= min_abstain]
    if meeting:
        return max(meeting, key=lambda o: (o[1], -o[0]))[0]
    return max(options, key=lambda o: o[1] + o[2])[0]


def evaluate(samples: list[Sample], model: Model) -> dict[str, float]:
    pos = [s for s in samples if s.case.expect]
    neg = [s for s in samples if not s.case.expect]
    top1 = top3 = abst = refused = ranked1 = ranked3 = 0
    for s in samples:
        best, top, second, f, listed = _top(model.weights, s)
        answered = best is not None and model.shortlist(top, second, f, s.ctx) >= model.abstain_below
        if s.case.expect:
            ranked1 += best in s.ok
            ranked3 += listed
        if s.case.expect and answered:
            top1 += best in s.ok
            top3 += listed
        refused += bool(s.case.expect) and not answered
        abst += not s.case.expect and not answered
    n, m = max(1, len(pos)), max(1, len(neg))
    return {"top1": top1 / n, "top3": top3 / n, "abstain": abst / m, "false_abstain": refused / n,
            "ranked_top1": ranked1 / n, "ranked_top3": ranked3 / n}


def fit(samples: list[Sample]) -> Model:
    return fit_confidence(samples, fit_weights(samples))


def _folds(n: int, k: int, seed: int) -> list[list[int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def cross_validate(samples: list[Sample], k: int = 5, seed: int = 7) -> dict[str, float]:
    """K-fold over these samples: fit on K-1 folds, score the held-out one; mean of the folds."""
    folds = _folds(len(samples), k, seed)
    got = [evaluate([samples[i] for i in f], fit([s for i, s in enumerate(samples) if i not in set(f)])) for f in folds]
    return {key: sum(r[key] for r in got) / k for key in got[0]}


def cross_validate_real(shipped: list[Sample], real: list[Sample], k: int = 5, seed: int = 7) -> list[dict[str, float]]:
    """K-fold over the real set only: each fold is fitted on every shipped case plus the other
    real folds, and scored on its held-out real cases. Returns the per-fold figures."""
    out = []
    for f in _folds(len(real), k, seed):
        held = set(f)
        model = fit(shipped + [s for i, s in enumerate(real) if i not in held])
        out.append(evaluate([real[i] for i in f], model) | {"cases": float(len(f))})
    return out
