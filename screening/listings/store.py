"""Every database query of the service. Functions take a Session and never commit: the caller's
unit of work decides what is one transaction (activation of a version is exactly one)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from screening.db import in_lists, utcnow
from screening.errors import ConflictError, NotFoundError
from screening.listings.models import (
    CustomList,
    ListEntryRow,
    ListSourceState,
    ListVersion,
    RefreshAttempt,
)
from screening.listings.records import ListEntry

INSERT_BATCH = 2000


def source_state(session: Session, source: str) -> ListSourceState:
    """The state row of a source, created on first use."""
    state = session.get(ListSourceState, source)
    if state is None:
        state = ListSourceState(source=source, consecutive_failures=0)
        session.add(state)
        session.flush()
    return state


def all_source_states(session: Session) -> dict[str, ListSourceState]:
    return {s.source: s for s in session.scalars(select(ListSourceState))}


def active_version(session: Session, source: str) -> ListVersion | None:
    state = session.get(ListSourceState, source)
    if state is None or state.active_version_id is None:
        return None
    return session.get(ListVersion, state.active_version_id)


def get_version(session: Session, version_id: int) -> ListVersion:
    version = session.get(ListVersion, version_id)
    if version is None:
        raise NotFoundError(f"list version {version_id} does not exist")
    return version


def versions(session: Session, source: str, *, limit: int = 20) -> Sequence[ListVersion]:
    query = (
        select(ListVersion)
        .where(ListVersion.source == source, ListVersion.complete.is_(True))
        .order_by(ListVersion.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def fingerprints(session: Session, version_id: int) -> dict[str, str]:
    rows = session.execute(
        select(ListEntryRow.source_key, ListEntryRow.fingerprint).where(
            ListEntryRow.version_id == version_id
        )
    )
    return {key: fp for key, fp in rows}


def entry_names(session: Session, version_id: int, keys: Iterable[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for chunk in in_lists(keys):
        rows = session.execute(
            select(ListEntryRow.source_key, ListEntryRow.name).where(
                ListEntryRow.version_id == version_id, ListEntryRow.source_key.in_(chunk)
            )
        )
        names.update({key: name for key, name in rows})
    return names


def entry_data(session: Session, version_id: int, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = list(keys)
    rows = session.execute(
        select(ListEntryRow.source_key, ListEntryRow.data).where(
            ListEntryRow.version_id == version_id, ListEntryRow.source_key.in_(wanted)
        )
    )
    return {key: data for key, data in rows}


def entry_rows(
    session: Session,
    version_ids: Sequence[int],
    *,
    source_key: str | None = None,
    party_key: str | None = None,
) -> list[ListEntryRow]:
    """Entries of these versions with this list key or this party key."""
    query = select(ListEntryRow).where(ListEntryRow.version_id.in_(list(version_ids)))
    if source_key is not None:
        query = query.where(ListEntryRow.source_key == source_key)
    if party_key is not None:
        query = query.where(ListEntryRow.party_key == party_key)
    return list(session.scalars(query.order_by(ListEntryRow.version_id, ListEntryRow.id)))


def load_entries(session: Session, version_id: int) -> list[ListEntry]:
    return list(iter_entries(session, version_id))


def iter_entries(session: Session, version_id: int) -> Iterator[ListEntry]:
    """The entries of a version, read from the database in batches: a caller that is not the
    request path can pause between them. Batches are small because a driver decodes a whole
    batch's JSON in one call, holding the interpreter throughout."""
    rows = session.scalars(
        select(ListEntryRow.data)
        .where(ListEntryRow.version_id == version_id)
        .order_by(ListEntryRow.id)
        .execution_options(yield_per=100)
    )
    for data in rows:
        yield ListEntry.from_dict(data)


def active_version_ids(session: Session) -> dict[str, int]:
    """{source: active version id}: one small query, cheap enough to poll every few seconds."""
    rows = session.execute(
        select(ListSourceState.source, ListSourceState.active_version_id)
        .where(ListSourceState.active_version_id.is_not(None))
        .order_by(ListSourceState.source)
    )
    return {source: version_id for source, version_id in rows if version_id is not None}


def active_entries(session: Session) -> tuple[list[ListEntry], dict[str, ListVersion]]:
    """Entries of every active version, with the versions they came from (keyed by source)."""
    entries: list[ListEntry] = []
    used: dict[str, ListVersion] = {}
    for state in session.scalars(select(ListSourceState).order_by(ListSourceState.source)):
        if state.active_version_id is None:
            continue
        used[state.source] = get_version(session, state.active_version_id)
        entries.extend(load_entries(session, state.active_version_id))
    return entries, used


