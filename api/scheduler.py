"""Scheduled list refreshes and rescreens with APScheduler 3.

Each source refreshes on its own interval. With several service processes every one of them may
run this scheduler; the database lease taken by each refresh makes sure only one refresh of a
source runs at a time, the others skip it (and record the skip).

Rescreens: a delta as soon as a refresh here activates a version, and at least every
`SCREENING_RESCREEN_DELTA_POLL_S` (versions activated by any other process are pending in the
database, so they are caught up too); a full rescreen every
`SCREENING_RESCREEN_FULL_INTERVAL_HOURS`. Only one run runs at a time, whichever process
starts it (the database refuses a second).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler

from lists import all_sources
from screening.errors import ConflictError, IndexNotReadyError
from screening.listings.refresh import RefreshOutcome
from screening.monitoring.runs import RunSummary

log = logging.getLogger(__name__)


PENDING_JOB = "rescreen:pending"
FULL_JOB = "rescreen:full"


class Refreshes(Protocol):
    def refresh(self, source: str, *, allow_drop: bool = False) -> RefreshOutcome: ...


class Rescreening(Protocol):
    def run_pending(self, *, actor: str, full: bool = False) -> RunSummary | None: ...


def refresh_job(
    refresher: Refreshes, source: str, on_activation: Callable[[], None] | None = None
) -> None:
    # APScheduler swallows job exceptions into a log line; report the outcome ourselves.
    try:
        outcome = refresher.refresh(source)
    except Exception:
        log.exception("scheduled refresh of %s crashed", source)
        return
    level = logging.INFO if outcome.ok else logging.WARNING
    log.log(level, "scheduled refresh: %s", outcome.line())
    if outcome.status == "new_version" and on_activation is not None:
        on_activation()


def rescreen_job(rescreens: Rescreening, full: bool) -> None:
    try:
        summary = rescreens.run_pending(actor="scheduler", full=full)
    except (ConflictError, IndexNotReadyError) as exc:
        log.info("scheduled rescreen not started: %s", exc.detail)
        return
    except Exception:
        log.exception("scheduled %s rescreen crashed", "full" if full else "delta")
        return
    if summary is not None:
        log.info("scheduled rescreen: %s", summary.line())


def configure_rescreens(
    scheduler: BaseScheduler,
    rescreens: Rescreening,
    *,
    delta_poll_s: float,
    full_interval_hours: float,
) -> Callable[[], None]:
    """Add the rescreen jobs; returns what to call when a version was activated here."""
    scheduler.add_job(
        rescreen_job,
        "interval",
        seconds=delta_poll_s,
        args=(rescreens, False),
        id=PENDING_JOB,
        coalesce=True,
        max_instances=1,
        replace_existing=True,
    )
    if full_interval_hours > 0:
        scheduler.add_job(
            rescreen_job,
            "interval",
            hours=full_interval_hours,
            args=(rescreens, True),
            id=FULL_JOB,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
            replace_existing=True,
        )

    def soon() -> None:
        scheduler.modify_job(PENDING_JOB, next_run_time=datetime.now(UTC))

    return soon


def configure(
    scheduler: BaseScheduler,
    refresher: Refreshes,
    *,
    first_run_in_s: float = 0,
    on_activation: Callable[[], None] | None = None,
) -> None:
    start = datetime.now(UTC) + timedelta(seconds=first_run_in_s)
    for source in all_sources():
        scheduler.add_job(
            refresh_job,
            "interval",
            minutes=source.refresh_interval_minutes,
            args=(refresher, source.id, on_activation),
            id=f"refresh:{source.id}",
            next_run_time=start,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=600,
            replace_existing=True,
        )


def background_scheduler(
    refresher: Refreshes,
    *,
    first_run_in_s: float = 0,
    rescreens: Rescreening | None = None,
    delta_poll_s: float = 60.0,
    full_interval_hours: float = 0.0,
) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    soon = None
    if rescreens is not None:
        soon = configure_rescreens(
            scheduler,
            rescreens,
            delta_poll_s=delta_poll_s,
            full_interval_hours=full_interval_hours,
        )
    configure(scheduler, refresher, first_run_in_s=first_run_in_s, on_activation=soon)
    return scheduler
