"""Rescreen runs, full or delta, in chunks fixed when the run starts, each chunk committed with
its results and its "done" mark in one transaction.

A full run screens every customer; a delta run (`screening.monitoring.delta`) checks every
customer against what changed and screens the ones it can affect. Only one run is running at a
time (a partial unique index is the arbiter); when one finishes, the versions it screened
against become the cursors that say what is pending next.

A run that stops half-way (a crash, a deploy) is continued by the next `run_pending`: the
chunks already done are skipped, the one in progress was rolled back whole, so no customer is
screened twice and none is skipped. A chunk is identified by (run id, number) so that a task
queue can hand chunks to several workers later; claiming one is a conditional UPDATE that only
one transaction can win.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from screening.audit import store as audit_store
from screening.db import utcnow
from screening.errors import ConflictError, IndexNotReadyError, NotFoundError
from screening.listings import store as list_store
from screening.monitoring import delta
from screening.monitoring.delta import DELTA, DeltaPlan
from screening.monitoring.models import Customer, RescreenChunk, RescreenRun
from screening.monitoring.results import (
    Assessed,
    Screener,
    assess,
    count,
    kept_current,
    store,
)

FULL = "full"
KINDS = (FULL, DELTA)
DELTA_CHUNKS = 10


@dataclass(slots=True)
class RunSummary:
    run_id: int
    kind: str = FULL
    chunks: int = 0
    chunks_done: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def screened(self) -> int:
        return self.counts["screened"]

    def line(self) -> str:
        decisions = ", ".join(f"{d} {self.counts[d]}" for d in ("clear", "review", "deny"))
        checked = f"checked {self.counts['checked']}, " if self.kind == DELTA else ""
        return (
            f"run {self.run_id} ({self.kind}): {checked}screened {self.screened}, new alerts "
            f"{self.counts['new_alerts']}; decisions: {decisions}"
        )


def start(
    session: Session,
    *,
    kind: str = FULL,
    actor: str,
    chunk_size: int = 500,
    versions: Mapping[str, int] | None = None,
    base: Mapping[str, int | None] | None = None,
) -> RescreenRun:
    """A new run whose chunks cover every customer stored now, by id; `versions` are the list
    versions it screens against (they become the cursors when it is done)."""
    if kind not in KINDS:
        raise ValueError(f"unknown run kind {kind!r}")
    if versions is None and kind == FULL:
        versions = list_store.active_version_ids(session)
    run = RescreenRun(
        kind=kind,
        status="running",
        started_at=utcnow(),
        started_by=actor,
        versions=dict(versions) if versions is not None else None,
        base=dict(base) if base is not None else None,
    )
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        raise ConflictError(
            "another rescreen run is running; `screening rescreen` continues it"
        ) from None
    ids = list(session.scalars(select(Customer.id).order_by(Customer.id)))
    for number, first in enumerate(range(0, len(ids), max(chunk_size, 1))):
        part = ids[first : first + chunk_size]
        session.add(RescreenChunk(run_id=run.id, number=number, first_id=part[0], last_id=part[-1]))
    if not ids:
        run.status, run.finished_at = "done", utcnow()
        delta.advance(session, run.versions or {})
    session.flush()
    return run


def start_delta(session: Session, *, actor: str, chunk_size: int = 500) -> RescreenRun | None:
    """A delta run over every pending version change, or None when nothing is pending. Its
    chunks are DELTA_CHUNKS times larger than a full run's: most customers are only checked,
    and a chunk's own statements and claim then cost more than its customers do."""
    changes = delta.pending(session)
    if not changes:
        return None
    return start(
        session,
        kind=DELTA,
        actor=actor,
        chunk_size=chunk_size * DELTA_CHUNKS,
        versions={s: to for s, (_, to) in changes.items()},
        base={s: start_version for s, (start_version, _) in changes.items()},
    )


class PlanCache:
    """The plan of a delta run, computed once per process (it reads the changed entries and
    builds a small index of them)."""

    def __init__(self) -> None:
        self._plans: dict[int, DeltaPlan] = {}

    def get(self, session: Session, run: RescreenRun) -> DeltaPlan:
        found = self._plans.get(run.id)
        if found is None:
            found = delta.plan(session, run.base or {}, run.versions or {})
            self._plans = {run.id: found}
        return found


def _check_versions(screener: Screener, run: RescreenRun) -> None:
    loaded = screener.snapshot.version_ids
    behind = {s: v for s, v in (run.versions or {}).items() if loaded.get(s, 0) < v}
    if behind:
        raise IndexNotReadyError(
            f"rescreen run {run.id} needs list versions {behind}; the loaded index has "
            f"{dict(loaded)} (reload the index first)"
        )


def unfinished(session: Session, *, kind: str | None = None) -> RescreenRun | None:
    query = select(RescreenRun).where(RescreenRun.status == "running")
    if kind is not None:
        query = query.where(RescreenRun.kind == kind)
    return session.scalar(query.order_by(RescreenRun.id))


def get_run(session: Session, run_id: int) -> RescreenRun:
    run = session.get(RescreenRun, run_id)
    if run is None:
        raise NotFoundError(f"no rescreen run {run_id}")
    return run


