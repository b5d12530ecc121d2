"""Batch screens in the database: a job and its rows, claimed by one process at a time through
a heartbeat, so progress and results can be read from any process and a job whose process
stopped is finished by another."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from screening.audit.models import BatchJob, BatchRow, ScreeningRecord
from screening.db import utcnow

# A job whose heartbeat is older than this is taken to have lost its process.
STALE_AFTER = timedelta(seconds=60)
RUNNING = ("queued", "running")


def create(
    session: Session,
    *,
    job_id: str,
    owner: str,
    filename: str,
    rows: Sequence[dict[str, str]],
    worker: str,
    request_id: str | None,
) -> None:
    now = utcnow()
    session.add(
        BatchJob(
            id=job_id, owner=owner, filename=filename, total=len(rows), state="queued",
            request_id=request_id, created_at=now, worker=worker, heartbeat_at=now,
        )
    )  # fmt: skip
    session.flush()
    session.execute(
        insert(BatchRow),
        [
            {"job_id": job_id, "line": i, "input": dict(r), "done": False}
            for i, r in enumerate(rows)
        ],
    )


def claim(session: Session, job_id: str, worker: str, *, now: datetime | None = None) -> bool:
    """Take a job: ours already, or unfinished with a stale heartbeat. One statement, so two
    processes never both take it."""
    now = now or utcnow()
    taken = session.execute(
        update(BatchJob)
        .where(
            BatchJob.id == job_id,
            BatchJob.state.in_(RUNNING),
            (BatchJob.worker == worker) | (BatchJob.heartbeat_at < now - STALE_AFTER),
        )
        .values(worker=worker, heartbeat_at=now, state="running")
    )
    return bool(getattr(taken, "rowcount", 0))


def abandoned(session: Session, *, now: datetime | None = None) -> list[str]:
    now = now or utcnow()
    query = select(BatchJob.id).where(
        BatchJob.state.in_(RUNNING), BatchJob.heartbeat_at < now - STALE_AFTER
    )
    return list(session.scalars(query))


def pending(session: Session, job_id: str, *, limit: int) -> list[tuple[int, dict[str, Any]]]:
    query = (
        select(BatchRow.line, BatchRow.input)
        .where(BatchRow.job_id == job_id, BatchRow.done.is_(False))
        .order_by(BatchRow.line)
        .limit(limit)
    )
    return [(line, dict(data)) for line, data in session.execute(query)]


def record_row(
    session: Session,
    job_id: str,
    line: int,
    worker: str,
    *,
    screening_id: str | None,
    decision: str | None,
    error: str | None,
) -> bool:
    """Store one row's outcome and beat the heart; False if another process took the job."""
    still_ours = session.execute(
        update(BatchJob)
        .where(BatchJob.id == job_id, BatchJob.worker == worker)
        .values(heartbeat_at=utcnow())
    )
    if not getattr(still_ours, "rowcount", 0):
        return False
    session.execute(
        update(BatchRow)
        .where(BatchRow.job_id == job_id, BatchRow.line == line)
        .values(done=True, screening_id=screening_id, decision=decision, error=error)
    )
    return True


def finish(session: Session, job_id: str, worker: str, *, failure: str | None = None) -> None:
    session.execute(
        update(BatchJob)
        .where(BatchJob.id == job_id, BatchJob.worker == worker)
        .values(state="failed" if failure else "finished", failure=failure, finished_at=utcnow())
    )


def get(session: Session, job_id: str) -> BatchJob | None:
    return session.get(BatchJob, job_id)


def of_owner(session: Session, owner: str, *, limit: int = 50) -> list[BatchJob]:
    query = (
        select(BatchJob)
        .where(BatchJob.owner == owner)
        .order_by(BatchJob.created_at.desc(), BatchJob.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def progress(session: Session, job_id: str) -> dict[str, int]:
    """Rows done, rows refused, and decisions so far."""
    out = {"done": 0, "errors": 0, "clear": 0, "review": 0, "deny": 0}
    query = (
        select(BatchRow.decision, BatchRow.error.is_not(None), func.count())
        .where(BatchRow.job_id == job_id, BatchRow.done.is_(True))
        .group_by(BatchRow.decision, BatchRow.error.is_not(None))
    )
    for decision, refused, count in session.execute(query):
        out["done"] += count
        if refused:
            out["errors"] += count
        elif decision in out:
            out[decision] += count
    return out


def results(
    session: Session, job_id: str
) -> list[tuple[dict[str, Any], dict[str, Any] | None, str | None]]:
    """Every row in file order: (input, the recorded answer or None, error or None)."""
    query = (
        select(BatchRow.input, ScreeningRecord.answer, BatchRow.error)
        .outerjoin(ScreeningRecord, ScreeningRecord.id == BatchRow.screening_id)
        .where(BatchRow.job_id == job_id)
        .order_by(BatchRow.line)
    )
    return [(dict(i), dict(a) if a is not None else None, e) for i, a, e in session.execute(query)]