def add_version(
    session: Session,
    *,
    source: str,
    entries: Sequence[ListEntry],
    fingerprints_by_key: dict[str, str],
    fetched_at: datetime,
    content_sha256: str,
    parser_version: str,
    files: list[dict[str, Any]],
    warnings: list[str],
    diff: dict[str, Any],
    previous_version_id: int | None,
    complete: bool = True,
) -> ListVersion:
    """Write a version (not yet active) and the given entries; a refresh stages a big list with
    `complete=False` and no entries, then adds them with `add_entries` in batches."""
    version = ListVersion(
        source=source,
        fetched_at=fetched_at,
        content_sha256=content_sha256,
        parser_version=parser_version,
        record_count=len(fingerprints_by_key),
        previous_version_id=previous_version_id,
        files=files,
        warnings=warnings,
        diff=diff,
        complete=complete,
    )
    session.add(version)
    session.flush()
    add_entries(session, version.id, entries, fingerprints_by_key)
    return version


def add_entries(
    session: Session,
    version_id: int,
    entries: Sequence[ListEntry],
    fingerprints_by_key: dict[str, str],
) -> None:
    rows = [
        {
            "version_id": version_id,
            "source_key": e.source_key,
            "party_key": e.key,
            "kind": e.kind.value,
            "name": e.name,
            "fingerprint": fingerprints_by_key[e.source_key],
            "data": e.to_dict(),
        }
        for e in entries
    ]
    # One compiled statement reused for every batch: cheaper than building one per batch.
    statement = insert(ListEntryRow)
    for start in range(0, len(rows), INSERT_BATCH):
        session.execute(statement, rows[start : start + INSERT_BATCH])


def complete_version(session: Session, version_id: int) -> None:
    get_version(session, version_id).complete = True


def discard_incomplete(session: Session, source: str) -> int:
    """Delete the versions of a source that a refresh began and never completed (a crash, a lost
    lease); returns how many. Only the holder of the source's refresh lease may call this."""
    doomed = list(
        session.scalars(
            select(ListVersion.id).where(
                ListVersion.source == source, ListVersion.complete.is_(False)
            )
        )
    )
    if doomed:
        session.execute(delete(ListEntryRow).where(ListEntryRow.version_id.in_(doomed)))
        session.execute(delete(ListVersion).where(ListVersion.id.in_(doomed)))
    return len(doomed)


def activate(session: Session, source: str, version_id: int, at: datetime) -> None:
    state = source_state(session, source)
    state.active_version_id = version_id
    state.last_success_at = at
    state.consecutive_failures = 0
    state.last_error = None


def record_attempt(
    session: Session,
    *,
    source: str,
    started_at: datetime,
    status: str,
    error: str | None = None,
    version_id: int | None = None,
    files: list[dict[str, Any]] | None = None,
) -> None:
    now = utcnow()
    session.add(
        RefreshAttempt(
            source=source,
            started_at=started_at,
            finished_at=now,
            status=status,
            error=error,
            version_id=version_id,
            files=files or [],
        )
    )
    state = source_state(session, source)
    state.last_attempt_at = now
    state.last_status = status
    if status == "failed":
        state.last_error = error
        state.last_error_at = now
        state.consecutive_failures = (state.consecutive_failures or 0) + 1
    elif status == "unchanged":
        state.last_success_at = now
        state.last_error = None
        state.consecutive_failures = 0


def attempts(session: Session, source: str, *, limit: int = 20) -> Sequence[RefreshAttempt]:
    query = (
        select(RefreshAttempt)
        .where(RefreshAttempt.source == source)
        .order_by(RefreshAttempt.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def count_versions(session: Session, source: str) -> int:
    query = (
        select(func.count())
        .select_from(ListVersion)
        .where(ListVersion.source == source, ListVersion.complete.is_(True))
    )
    return int(session.scalar(query) or 0)


def prune_entries(session: Session, source: str, *, keep: int) -> int:
    """Delete the entries of all but the `keep` newest versions of a source; returns rows deleted.

    The active version and the one before it (the base of its diff) are always kept. Version rows
    (provenance, diffs) and the raw files stay, so a pruned version can still be audited and its
    bytes parsed again.
    """
    state = session.get(ListSourceState, source)
    protected = {v.id for v in versions(session, source, limit=max(keep, 0))}
    if state is not None and state.active_version_id is not None:
        protected.add(state.active_version_id)
        active = session.get(ListVersion, state.active_version_id)
        if active is not None and active.previous_version_id is not None:
            protected.add(active.previous_version_id)
    doomed = select(ListVersion.id).where(
        ListVersion.source == source, ListVersion.id.not_in(protected)
    )
    result = session.execute(delete(ListEntryRow).where(ListEntryRow.version_id.in_(doomed)))
    return int(getattr(result, "rowcount", 0) or 0)


def custom_lists(session: Session) -> list[CustomList]:
    return list(session.scalars(select(CustomList).order_by(CustomList.source)))


def get_custom_list(session: Session, source: str) -> CustomList | None:
    return session.get(CustomList, source)


def add_custom_list(session: Session, source: str, title: str, created_by: str | None) -> None:
    if session.get(CustomList, source) is not None:
        raise ConflictError(f"custom list {source} exists already")
    session.add(CustomList(source=source, title=title, created_by=created_by))
    session.flush()
