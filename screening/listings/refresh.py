"""Refreshing one list source: fetch, keep the raw files, parse, check, and activate atomically.

The order matters for "never lose the last good list": everything that can fail (network, parsing,
sanity checks) happens before the database transaction opens, and the transaction that writes the
new version is the same one that makes it active. A failure at any point leaves the previous version
active and is recorded as a failed attempt with its reason.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from screening import leases
from screening.db import utcnow
from screening.errors import LeaseHeldError, ListFetchError, ListParseError, ScreeningError
from screening.events import EventBus
from screening.listings import store
from screening.listings.diff import VersionDiff
from screening.listings.events import ListActivated
from screening.listings.fetching import FetchedFile, Fetcher, mirror_url, redact
from screening.listings.models import ListVersion
from screening.listings.rawstore import RawStore
from screening.listings.records import ListEntry
from screening.listings.sanity import check_count, check_raw_file
from screening.listings.source import ListSource, ParseResult, SourceFile

# Entries written per transaction while staging a version: one SQLite write of this size takes
# a few milliseconds, which is as long as a concurrent writer then waits.
STAGE_BATCH = 250

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RefreshOutcome:
    source: str
    status: str  # new_version | unchanged | failed | skipped
    detail: str = ""
    version_id: int | None = None
    records: int | None = None
    diff_counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The outcome as the API answers it."""
        return {
            "source": self.source,
            "status": self.status,
            "detail": self.detail,
            "version": self.version_id,
            "records": self.records,
            "diff": self.diff_counts,
        }

    @property
    def ok(self) -> bool:
        """A skip is not a success: nothing was checked, and the caller should know."""
        return self.status in ("new_version", "unchanged")

    def line(self) -> str:
        """One human-readable line, as `screening lists refresh` prints it."""
        if self.status == "new_version":
            counts = ", ".join(f"{v} {k}" for k, v in self.diff_counts.items())
            return (
                f"{self.source}: new version {self.version_id} ({self.records} records; {counts})"
            )
        if self.status == "unchanged":
            return f"{self.source}: unchanged (version {self.version_id}, {self.records} records)"
        return f"{self.source}: {self.status}: {self.detail}"


