"""A script with Windows line ends: `file x.sh` (with CRLF line terminators), `cat -A` (`^M$`), `od -c` (`\\r  \\n`)."""

from __future__ import annotations

import re

from gotcha_kb.engine.evidence import Fact, Reading, Segment

NAME = "file_crlf"
FACTS = {"file.crlf": "a shown file has CRLF line ends (False when `file`/`cat -A`/`od -c` shows plain LF)"}
SECTIONS = ("file",)

_FILE_OUT = re.compile(r"^\S[^:]{0,300}:\s+\S.{0,400}\btext\b")  # `run.sh: Bourne-Again shell script, ASCII text executable`
_CRLF_TERM = re.compile(r"\bwith CRLF(?:, (?:CR|LF|NEL))* line terminators\b")
_OD = re.compile(r"^[0-7]{7,}(?:\s|$)")  # `0000000   #   !   /   b   i   n  \r  \n`
_OD_CRLF = re.compile(r"\\r\s+\\n")
_HEXDUMP = re.compile(r"^[0-9a-f]{8}\s+(?:[0-9a-f]{2}\s{1,2}){1,16}\s*\|.{0,16}\|$")


def _kind(cmd: str) -> str | None:
    args = cmd.split()
    if not args:
        return None
    if args[0] == "file":
        return "file"
    if args[0] == "cat" and any(a.startswith("-") and not a.startswith("--") and ("A" in a or "e" in a or "v" in a) or a in ("--show-all", "--show-nonprinting", "-vE") for a in args[1:]):
        return "cat"
    if args[0] == "od" and any("c" in a for a in args[1:] if a.startswith("-")):
        return "od"
    if args[0] in ("hexdump", "hd") and (args[0] == "hd" or "-C" in args):
        return "hexdump"
    return None


def sniff(seg: Segment) -> bool:
    if _kind(seg.command):
        return True
    for ln in seg.lines:
        t = ln.text
        if t.endswith("^M$") or "line terminators" in t or ("\\r" in t and t[:1].isdigit()):
            return True
    return False


def parse(seg: Segment) -> Reading:
    r = Reading()
    kind = "file" if seg.section else _kind(seg.command)
    crlf: int | None = None
    plain: int | None = None
    od_cr = False  # the previous od line ended in \r: a \n opening this one completes the pair
    for ln in seg.lines:
        t = ln.text
        hit = False
        seen = False
        if "line terminators" in t and _CRLF_TERM.search(t):
            hit = True
        elif t.endswith("^M$") or (kind == "cat" and t.endswith("^M")):
            hit = True
        elif t[:1].isdigit() and (kind == "od" or "\\" in t) and _OD.match(t):
            body = t.split(None, 1)[1] if " " in t else ""
            hit = bool(_OD_CRLF.search(body)) or (od_cr and body.startswith("\\n"))
            od_cr = body.endswith("\\r")
            seen = True
        elif kind == "hexdump" and _HEXDUMP.match(t):
            hit = " 0d 0a " in t.split("|")[0] + " " or " 0d  0a " in t
            seen = True
        elif kind == "file" and _FILE_OUT.match(t):
            seen = True
        elif kind == "cat" and t.endswith("$"):
            seen = True
        if hit:
            r.claimed.add(ln.no)
            crlf = crlf or ln.no
        elif seen:
            r.claimed.add(ln.no)
            plain = plain or ln.no
    if crlf:
        r.facts.append(Fact("file.crlf", True, crlf))
    elif plain:
        r.facts.append(Fact("file.crlf", False, plain))
    return r
