"""The one exception kb raises; it always carries the problems with their locations."""

from __future__ import annotations

from kb.models import Problem


class KBError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
