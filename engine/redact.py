"""Never echo a secret: mask tokens, keys and passwords in any line we show back.

The engine reads the paste as given (a secret on a line does not change what broke); only text it
echoes (evidence lines) goes through `redact`. The secret shapes are data, one row each with an
example that tests/test_redact.py checks, in `engine/data/secret_shapes.toml`: a new kind of token
is a row there, not code. Masking more than needed costs a little readability in an evidence line;
masking less leaks a credential into an agent's transcript, so every pattern errs wide.

Every quantifier over user text is bounded or anchored on a literal, so each pattern is linear on
a 4000-character line (tests/test_redos.py times them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MASK = "[REDACTED]"

# Words that make the value after them a secret: `HF_TOKEN=`, `aws_secret_access_key =`,
# `"private_key": "..."`, `password: x`. `key` alone is too common a word in logs ("key error"),
# so it needs an assignment right after it to count.
_SECRET_NAME = (
    r"[A-Za-z0-9_.-]{0,60}?(?:token|secret|passw(?:or)?d|pwd|api_?key|access_?key|private_?key|"
    r"account_?key|auth_?token|credentials?|key)(?:_[A-Za-z0-9_]{0,40})?"
)
TABLE = Path(__file__).with_name("data") / "secret_shapes.toml"


@dataclass(frozen=True)
class Shape:
    name: str
    pattern: re.Pattern[str]
    repl: str
    example: str  # a line holding a secret of this shape
    secret: str  # the part of `example` that must never be echoed


FIELDS = ("name", "pattern", "replace", "example", "secret")


def load_shapes(path: Path = TABLE) -> list[Shape]:
    """The table's rows in order, `{secret_name}` and `{mask}` filled in, patterns compiled.

    A broken table is the project's bug, not the user's: the error names the file, the row and
    what is wrong with it, so that an edit to the table fails its first test run legibly."""
    import tomllib

    try:
        with open(path, "rb") as fh:
            rows = tomllib.load(fh).get("shape")
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ValueError(f"{path}: cannot read the secret shapes: {e}") from None
    if not isinstance(rows, list) or not rows:
        raise ValueError(f"{path}: no [[shape]] rows")
    fill = {"{secret_name}": _SECRET_NAME, "{mask}": MASK}

    def filled(text: str) -> str:
        for key, value in fill.items():
            text = text.replace(key, value)
        return text

    shapes = []
    for n, r in enumerate(rows, start=1):
        where = f"{path}: shape {n} ({r.get('name', 'unnamed')!r})" if isinstance(r, dict) else f"{path}: shape {n}"
        if not isinstance(r, dict) or any(not isinstance(r.get(k), str) for k in FIELDS):
            raise ValueError(f"{where}: needs the text fields {', '.join(FIELDS)}")
        try:
            pattern = re.compile(filled(r["pattern"]))
        except re.error as e:
            raise ValueError(f"{where}: bad pattern: {e}") from None
        shapes.append(Shape(r["name"], pattern, filled(r["replace"]), r["example"], r["secret"]))
    return shapes


SHAPES: list[Shape] = load_shapes()


def redact(text: str) -> str:
    """`text` with every secret of a shape in SHAPES replaced by [REDACTED]."""
    for shape in SHAPES:
        text = shape.pattern.sub(shape.repl, text)
    return text
