"""The live match index of a service process: built from the active list versions and swapped in
one reference assignment, so a screen in flight keeps the index it started with and never sees
half a list.

One background thread (`LiveIndex.run`) owns every rebuild. It wakes when this process activates
a version (a `ListActivated` event) and, at least every `poll_s` seconds, compares the active
version of every source in the database with the versions it has loaded; that is how a version
activated by another process (the scheduler process, a CLI refresh, another API worker) reaches
this one within a bounded time. Entries of versions already loaded are kept, so a change to one
source re-reads only that source.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from screening.errors import IndexNotReadyError
from screening.listings import store
from screening.listings.events import ListActivated
from screening.listings.models import ListVersion
from screening.listings.records import ListEntry
from screening.matching.domains import DomainIndex
from screening.matching.index import MatchIndex
from screening.matching.model import Query
from screening.priority import FOREGROUND

log = logging.getLogger(__name__)
courteous = FOREGROUND.courteous


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


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The name and domain indexes of one set of list versions, swapped as one."""

    index: MatchIndex
    domains: DomainIndex
    # (party key, listed name) of names a curated list could not verify.
    unverified_names: frozenset[tuple[str, str]] = frozenset()
    # {source: version id} this snapshot was built from (what an audit record names).
    version_ids: Mapping[str, int] = field(default_factory=dict)
    # {party key: (headquarters country, verified)} where a list says where a party sits (the
    # curated lists do): an owner matched to such a party brings its headquarters along.
    headquarters: Mapping[str, tuple[str, bool]] = field(default_factory=dict)


def headquarters_of(entries: list[ListEntry]) -> dict[str, tuple[str, bool]]:
    out: dict[str, tuple[str, bool]] = {}
    for e in entries:
        if e.headquarters and e.key not in out:
            out[e.key] = (e.headquarters, f"headquarters:{e.headquarters}" not in e.unverified)
    return out


@contextmanager
def _gentle_build() -> Iterator[None]:
    """Build a new index without stalling the request threads of the same process.

    Measured on the real lists (bench/refresh_latency.py): with the cyclic collector on, building
    allocates millions of objects and triggers full collections that hold the GIL for 250-550 ms
    each; a 1 ms switch interval (5 ms by default) hands the GIL to a waiting request sooner.
    The index holds no reference cycles, so nothing is lost by not collecting during the build;
    afterwards everything alive is frozen out of future collections, since the index lives until
    the next version anyway.
    """
    was_enabled = gc.isenabled()
    interval = sys.getswitchinterval()
    gc.disable()
    sys.setswitchinterval(0.001)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        gc.freeze()
        if was_enabled:
            gc.enable()


def unverified_names(entries: list[ListEntry]) -> frozenset[tuple[str, str]]:
    return frozenset((e.key, n.value) for e in entries for n in e.aliases if not n.verified)


# Names that take every path of normalisation (Chinese segmentation and dictionaries, other
# scripts, decorations): their lazily loaded tables load here, not in a customer's request.
WARM_UP = ("Huawei Technologies Co Ltd", "华为技术有限公司", "華為技術", "Сбербанк", "Rosneft ™ 🚀")


def _warm(index: MatchIndex) -> None:
    for name in WARM_UP:
        index.screen(Query(name))


def _retire(retired: list[tuple[MatchIndex, list[list[ListEntry]]]], wait_s: float = 5.0) -> None:
    """Take replaced indexes apart in small steps once no screen still holds them (a screen in
    flight keeps the snapshot it started with); left to reference counting, whichever thread
    dropped the last reference would free one in a single ~60 ms step, a request included."""
    while retired:
        index, stale = retired.pop()
        deadline = time.monotonic() + wait_s
        # The references left are this frame's `index` and getrefcount's own argument.
        while sys.getrefcount(index) > 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        if sys.getrefcount(index) == 2:
            index.dismantle()
        for entries in stale:
            while entries:
                FOREGROUND.pause()
                del entries[-256:]


