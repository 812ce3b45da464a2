"""eval: accuracy of the diagnosis engine on the labeled cases."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    from gotcha_kb.evals.cli import add_arguments, run

    p = sub.add_parser("eval", parents=[shared], help="measure diagnosis accuracy on labeled cases",
                       description="Run every labeled case (leave-one-out) and report top-1, top-3, MRR, abstention.")
    add_arguments(p)
    p.set_defaults(func=run)
