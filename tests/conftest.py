from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property and fuzz tests (test_redact.py, test_fuzz.py) set their own max_examples; the profile
# sets the rest. "ci" (the default) is reproducible: derandomized, no example database, no
# deadline (the machine is shared). HYPOTHESIS_PROFILE=explore draws fresh examples every run.
_QUIET = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
settings.register_profile("ci", deadline=None, derandomize=True, database=None, suppress_health_check=_QUIET)
settings.register_profile("explore", deadline=None, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# Sweeps (every hypothesis property, and tests marked `sweep`) run a twentieth of their budget by
# default (a smoke run: each diagnosis pays for the sentence encoder) and all of it with
# GOTCHA_THOROUGH=1, which CI's second step sets (.ci/run).
THOROUGH = os.environ.get("GOTCHA_THOROUGH") == "1"


def budget(full: int, smoke: int | None = None) -> int:
    """How many examples (or cases) a sweep tries: `full` when thorough; otherwise `smoke`, or a
    twentieth of `full` (at least 20)."""
    if THOROUGH:
        return full
    return smoke if smoke is not None else max(20, full // 20)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.sweep)


@pytest.fixture(scope="session")
def catalog():
    from gotcha_kb.kb.loader import load_catalog

    return load_catalog()


@pytest.fixture(scope="session")
def engine():
    from gotcha_kb.engine.api import build_engine

    return build_engine()


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    # Never read or write the user's real ~/.cache from tests.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.delenv("GOTCHA_CATALOG", raising=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """UPDATE_FIXTURES=1: write the diagnose fixtures' KNOWN_MISSES once every fixture has run."""
    if not os.environ.get("UPDATE_FIXTURES"):
        return
    from bless import RESULTS, write_known

    results = session.config.stash.get(RESULTS, None)
    if results:
        write_known(results)


# Shared by the MCP test modules (each gets its own instance: module scope).
@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """Environment for a spawned server: its own cache folder, the checkout on the path."""
    from mcp_support import child_env

    return child_env(tmp_path_factory.mktemp("mcp-cache"))


@pytest.fixture(scope="session")
def http_url(tmp_path_factory):
    """One HTTP server for the session (per xdist worker): its /mcp URL. Stopped at the end."""
    from mcp_support import child_env, http_server

    with http_server(env=child_env(tmp_path_factory.mktemp("http-cache"))) as url:
        yield url


@pytest.fixture(scope="module")
async def client():
    """The server in this process, through the SDK's in-memory client: the tools as an agent calls
    them, without a process per module. The transports have their own tests (test_mcp_stdio.py's
    spawned servers, test_mcp_http.py, the Inspector tests)."""
    from mcp import Client

    from gotcha_kb.mcp_server.server import build_server

    async with Client(build_server()) as c:
        yield c
