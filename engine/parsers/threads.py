"""How many threads a process will run: OMP_NUM_THREADS=, torch.get_num_threads(), nproc.

Conservative: a bare number counts only when the command (or the REPL line just before it) says what
printed it.
"""

from __future__ import annotations

import re

from gotcha_kb.engine.evidence import Fact, Reading, Segment

NAME = "threads"
FACTS = {"cpu.threads": "threads the process will use (the most seen)"}
SECTIONS = ("threads", "nproc", "torch-threads")

_LABELLED = re.compile(
    r"(?:\b(?:OMP|MKL|OPENBLAS)_NUM_THREADS\s*=\s*[\"']?"
    r"|(?<![\w.])(?:torch\.)?get_num_threads\(\)\s*(?:=|:|->|is)\s*"
    r"|\bat::get_num_threads\(\)\s*:\s*"
    r"|\bomp_get_max_threads\(\)\s*:\s*"
    r"|(?:\btorch\.)?\bset_num_threads\(\s*"
    r"|(?<![\w.])[\"']?num_threads[\"']?\s*[:=]\s*)"
    r"(\d{1,6})\b"
)
_BARE = re.compile(r"^(?:Out\[\d{1,5}\]:\s*)?(\d{1,6})$")
# What makes the next bare number a thread count: `>>> torch.get_num_threads()`, `print(torch.get_num_threads())`
_ASKS = re.compile(r"(?:get_num_threads\(\)|omp_get_max_threads\(\)|\$\{?OMP_NUM_THREADS\b|^nproc(?:\s|$))")


def _mentions(text: str) -> bool:
    return "threads" in text or "THREADS" in text  # every labelled form names threads: skip the regex otherwise


def _asks(text: str) -> bool:
    if not (_mentions(text) or text.startswith("nproc")):
        return False
    return bool(_ASKS.search(text)) and not _LABELLED.search(text)


def _command_asks(seg: Segment) -> bool:
    cmd = seg.command
    return cmd.split()[:1] == ["nproc"] or (bool(seg.section) and seg.section.split(".")[0] in SECTIONS) or _asks(cmd)


def sniff(seg: Segment) -> bool:
    if _command_asks(seg):
        return True
    return any(_mentions(ln.text) for ln in seg.lines)


def parse(seg: Segment) -> Reading:
    r = Reading()
    best: tuple[int, int] | None = None
    cmd_armed = _command_asks(seg)  # the command's first bare-number output answers it
    repl_armed = 0  # (its line no) the line right after `>>> torch.get_num_threads()` answers it
    for ln in seg.lines:
        t = ln.text
        n: int | None = None
        m = _LABELLED.search(t) if _mentions(t) else None
        b = None if m else _BARE.match(t)
        if m:
            n = int(m.group(1))
        elif b and (repl_armed or cmd_armed):
            n = int(b.group(1))
            if repl_armed:
                r.claimed.add(repl_armed)
                repl_armed = 0
            else:
                cmd_armed = False
        elif _asks(t.removeprefix(">>> ")):
            repl_armed = ln.no
            continue
        repl_armed = 0
        if n is not None and 0 < n <= 100000:
            r.claimed.add(ln.no)
            if best is None or n > best[0]:
                best = (n, ln.no)
    if best:
        r.facts.append(Fact("cpu.threads", best[0], best[1]))
    return r
