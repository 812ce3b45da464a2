"""Raw score -> confidence in [0, 1], with parameters fitted on the eval set (Platt scaling).

`gotcha eval --calibrate` refits them leave-one-out and rewrites calibration.json; until then
the defaults below are used. Fitting is plain logistic regression on one feature.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

PATH = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class Calibration:
    a: float = 0.9
    b: float = -3.0
    abstain_below: float = 0.5

    def confidence(self, score: float) -> float:
        z = self.a * score + self.b
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def load() -> Calibration:
    try:
        data = json.loads(PATH.read_text(encoding="utf-8"))
        return Calibration(float(data["a"]), float(data["b"]), float(data.get("abstain_below", 0.5)))
    except (OSError, ValueError, KeyError, TypeError):
        return Calibration()


def fit(scores: list[float], correct: list[bool], iters: int = 3000, lr: float = 0.05) -> tuple[float, float]:
    """Logistic fit of P(correct | score); gradient descent is plenty for a few hundred points."""
    a, b = 1.0, 0.0
    n = max(1, len(scores))
    for _ in range(iters):
        ga = gb = 0.0
        for s, y in zip(scores, correct):
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, a * s + b))))
            ga += (p - y) * s
            gb += p - y
        a -= lr * ga / n
        b -= lr * gb / n
    return a, b


def save(cal: Calibration) -> None:
    PATH.write_text(json.dumps({"a": round(cal.a, 4), "b": round(cal.b, 4), "abstain_below": cal.abstain_below}, indent=2) + "\n", encoding="utf-8")