def pending_chunks(session: Session, run_id: int) -> list[int]:
    query = (
        select(RescreenChunk.number)
        .where(RescreenChunk.run_id == run_id, RescreenChunk.done_at.is_(None))
        .order_by(RescreenChunk.number)
    )
    return list(session.scalars(query))


def run_chunk(
    session: Session,
    screener: Screener,
    run_id: int,
    number: int,
    *,
    actor: str,
    worker: str | None = None,
    plans: PlanCache | None = None,
) -> Counter[str] | None:
    """Screen one chunk inside the caller's transaction; None if it was done already (by an
    earlier attempt or another worker)."""
    run = get_run(session, run_id)
    if run.kind == DELTA:
        _check_versions(screener, run)
    # A chunk another transaction is screening right now is skipped, not waited for
    # (PostgreSQL; SQLite has one writer anyway): the caller comes back to it if it is
    # still pending once that transaction has ended.
    free = session.scalar(
        select(RescreenChunk)
        .where(
            RescreenChunk.run_id == run_id,
            RescreenChunk.number == number,
            RescreenChunk.done_at.is_(None),
        )
        .with_for_update(skip_locked=True)
    )
    if free is None:
        return None
    first_id, last_id = free.first_id, free.last_id
    assessed: list[Assessed] = []
    alerted: set[int] = set()
    # The screening comes before the claim, the first write: on SQLite a transaction holds
    # the only writer's lock from its first write, so rescreen processes screen side by side
    # and take turns only to store.
    selection: delta.Selection | None = None
    if run.kind == DELTA:
        changes = (plans or PlanCache()).get(session, run)
        selection = delta.select_range(session, screener, changes, first_id, last_id, actor=actor)
    else:
        customers = session.scalars(
            select(Customer)
            .where(Customer.id >= first_id, Customer.id <= last_id)
            .order_by(Customer.id)
        ).all()
        alerted = delta.with_alerts(session, first_id, last_id)
        current = kept_current(session, first_id, last_id)
        assessed = assess(screener, customers, actor=actor, current=current)
    claimed = session.execute(
        update(RescreenChunk)
        .where(
            RescreenChunk.run_id == run_id,
            RescreenChunk.number == number,
            RescreenChunk.done_at.is_(None),
        )
        .values(done_at=utcnow(), done_by=worker)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    chunk = session.get(RescreenChunk, (run_id, number))
    assert chunk is not None
    if selection is not None:
        tally = delta.store_range(session, screener, selection, actor=actor)
        chunk.summary = dict(tally)
        return tally
    audit_store.remember_policy(
        session, screener.engine.loaded.version, screener.engine.loaded.text
    )
    counts: Counter[str] = Counter()
    for outcome in store(
        session, screener, assessed, actor=actor, policy_stored=True, alerted=alerted
    ):
        count(counts, outcome)
    chunk.summary = dict(counts)
    return counts


def done_by_others(session: Session, run_id: int, worker: str) -> list[tuple[int, Counter[str]]]:
    """The chunks of a run that other workers than `worker` have done, with their tallies."""
    query = (
        select(RescreenChunk)
        .where(
            RescreenChunk.run_id == run_id,
            RescreenChunk.done_at.is_not(None),
            RescreenChunk.done_by != worker,
        )
        .order_by(RescreenChunk.number)
    )
    return [(c.number, Counter(c.summary or {})) for c in session.scalars(query)]


def summary(session: Session, run_id: int) -> RunSummary:
    result = RunSummary(run_id, get_run(session, run_id).kind)
    for chunk in session.scalars(select(RescreenChunk).where(RescreenChunk.run_id == run_id)):
        result.chunks += 1
        if chunk.done_at is not None:
            result.chunks_done += 1
            result.counts.update(chunk.summary or {})
    return result


def finish_if_done(session: Session, run_id: int) -> bool:
    left = session.scalar(
        select(func.count())
        .select_from(RescreenChunk)
        .where(RescreenChunk.run_id == run_id, RescreenChunk.done_at.is_(None))
    )
    if left:
        return False
    closed = session.execute(
        update(RescreenRun)
        .where(RescreenRun.id == run_id, RescreenRun.status == "running")
        .values(status="done", finished_at=utcnow())
    )
    if getattr(closed, "rowcount", 0) == 1:
        delta.advance(session, get_run(session, run_id).versions or {})
    return True


def run_to_end(
    sessions: sessionmaker[Session],
    screener: Screener,
    run_id: int,
    *,
    actor: str,
    on_chunk: Callable[[int, Counter[str]], None] | None = None,
    worker: str | None = None,
    share: tuple[int, int] = (0, 1),
    plans: PlanCache | None = None,
) -> RunSummary:
    """Every pending chunk of a run, one transaction each (this is a composition helper: it
    owns the transactions because each chunk must commit on its own). `share` (i, n): only
    the chunks whose number is i modulo n, for one of n processes working a run together."""
    part, processes = share
    with sessions() as session:
        numbers = [n for n in pending_chunks(session, run_id) if n % processes == part]
    plans = plans or PlanCache()
    for number in numbers:
        with sessions.begin() as session:
            counts = run_chunk(
                session, screener, run_id, number, actor=actor, worker=worker, plans=plans
            )
        if on_chunk is not None and counts is not None:
            on_chunk(number, counts)
    with sessions.begin() as session:
        finish_if_done(session, run_id)
        return summary(session, run_id)
