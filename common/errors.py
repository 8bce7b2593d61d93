"""Domain errors: a stable code plus parameters, translated at the edge (web, API, CLI)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule was broken.  ``code`` is stable (tests and the API rely on it); ``params`` fill the message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.params!r})"


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it exists."""