class Refresher:
    """The refresh use case. Everything it touches outside the database is injected: the source
    registry, the downloader and the raw-file store; activations are published on `events`."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        sources: Callable[[str], ListSource],
        fetcher: Fetcher,
        raw: RawStore,
        *,
        events: EventBus | None = None,
        mirror: str = "",
        max_drop_share: float = 0.3,
        lease_ttl: timedelta = timedelta(seconds=60),
    ) -> None:
        self.sessions = sessions
        self.resolve = sources
        self.fetcher = fetcher
        self.raw = raw
        self.events = events
        self.mirror = mirror
        self.max_drop_share = max_drop_share
        self.lease_ttl = lease_ttl
        self.holder = leases.holder_id()

    def refresh_many(
        self, sources: Iterable[str], *, allow_drop: bool = False
    ) -> list[RefreshOutcome]:
        return [self.refresh(sid, allow_drop=allow_drop) for sid in sources]

    def refresh(self, source_id: str, *, allow_drop: bool = False) -> RefreshOutcome:
        """Refresh one source, named by its id (`us_ofac_sdn`)."""
        source = self.resolve(source_id)
        started = utcnow()
        files: list[dict[str, Any]] = []
        lease = leases.HeldLease(self.sessions, f"refresh:{source.id}", self.holder, self.lease_ttl)
        with lease:
            if not lease.acquired:
                detail = self._held_by(lease.name)
                self._record(source.id, started, "skipped", files, error=detail)
                return RefreshOutcome(source.id, "skipped", detail)
            try:
                outcome, event = self._refresh(source, allow_drop, files, started, lease)
            except Exception as exc:
                detail = redact(exc.detail if isinstance(exc, ScreeningError) else _internal(exc))
                if not isinstance(exc, ScreeningError):
                    log.exception("refresh of %s failed unexpectedly", source.id)
                self._record(source.id, started, "failed", files, error=detail)
                return RefreshOutcome(source.id, "failed", detail)
        if outcome.status == "unchanged":
            self._record(source.id, started, "unchanged", files, version_id=outcome.version_id)
        elif event is not None and self.events is not None:
            self.events.publish(event)
        return outcome

    def _held_by(self, name: str) -> str:
        with self.sessions() as session:
            held = leases.current(session, name)
        if held is None:
            return "another process was refreshing it"
        return (
            f"another process ({held.holder}) is refreshing it; its lease runs to "
            f"{held.expires_at:%Y-%m-%dT%H:%M:%SZ} unless renewed"
        )

    def _record(
        self,
        source: str,
        started: datetime,
        status: str,
        files: list[dict[str, Any]],
        *,
        error: str | None = None,
        version_id: int | None = None,
    ) -> None:
        """An attempt that wrote no version: recorded in a transaction of its own."""
        with self.sessions.begin() as session:
            store.record_attempt(
                session,
                source=source,
                started_at=started,
                status=status,
                error=error,
                version_id=version_id,
                files=files,
            )

    def _refresh(
        self,
        source: ListSource,
        allow_drop: bool,
        files: list[dict[str, Any]],
        started: datetime,
        lease: leases.HeldLease,
    ) -> tuple[RefreshOutcome, ListActivated | None]:
        with self.sessions() as session:
            active = store.active_version(session, source.id)
        previous = {f["name"]: f for f in (active.files if active else [])}
        fetched = self._fetch_all(source, previous, files)
        digests = {f["name"]: f["sha256"] for f in files}
        same_bytes = active and digests == {f["name"]: f["sha256"] for f in active.files}
        if active and same_bytes and active.parser_version == source.parser_version:
            outcome = RefreshOutcome(source.id, "unchanged", "", active.id, active.record_count)
            return outcome, None
        blobs = {name: self.raw.read(sha) for name, sha in digests.items()}
        result = self._parse(source, blobs)
        entries = _dedupe(result)
        check_count(
            len(entries),
            source=source.id,
            min_records=source.min_records,
            max_records=source.max_records,
            previous=None if allow_drop or active is None else active.record_count,
            max_drop_share=self.max_drop_share,
        )
        return self._activate(
            source, entries, result.warnings, files, fetched, active, started, lease
        )

    def _fetch_all(
        self, source: ListSource, previous: dict[str, dict[str, Any]], files: list[dict[str, Any]]
    ) -> list[FetchedFile]:
        fetched: list[FetchedFile] = []
        for spec in source.files:
            url = mirror_url(spec.url, source.id, self.mirror) if spec.mirrored else spec.url
            before = previous.get(spec.name, {})
            try:
                got = self._fetch_one(spec, url, before)
                if spec.packaged and url != spec.url and got is None:
                    url = spec.url
                    got = self._fetch_one(spec, url, before)
                assert got is not None
            except ListFetchError as exc:
                exc.source = source.id
                if spec.required:
                    raise
                log.warning("optional file %s of %s skipped: %s", spec.name, source.id, exc)
                continue
            if got.not_modified:
                if not before:
                    raise ListFetchError(
                        f"{spec.name}: 304 without a stored copy", source=source.id
                    )
                files.append({**before, "not_modified": True})
                continue
            assert got.path is not None
            assert got.sha256 is not None
            with got.path.open("rb") as handle:
                head = handle.read(4096)
            try:
                check_raw_file(spec.name, head, got.size, source=source.id)
            finally:
                # Kept even when refused: the evidence of what the publisher served.
                self.raw.put(got.path, got.sha256)
            fetched.append(got)
            files.append(
                {
                    "name": spec.name,
                    "url": redact(url),
                    "sha256": got.sha256,
                    "size": got.size,
                    "etag": got.etag,
                    "last_modified": got.last_modified,
                    "fetched_at": got.fetched_at.isoformat(),
                }
            )
        return fetched

    def _fetch_one(self, spec: SourceFile, url: str, before: dict[str, Any]) -> FetchedFile | None:
        """Fetch one file; None when a mirror lacks a packaged file (the caller falls back)."""
        try:
            return self.fetcher.fetch(
                spec.name,
                url,
                self.raw.incoming,
                etag=before.get("etag") if before.get("url") == redact(url) else None,
                last_modified=before.get("last_modified")
                if before.get("url") == redact(url)
                else None,
            )
        except ListFetchError as exc:
            if spec.packaged and url != spec.url and " 404 " in f" {exc.detail} ":
                log.info("%s not in the mirror; using the packaged copy", spec.name)
                return None
            raise

    def _parse(self, source: ListSource, blobs: dict[str, bytes]) -> ParseResult:
        try:
            return source.parse(blobs)
        except ListParseError as exc:
            exc.source = source.id
            raise
        except (ValueError, KeyError, IndexError, UnicodeError) as exc:
            # A parser tripping over unexpected input is a bad file, not a crashed service.
            raise ListParseError(f"unparseable input: {_internal(exc)}", source=source.id) from exc

    def _activate(
        self,
        source: ListSource,
        entries: list[ListEntry],
        warnings: list[str],
        files: list[dict[str, Any]],
        fetched: list[FetchedFile],
        active: ListVersion | None,
        started: datetime,
        lease: leases.HeldLease,
    ) -> tuple[RefreshOutcome, ListActivated]:
        prints = {e.source_key: e.fingerprint() for e in entries}
        fetched_at = max((f.fetched_at for f in fetched), default=utcnow())
        combined = hashlib.sha256(
            "".join(
                f"{f['name']}:{f['sha256']}\n" for f in sorted(files, key=lambda f: f["name"])
            ).encode()
        ).hexdigest()
        # The entries are written in short transactions and only the activation is one: on
        # SQLite (one writer at a time) a screen's audit record then waits for one batch, never
        # for a whole list (bench/refresh_latency.py measured 1.3 s). A crash before activation
        # leaves the active version as it was and an incomplete one that nothing reads.
        with self.sessions.begin() as session:
            self._check_fence(session, lease)
            store.discard_incomplete(session, source.id)
            old = store.fingerprints(session, active.id) if active else {}
            diff = VersionDiff.between(old, prints).to_dict()
            version_id = store.add_version(
                session,
                source=source.id,
                entries=(),
                fingerprints_by_key=prints,
                fetched_at=fetched_at,
                content_sha256=combined,
                parser_version=source.parser_version,
                files=files,
                warnings=warnings[:1000],
                diff=diff,
                previous_version_id=active.id if active else None,
                complete=False,
            ).id
        for start in range(0, len(entries), STAGE_BATCH):
            if lease.lost:
                raise LeaseHeldError("the refresh lease was lost while writing; nothing activated")
            with self.sessions.begin() as session:
                batch = entries[start : start + STAGE_BATCH]
                store.add_entries(session, version_id, batch, prints)
        with self.sessions.begin() as session:
            self._check_fence(session, lease)
            store.complete_version(session, version_id)
            store.activate(session, source.id, version_id, utcnow())
            store.record_attempt(
                session,
                source=source.id,
                started_at=started,
                status="new_version",
                version_id=version_id,
                files=files,
            )
        outcome = RefreshOutcome(
            source.id, "new_version", "", version_id, len(entries), diff["counts"]
        )
        event = ListActivated(
            source=source.id,
            version_id=version_id,
            previous_version_id=active.id if active else None,
            added=tuple(diff["added"]),
            removed=tuple(diff["removed"]),
            changed=tuple(diff["changed"]),
            counts=dict(diff["counts"]),
        )
        return outcome, event

    @staticmethod
    def _check_fence(session: Session, lease: leases.HeldLease) -> None:
        # Fencing: a holder that paused past its lease (and was taken over) writes nothing more.
        if lease.lost or not leases.still_held(session, lease.name, lease.holder):
            raise LeaseHeldError("the refresh lease was lost before activation; nothing written")


def _dedupe(result: ParseResult) -> list[ListEntry]:
    seen: dict[str, ListEntry] = {}
    for entry in result.entries:
        if entry.source_key in seen:
            result.warnings.append(f"duplicate key {entry.source_key!r}: later entry dropped")
            continue
        seen[entry.source_key] = entry
    return list(seen.values())


def _internal(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
