"""What is not the code: `--exclude GLOB`, a `.gotchaignore` file, and the listing file itself.

A deploy gate that fails on files nobody deploys (the box's listing saved into the tree, a scratch
`cmd.sh`, local notes) teaches people to ignore it, so those are left out of the comparison.
Patterns follow the common subset of .gitignore: `#` comments, a pattern without `/` matches a
name at any depth (`*.log`, `box.txt`), one with `/` matches from the tree's root
(`scratch/*.sh`), and a trailing `/` or a matched directory name takes everything below it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from gotcha_kb.engine.deploy.errors import DeployInputError

IGNORE_FILE = ".gotchaignore"


@dataclass(frozen=True)
class Excluder:
    patterns: tuple[str, ...] = ()
    paths: frozenset[str] = frozenset()  # exact relative paths (the listing file)

    def __bool__(self) -> bool:
        return bool(self.patterns or self.paths)

    def excludes(self, rel: str) -> bool:
        if rel in self.paths:
            return True
        parts = rel.split("/")
        for pat in self.patterns:
            if "/" in pat:
                # `dir/sub` matches that path or anything below it.
                if any(fnmatchcase("/".join(parts[:n]), pat) for n in range(1, len(parts) + 1)):
                    return True
            elif any(fnmatchcase(part, pat) for part in parts):
                return True
        return False

    def filter(self, paths: Iterable[str]) -> tuple[list[str], int]:
        kept, dropped = [], 0
        for p in paths:
            if self.excludes(p):
                dropped += 1
            else:
                kept.append(p)
        return kept, dropped


def _clean(pattern: str, where: str) -> str | None:
    pat = pattern.strip()
    if not pat or pat.startswith("#"):
        return None
    if pat.startswith("!"):
        raise DeployInputError(f"{where}: negated patterns ({pat!r}) are not supported; list what to leave out")
    pat = pat.removeprefix("./").lstrip("/").rstrip("/")
    if not pat or ".." in pat.split("/"):
        raise DeployInputError(f"{where}: {pattern!r} is not a pattern inside the tree")
    return pat


def read_ignore_file(root_real: str) -> list[str]:
    """The patterns of ROOT/.gotchaignore, or none when it does not exist."""
    path = os.path.join(root_real, IGNORE_FILE)
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read(1 << 20).splitlines()
    except FileNotFoundError:
        return []
    except OSError as e:
        raise DeployInputError(f"cannot read {IGNORE_FILE}: {e.strerror}") from None
    out = []
    for n, line in enumerate(lines, start=1):
        pat = _clean(line, f"{IGNORE_FILE}:{n}")
        if pat:
            out.append(pat)
    return out


def build_excluder(root_real: str, exclude: Sequence[str] = (), paths: Iterable[str] = ()) -> Excluder:
    pats = [p for p in (_clean(x, f"--exclude {x!r}") for x in exclude) if p]
    return Excluder(patterns=tuple(pats + read_ignore_file(root_real)), paths=frozenset(paths))
