"""What the refresh use case needs from a downloader, and the mirror convention.

The core never talks HTTP: the service shell injects an implementation of `Fetcher` (the
requests-based one in `lists.fetch`, or a fake in tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class FetchedFile:
    name: str
    url: str
    # None when the server answered 304 Not Modified: the caller's copy is current.
    path: Path | None
    sha256: str | None
    size: int
    etag: str | None
    last_modified: str | None
    fetched_at: datetime

    @property
    def not_modified(self) -> bool:
        return self.path is None


class Fetcher(Protocol):
    def fetch(
        self,
        name: str,
        url: str,
        dest_dir: Path,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchedFile:
        """Download `url` into a new file under `dest_dir`; raise ListFetchError on failure."""
        ...


def mirror_url(official_url: str, source: str, mirror: str) -> str:
    """`{mirror}/{source}/{basename of the official URL}`; the official URL without a mirror."""
    if not mirror:
        return official_url
    name = urlsplit(official_url).path.rsplit("/", 1)[-1]
    return f"{mirror.rstrip('/')}/{source}/{name}"


_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@")


def redact(text: str) -> str:
    """Remove user:password@ from every URL in `text` (errors, logs and provenance are read by
    analysts; a mirror's credentials must never reach them)."""
    return _CREDENTIALS.sub(r"\1***@", text)
