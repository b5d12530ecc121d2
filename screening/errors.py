"""Errors the core raises. The API maps each class to an RFC 9457 problem type.

ScreeningError
├── ListError
│   ├── UnknownSourceError      a source id that no module declares
│   ├── ListFetchError          the download failed (network, HTTP status, size cap, timeout)
│   ├── ListParseError          the bytes are not the format the source publishes
│   ├── ListSanityError         parsed, but implausible (empty, shrunk, HTML page, out of bounds)
│   └── LeaseHeldError          another process is refreshing this source right now
├── InvalidQueryError           a screening input that cannot be screened (empty, too long, ...)
├── NotFoundError               a version, entry or record that does not exist
├── ConflictError               it exists already (a custom list created twice)
├── IndexNotReadyError          no list has been loaded into the matcher yet
└── AuthError
    ├── NotAuthenticatedError   no API key, or an unknown one
    └── NotPermittedError       a valid key whose role may not do this
"""

from __future__ import annotations


class ScreeningError(Exception):
    """Base of every error this project raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ListError(ScreeningError):
    """Something wrong with one list source."""

    def __init__(self, detail: str, *, source: str | None = None) -> None:
        super().__init__(detail)
        self.source = source


class UnknownSourceError(ListError):
    """No list source has this id."""


class ListFetchError(ListError):
    """A list file could not be downloaded."""


class ListParseError(ListError):
    """A list file is malformed or not in the format its source publishes."""


class ListSanityError(ListError):
    """A parsed list failed the sanity checks that guard the active version."""


class LeaseHeldError(ListError):
    """Another process holds the refresh lease for this source."""


class InvalidQueryError(ScreeningError):
    """A name or screening request that cannot be screened."""


class NotFoundError(ScreeningError):
    """The thing asked for does not exist."""


class ConflictError(ScreeningError):
    """What is being created exists already."""


class IndexNotReadyError(ScreeningError):
    """The match index has not been built yet (no active list version, or still loading)."""


class AuthError(ScreeningError):
    """Authentication or authorisation failed."""


class NotAuthenticatedError(AuthError):
    """No API key, or one that matches no configured key."""


class NotPermittedError(AuthError):
    """The caller's role may not use this endpoint."""
