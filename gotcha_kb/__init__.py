"""gotcha-kb: the one import name the installed package claims (gotcha_kb.kb, .engine, .cli, ...).

Installed, the subpackages sit in this folder. In a source checkout they stay at the repository
root, where the project's layout puts them (kb/, engine/, cli/, mcp_server/, evals/), and this
file points the package at that root so the same imports work without installing.
"""

import os as _os


def version() -> str:
    """The installed distribution's version (read lazily: importlib.metadata costs ~20 ms)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _dist_version

    try:
        return _dist_version("gotcha-kb")
    except PackageNotFoundError:
        return "unknown (not installed)"


_here = _os.path.dirname(_os.path.abspath(__file__))
_root = _os.path.dirname(_here)
if not _os.path.isdir(_os.path.join(_here, "kb")) and _os.path.isfile(_os.path.join(_root, "kb", "__init__.py")):
    __path__.append(_root)  # noqa: F821 (a package's __path__ is defined at import)
