"""Scheduled list refreshes with APScheduler 3.

Each source refreshes on its own interval. With several service processes every one of them may
run this scheduler; the database lease taken by each refresh makes sure only one refresh of a
source runs at a time, the others skip it (and record the skip).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler

from lists import all_sources
from screening.listings.refresh import RefreshOutcome

log = logging.getLogger(__name__)


class Refreshes(Protocol):
    def refresh(self, source: str, *, allow_drop: bool = False) -> RefreshOutcome: ...


def refresh_job(refresher: Refreshes, source: str) -> None:
    # APScheduler swallows job exceptions into a log line; report the outcome ourselves.
    try:
        outcome = refresher.refresh(source)
    except Exception:
        log.exception("scheduled refresh of %s crashed", source)
        return
    level = logging.INFO if outcome.ok else logging.WARNING
    log.log(level, "scheduled refresh: %s", outcome.line())


def configure(scheduler: BaseScheduler, refresher: Refreshes, *, first_run_in_s: float = 0) -> None:
    start = datetime.now(UTC) + timedelta(seconds=first_run_in_s)
    for source in all_sources():
        scheduler.add_job(
            refresh_job,
            "interval",
            minutes=source.refresh_interval_minutes,
            args=(refresher, source.id),
            id=f"refresh:{source.id}",
            next_run_time=start,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=600,
            replace_existing=True,
        )


def background_scheduler(refresher: Refreshes, *, first_run_in_s: float = 0) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    configure(scheduler, refresher, first_run_in_s=first_run_in_s)
    return scheduler