class LiveIndex:
    def __init__(self, sessions: sessionmaker[Session], *, poll_s: float = 10.0) -> None:
        self._sessions = sessions
        self.poll_s = poll_s
        self._snapshot: Snapshot | None = None
        self._loaded: dict[str, int] = {}
        self._entries: dict[int, list[ListEntry]] = {}
        # Serialises rebuilds (the watcher and an explicit reload); readers never take it: they
        # read the reference, which Python assigns atomically.
        self._rebuild = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._retired: list[tuple[MatchIndex, list[list[ListEntry]]]] = []
        self.last_error: str | None = None
        self.last_check: float | None = None
        # Active versions seen in the database and being built now (empty when none is).
        self.pending: dict[str, int] = {}
        # When the database was first seen ahead of the loaded index (readiness reports it).
        self.behind_since: float | None = None

    @property
    def ready(self) -> bool:
        return self._snapshot is not None

    @property
    def loaded_versions(self) -> Mapping[str, int]:
        return dict(self._loaded)

    def snapshot(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is None:
            raise IndexNotReadyError("no list is loaded yet; the first refresh is still running")
        return snapshot

    def get(self) -> MatchIndex:
        return self.snapshot().index

    def on_activated(self, event: ListActivated) -> None:
        """Subscriber of ListActivated: wake the watcher (the rebuild never runs in the
        publisher's thread, which may be a request)."""
        self._wake.set()
        if self._thread is None:
            # No watcher (a CLI command or a test): rebuild here.
            self.refresh_if_changed()

    def refresh_if_changed(self) -> bool:
        """Rebuild if the active versions in the database differ from the loaded ones."""
        with self._sessions() as session:
            active = store.active_version_ids(session)
        self.last_check = time.monotonic()
        if active == self._loaded and self._snapshot is not None:
            return False
        if not active:
            return False
        self.pending = {s: v for s, v in active.items() if self._loaded.get(s) != v}
        if self.behind_since is None:
            self.behind_since = time.monotonic()
        try:
            self.reload()
        finally:
            self.pending = {}
        return True

    def reload(self) -> MatchIndex:
        with self._rebuild, _gentle_build():
            started = time.perf_counter()
            with self._sessions() as session:
                active = store.active_version_ids(session)
                if not active:
                    raise IndexNotReadyError("no list has an active version yet; run a refresh")
                versions = {s: store.get_version(session, v) for s, v in active.items()}
                entries: list[ListEntry] = []
                for version_id in sorted(active.values()):
                    cached = self._entries.get(version_id)
                    if cached is None:
                        cached = list(courteous(store.iter_entries(session, version_id), 32))
                    self._entries[version_id] = cached
                    entries.extend(cached)
            index = MatchIndex.build(entries, {s: version_label(v) for s, v in versions.items()})
            _warm(index)
            retired = self._snapshot
            self._snapshot = Snapshot(
                index,
                DomainIndex(entries),
                unverified_names(entries),
                dict(active),
                headquarters_of(entries),
            )
            self._loaded = dict(active)
            self.behind_since = None
            stale = [self._entries.pop(v) for v in set(self._entries) - set(active.values())]
        log.info("match index rebuilt in %.2fs (%s)", time.perf_counter() - started, active)
        if retired is not None and self._thread is not None:
            # Taken apart by the watcher, after this returns: a caller of `reload` never waits
            # for screens still holding the old index. Without a watcher (a CLI command, a
            # test) reference counting frees it.
            self._retired.append((retired.index, stale))
        return index

    def start(self) -> None:
        """Start the watcher thread (a service process)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.run, name="index-watcher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh_if_changed()
                self.last_error = None
                _retire(self._retired)
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("match index refresh failed; keeping the loaded index")
            self._wake.wait(self.poll_s)
            self._wake.clear()
