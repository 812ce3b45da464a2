"""Errors the faces map to messages and exit codes; kept import-light (the CLI imports this on every run)."""


class ModelError(Exception):
    """The fitted model is missing or unreadable: answers would silently change, so refuse."""
