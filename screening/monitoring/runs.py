"""Full rescreens: every customer against the active lists and policy, in chunks fixed when the
run starts, each chunk committed with its results and its "done" mark in one transaction.

A run that stops half-way (a crash, a deploy) is continued by the next `run_pending`: the
chunks already done are skipped, the one in progress was rolled back whole, so no customer is
screened twice and none is skipped. A chunk is identified by (run id, number) so that a task
queue can hand chunks to several workers later; claiming one is a conditional UPDATE that only
one transaction can win.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from screening.db import utcnow
from screening.errors import NotFoundError
from screening.monitoring.models import Customer, RescreenChunk, RescreenRun
from screening.monitoring.results import Screener, screen_customer

FULL = "full"


@dataclass(slots=True)
class RunSummary:
    run_id: int
    chunks: int = 0
    chunks_done: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def screened(self) -> int:
        return self.counts["screened"]

    def line(self) -> str:
        decisions = ", ".join(f"{d} {self.counts[d]}" for d in ("clear", "review", "deny"))
        return (
            f"run {self.run_id}: screened {self.screened}, new alerts "
            f"{self.counts['new_alerts']}; decisions: {decisions}"
        )


def start(session: Session, *, kind: str = FULL, actor: str, chunk_size: int = 500) -> RescreenRun:
    """A new run whose chunks cover every customer stored now, by id."""
    run = RescreenRun(kind=kind, status="running", started_at=utcnow(), started_by=actor)
    session.add(run)
    session.flush()
    ids = list(session.scalars(select(Customer.id).order_by(Customer.id)))
    for number, first in enumerate(range(0, len(ids), max(chunk_size, 1))):
        part = ids[first : first + chunk_size]
        session.add(RescreenChunk(run_id=run.id, number=number, first_id=part[0], last_id=part[-1]))
    if not ids:
        run.status, run.finished_at = "done", utcnow()
    session.flush()
    return run


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
    session: Session, screener: Screener, run_id: int, number: int, *, actor: str
) -> Counter[str] | None:
    """Screen one chunk inside the caller's transaction; None if it was done already (by an
    earlier attempt or another worker)."""
    claimed = session.execute(
        update(RescreenChunk)
        .where(
            RescreenChunk.run_id == run_id,
            RescreenChunk.number == number,
            RescreenChunk.done_at.is_(None),
        )
        .values(done_at=utcnow())
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    chunk = session.get(RescreenChunk, (run_id, number))
    assert chunk is not None
    customers = session.scalars(
        select(Customer)
        .where(Customer.id >= chunk.first_id, Customer.id <= chunk.last_id)
        .order_by(Customer.id)
    )
    counts: Counter[str] = Counter()
    for customer in customers:
        outcome = screen_customer(session, screener, customer, actor=actor)
        counts["screened"] += 1
        counts["new_alerts"] += outcome.new_alerts
        counts[outcome.decision] += 1
    chunk.summary = dict(counts)
    return counts


def summary(session: Session, run_id: int) -> RunSummary:
    result = RunSummary(run_id)
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
    session.execute(
        update(RescreenRun)
        .where(RescreenRun.id == run_id, RescreenRun.status == "running")
        .values(status="done", finished_at=utcnow())
    )
    return True


def run_to_end(
    sessions: sessionmaker[Session],
    screener: Screener,
    run_id: int,
    *,
    actor: str,
    on_chunk: Callable[[int, Counter[str]], None] | None = None,
) -> RunSummary:
    """Every pending chunk of a run, one transaction each (this is a composition helper: it
    owns the transactions because each chunk must commit on its own)."""
    with sessions() as session:
        numbers = pending_chunks(session, run_id)
    for number in numbers:
        with sessions.begin() as session:
            counts = run_chunk(session, screener, run_id, number, actor=actor)
        if on_chunk is not None and counts is not None:
            on_chunk(number, counts)
    with sessions.begin() as session:
        finish_if_done(session, run_id)
        return summary(session, run_id)
