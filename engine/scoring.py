"""Evidence -> one score per entry -> calibrated confidence.

The score is linear in a handful of features (signal weights the catalog declares, text
similarity, similarity to labeled cases, exact phrases). The feature weights and two logistic
curves live in model.json, fitted on the eval set by `gotcha eval --fit` (softmax regression,
leave-one-out case features); the defaults below are the hand-set starting point.

The two curves read the same inputs and answer different questions:
- `confidence`: is this candidate the answer? Shown next to every match.
- `shortlist`: is the answer among the first SHORTLIST matches at all? This decides abstention.
  A paste about a sparse-evidence trap whose two sibling entries tie is in scope even though
  neither sibling is sure; an out-of-scope error is not, however it ranks. Fitting the gate on
  "is it right at rank 1" taught it to refuse the first kind along with the second.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from gotcha_kb.engine.errors import ModelError

PATH = Path(__file__).with_name("model.json")

FEATURES = (
    "signal_pos",  # sum of positive catalog signal weights that fired (capped)
    "signal_neg",  # sum of negative ones (<= 0)
    "text",  # cosine of the input to the entry's own words
    "text_rel",  # that cosine relative to the best entry's (1.0 for the most similar entry)
    "case",  # cosine to the nearest labeled case for this entry
    "case_rel",  # relative to the nearest labeled case overall
    "phrase",  # exact error strings / multi-word keywords found, specificity-weighted
    "centroid",  # cosine to the centroid of all labeled cases of this entry
    "unplaced",  # 1 for a platform's own gotcha when the paste's platform is unknown
    "semantic",  # cosine of the paste to the entry in a sentence-embedding space (engine/semantic.py)
    "semantic_rel",  # that cosine relative to the most similar entry's
)
DEFAULT_WEIGHTS = {"signal_pos": 1.0, "signal_neg": 1.0, "text": 7.0, "text_rel": 0.0, "case": 6.0, "case_rel": 0.0, "phrase": 1.5, "centroid": 0.0, "unplaced": -1.0, "semantic": 0.0, "semantic_rel": 0.0}
MAX_SIGNAL = 12.0


# What the confidence curve looks at: the best candidate's score, its lead over the next, how
# much of that is hard evidence (signals, phrases) versus resemblance, and the catalog's own
# counter-signals for it (a CA missing behind a proxy is not U47's wrong clock, however alike the
# words); about the paste as a whole,
# how close it is to a labeled out-of-scope example, how much of its vocabulary the domain uses
# and the in/out-of-scope log-odds (engine/scope.py); and whether it holds an error line the
# candidate does not account for (engine/unexplained.py), readings none of which back it, or
# no platform context for a platform-specific answer.
CONF_INPUTS = (
    "score", "margin", "signal_pos", "signal_neg", "phrase", "text", "case", "centroid",
    "neg_sim", "coverage", "scope", "unexplained", "unbacked", "unplaced",
)  # fmt: skip
DEFAULT_CONF = {k: 0.0 for k in CONF_INPUTS} | {"score": 0.5, "bias": -1.4}
SHORTLIST = 3  # the gate asks whether the answer is among this many matches
REF_GAP = 0.01  # how far below its universal entry an unplaced platform gotcha is held


def rank(scores: list[float], ids: list[str], below: dict[str, tuple[str, ...]]) -> list[tuple[float, int]]:
    """(score, index) best first; ties keep the given order.

    `below` lists the platform gotchas of a paste whose platform is unknown, each with the
    universal entries it refines. Such a gotcha is never the answer: one with a universal entry
    gives its place to the best of them and sits just under it (evidence for "Paperspace: use
    the 22.04 template" is evidence for "the driver is too old"); one without sits just under the
    best universal candidate. With no platform named the universal trap is the answer to give,
    and the platform's own advice an alternative, labeled with its platform.
    """
    by_id = dict(zip(ids, scores))
    lifted = {eid: s for eid, s in by_id.items() if eid not in below}
    for eid, refs in below.items():
        present = [r for r in refs if r in lifted]
        if eid in by_id and present:
            best = max(present, key=lambda r: by_id[r])
            lifted[best] = max(lifted[best], by_id[eid])
    ceiling = max(lifted.values(), default=None)
    out = []
    for n, eid in enumerate(ids):
        if eid in below:
            refs = [lifted[r] for r in below[eid] if r in lifted]
            cap = max(refs) if refs else ceiling
            out.append((by_id[eid] if cap is None else min(by_id[eid], cap - REF_GAP), n))
        else:
            out.append((lifted[eid], n))
    return sorted(out, key=lambda t: (-t[0], t[1]))


@dataclass(frozen=True)
class Context:
    """What the confidence curve knows about the paste as a whole (not about one candidate)."""

    neg_sim: float = 0.0  # similarity to the nearest out-of-scope example
    coverage: float = 1.0  # share of its distinct words the catalog's domain uses
    scope: float = 0.0  # in-scope log-odds from the labeled cases


def conf_inputs(top: float, second: float, features: dict[str, float], ctx: Context) -> dict[str, float]:
    return {
        "score": top,
        "margin": top - second,
        "signal_pos": features.get("signal_pos", 0.0),
        "signal_neg": features.get("signal_neg", 0.0),
        "phrase": features.get("phrase", 0.0),
        "text": features.get("text", 0.0),
        "case": features.get("case", 0.0),
        "centroid": features.get("centroid", 0.0),
        "neg_sim": ctx.neg_sim,
        "coverage": ctx.coverage,
        "scope": ctx.scope,
        "unexplained": features.get("unexplained", 0.0),
        "unbacked": features.get("unbacked", 0.0),
        "unplaced": features.get("unplaced", 0.0),
    }


@dataclass
class Model:
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    conf: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CONF))
    gate: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CONF))
    abstain_below: float = 0.5  # applies to the shortlist gate

    def score(self, f: dict[str, float]) -> float:
        return sum(self.weights.get(k, 0.0) * v for k, v in f.items())

    def confidence(self, top: float, second: float, features: dict[str, float], ctx: Context) -> float:
        """Probability-like: this candidate (score `top`, best rival `second`) is the answer."""
        return _curve(self.conf, top, second, features, ctx)

    def shortlist(self, top: float, second: float, features: dict[str, float], ctx: Context) -> float:
        """Probability-like: the answer is among the first SHORTLIST matches (inputs of the best one)."""
        return _curve(self.gate, top, second, features, ctx)


def _curve(coef: dict[str, float], top: float, second: float, features: dict[str, float], ctx: Context) -> float:
    x = conf_inputs(top, second, features, ctx)
    z = coef.get("bias", 0.0) + sum(coef.get(k, 0.0) * v for k, v in x.items())
    fitted = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
    return max(fitted, hard_evidence(features.get("signal_pos", 0.0), top - second))


def hard_evidence(signal_pos: float, margin: float) -> float:
    """Confidence that catalog signals alone justify, whatever the prose around them.

    The fitted curve learns from pastes that are mostly prose; a 1 MB training log whose last
    line is `NVRM: Xid ... 79` has almost no prose, yet several declared signals fire and nothing
    else comes close. That case must not abstain, so signals firing with a clear lead set a floor.
    """
    if signal_pos < HARD_SIGNAL or margin < HARD_MARGIN:
        return 0.0
    return _signal_floor(signal_pos)


def _signal_floor(signal_pos: float) -> float:
    return min(0.95, 0.6 + 0.03 * signal_pos)


HARD_SIGNAL = 6.0  # catalog weight of the signals that fired (e.g. a regex and a fact agreeing)
HARD_MARGIN = 3.0  # lead over the runner-up in score units
READINGS_LEAD = 3.0  # lead over the runner-up in catalog signal weight, for a paste of readings only


def readings_floor(top: dict[str, float], rival: dict[str, float]) -> float:
    """hard_evidence for a paste that is all command output (a probe bundle, bare dmesg): with no
    words of the user's, scores are signals alone and small, so the lead is read in the catalog's
    signal weights instead of score units. Three kernel OOM kills under a missing nvidia-smi are
    a finding to name, not a reason to abstain."""
    signal = top.get("signal_pos", 0.0)
    if signal < HARD_SIGNAL or signal - rival.get("signal_pos", 0.0) < READINGS_LEAD:
        return 0.0
    return _signal_floor(signal)


def load(path: Path = PATH) -> Model:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = {k: float(data["weights"][k]) for k in FEATURES}
        curves = [{k: float(c.get(k, 0.0)) for k in (*CONF_INPUTS, "bias")} for c in (data["confidence"], data["shortlist"])]
        return Model(weights, curves[0], curves[1], float(data["abstain_below"]))
    except OSError as e:
        raise ModelError(f"cannot read the model {path}: {e.strerror or e}; reinstall, or refit with `gotcha eval --fit`") from None
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ModelError(f"{path} is not a fitted model ({type(e).__name__}: {e}); refit with `gotcha eval --fit`") from None


def save(model: Model, path: Path = PATH, note: str = "") -> None:
    data = {
        "note": note or "fitted by `gotcha eval --fit`; do not edit by hand",
        "weights": {k: round(model.weights.get(k, 0.0), 4) for k in FEATURES},
        "confidence": {k: round(v, 4) for k, v in model.conf.items()},
        "shortlist": {k: round(v, 4) for k, v in model.gate.items()},
        "abstain_below": round(model.abstain_below, 3),
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
