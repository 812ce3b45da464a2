"""What each tool does, over the shared KB. Errors an agent can act on are the library's InputErrors,
which the server turns into tool errors (server.GotchaServer).

Lookup is kb.search.lookup, the same call `gotcha lookup` makes, so a tool's structured output
equals `gotcha --json lookup` for the same query (tests/test_mcp_stdio.py holds them to it).
"""

from __future__ import annotations

from gotcha_kb.engine.models import Diagnosis
from gotcha_kb.kb import views
from gotcha_kb.kb.models import SourceRef
from gotcha_kb.kb.names import InputError
from gotcha_kb.kb.results import EntryDetail, EntryList, LookupMatch, LookupResult, ProfileView
from gotcha_kb.kb.search import lookup as kb_lookup
from gotcha_kb.mcp_server.models import ProbeScript
from gotcha_kb.mcp_server.state import KB

# Why 2 MiB: the end of a log is where it broke, and 2 MiB is tens of thousands of lines. The engine
# itself would keep the last 8 MiB; a tool call that big is an agent pasting a whole file by mistake.
MAX_TEXT_BYTES = 2 * 1024 * 1024


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def check_text(text: str) -> str:
    if not text.strip():
        raise InputError("text is empty: pass the error message, log tail or command output you see on the box")
    # A UTF-8 char is at most 4 bytes, so short text needs no encoding to be under the cap.
    size = len(text) if len(text) * 4 <= MAX_TEXT_BYTES else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise InputError(
            f"text is {_mib(size)} ({size} bytes); the limit is {_mib(MAX_TEXT_BYTES)} ({MAX_TEXT_BYTES} bytes of UTF-8). "
            "Send the end of the log (where it broke) or only the relevant command output, e.g. `tail -c 1M log`."
        )
    return text


def lookup(kb: KB, query: str, platform: str | None, limit: int) -> LookupResult:
    result = kb_lookup(kb.index, kb.search, query, platform, limit)
    matches = [LookupMatch(**{**m, "source": relative(kb, m["source"])}) for m in result["matches"]]
    return LookupResult(query=result["query"], platform=result["platform"], matches=matches, did_you_mean=result["did_you_mean"])


def get_entry(kb: KB, entry_id: str, platform: str | None) -> EntryDetail:
    entry = views.get_entry(kb.catalog, entry_id, platform)
    entry.source = SourceRef(path=relative(kb, entry.source.path), line=entry.source.line)
    return entry


def diagnose(kb: KB, text: str, platform: str | None, limit: int, include_faint: bool = False) -> Diagnosis:
    """The engine's Diagnosis, compacted for an agent's context (engine/brief.py)."""
    from gotcha_kb.engine.brief import compact

    check_text(text)
    d = kb.engine.diagnose(text, platform=platform or None, top_k=limit)
    return compact(d, kb.catalog.sources, include_faint)


def relative(kb: KB, source: str) -> str:
    from gotcha_kb.kb.paths import relative_source

    return relative_source(source, kb.catalog.sources)


def list_entries(kb: KB, theme: str | None, platform: str | None) -> EntryList:
    return views.list_entries(kb.catalog, theme, platform)


def profile_view(kb: KB, platform: str, fields: list[str] | None) -> ProfileView:
    view = views.profile_view(kb.catalog, platform, fields)
    view.source = relative(kb, view.source)
    return view


def probe() -> ProbeScript:
    from gotcha_kb.engine.probe import probe_script

    return ProbeScript(
        script=probe_script(),
        usage="Save the script as probe.sh, then: ssh HOST 'sh -s' < probe.sh > bundle.txt ; "
        "pass the whole of bundle.txt as `text` to diagnose_symptom. It only reads (uptime, df, free, nvidia-smi, dmesg, cgroup files).",
    )
