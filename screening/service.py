"""The live match index: built from the active list versions and swapped in one reference
assignment, so a screen in flight keeps the index it started with and never sees half a list."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from screening import store
from screening.errors import IndexNotReadyError
from screening.matching import MatchIndex
from screening.models import ListVersion

log = logging.getLogger(__name__)


def version_label(version: ListVersion) -> str:
    """How an answer names the list version it used: id, fetch date and content hash."""
    return (
        f"v{version.id} {version.fetched_at:%Y-%m-%dT%H:%MZ} sha256:{version.content_sha256[:12]}"
    )


def build_index(session: Session) -> MatchIndex:
    """Index of every active list; refuses to build an empty one (an empty index would clear
    everyone, which is the one answer a screening service must never give by accident)."""
    entries, versions = store.active_entries(session)
    if not versions:
        raise IndexNotReadyError("no list has an active version yet; run a refresh first")
    return MatchIndex.build(entries, {s: version_label(v) for s, v in versions.items()})


class IndexHolder:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._index: MatchIndex | None = None
        # Serialises rebuilds (a scheduler refresh and an admin refresh at once); readers never
        # take it: they read the reference, which Python assigns atomically.
        self._rebuild = threading.Lock()

    @property
    def ready(self) -> bool:
        return self._index is not None

    def get(self) -> MatchIndex:
        index = self._index
        if index is None:
            raise IndexNotReadyError("no list is loaded yet; the first refresh is still running")
        return index

    def refresh(self) -> None:
        """Rebuild after a list change (the refresher's callback)."""
        self.reload()

    def reload(self) -> MatchIndex:
        with self._rebuild:
            started = time.perf_counter()
            with self._sessions() as session:
                index = build_index(session)
            self._index = index
        log.info("match index rebuilt in %.2fs", time.perf_counter() - started)
        return index
