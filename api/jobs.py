"""Runs list refreshes for a service process, off its request path.

A refresh parses tens of megabytes of CSV and XML in Python; in the API process it would hold the
GIL for seconds and stall every screen. So by default each refresh runs in a child process (one at
a time, started with `spawn` so it shares no state), and this process only learns the outcome and
publishes `ListActivated` for its own subscribers (the live index rebuilds; other processes see the
new version through their watchers).
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy.orm import Session, sessionmaker

from api.wiring import background_priority, make_refresher, open_sessions
from screening.events import EventBus
from screening.listings import store
from screening.listings.events import ListActivated
from screening.listings.refresh import RefreshOutcome
from screening.settings import Settings

log = logging.getLogger(__name__)


def _refresh_in_child(
    settings: Settings, sources: list[str], allow_drop: bool
) -> list[RefreshOutcome]:
    background_priority(settings)
    with open_sessions(settings) as sessions:
        return make_refresher(settings, sessions).refresh_many(sources, allow_drop=allow_drop)


class RefreshRunner:
    def __init__(
        self, settings: Settings, sessions: sessionmaker[Session], events: EventBus
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.events = events
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def refresh(self, source: str, *, allow_drop: bool = False) -> RefreshOutcome:
        return self.refresh_many([source], allow_drop=allow_drop)[0]

    def refresh_many(
        self, sources: Iterable[str], *, allow_drop: bool = False
    ) -> list[RefreshOutcome]:
        wanted = list(sources)
        if not wanted:
            return []
        if not self.settings.refresh_in_subprocess:
            refresher = make_refresher(self.settings, self.sessions, events=self.events)
            return refresher.refresh_many(wanted, allow_drop=allow_drop)
        outcomes = (
            self._executor().submit(_refresh_in_child, self.settings, wanted, allow_drop).result()
        )
        for outcome in outcomes:
            if outcome.status == "new_version" and outcome.version_id is not None:
                self.events.publish(self._event(outcome.source, outcome.version_id))
        return outcomes

    def _event(self, source: str, version_id: int) -> ListActivated:
        with self.sessions() as session:
            version = store.get_version(session, version_id)
            diff = version.diff or {}
            return ListActivated(
                source=source,
                version_id=version_id,
                previous_version_id=version.previous_version_id,
                added=tuple(diff.get("added", ())),
                removed=tuple(diff.get("removed", ())),
                changed=tuple(diff.get("changed", ())),
                counts=dict(diff.get("counts", {})),
            )

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn")
                )
            return self._pool

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
