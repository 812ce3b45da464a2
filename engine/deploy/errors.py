"""What can go wrong before a verdict exists.

DeployInputError is the caller's mistake (a missing dir, a bad ref or host), a kb.names.InputError:
the CLI exits 2, the MCP server answers a tool error.
ListingError and SshError are about the evidence from the box: they become an UNVERIFIABLE
verdict, because a listing we cannot trust proves nothing either way.
"""

from __future__ import annotations

from gotcha_kb.kb.names import InputError


class DeployError(Exception):
    """Base of everything verify-deploy raises on purpose."""


class DeployInputError(DeployError, InputError):
    """Bad arguments: a missing directory, an unknown ref, a host that could inject options."""


class TooManyFiles(DeployInputError):
    """The tree or listing is over the file cap; raised early, before anything is hashed."""


class ListingError(DeployError):
    """The listing from the box is unusable (a `..` path, an absolute path, conflicting lines)."""


class SshError(DeployError):
    """ssh could not run the listing on the box (refused, auth, timeout, no ssh binary)."""
