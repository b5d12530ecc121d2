"""The scheduler's rescreens: a delta soon after a refresh activates a version and on a poll,
a full rescreen on its interval, and failures reported rather than raised."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from api.scheduler import FULL_JOB, PENDING_JOB, configure_rescreens, refresh_job, rescreen_job
from screening.errors import ConflictError
from screening.listings.refresh import RefreshOutcome
from screening.monitoring.runs import RunSummary


class Rescreens:
    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[bool] = []
        self.error = error

    def run_pending(self, *, actor: str, full: bool = False) -> RunSummary | None:
        self.calls.append(full)
        if self.error is not None:
            raise self.error
        return RunSummary(1)


class Refresher:
    def __init__(self, status: str) -> None:
        self.status = status

    def refresh(self, source: str, *, allow_drop: bool = False) -> RefreshOutcome:
        return RefreshOutcome(source, self.status, version_id=2, records=10)


def test_delta_poll_and_full_interval_jobs() -> None:
    scheduler = BackgroundScheduler(timezone="UTC")
    configure_rescreens(scheduler, Rescreens(), delta_poll_s=30, full_interval_hours=24)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert jobs[PENDING_JOB].trigger.interval == timedelta(seconds=30)
    assert jobs[FULL_JOB].trigger.interval == timedelta(hours=24)
    assert jobs[PENDING_JOB].args[1] is False
    assert jobs[FULL_JOB].args[1] is True
    none = BackgroundScheduler(timezone="UTC")
    configure_rescreens(none, Rescreens(), delta_poll_s=30, full_interval_hours=0)
    assert {job.id for job in none.get_jobs()} == {PENDING_JOB}


def test_an_activation_brings_the_delta_forward() -> None:
    scheduler = BackgroundScheduler(timezone="UTC")
    soon = configure_rescreens(scheduler, Rescreens(), delta_poll_s=3600, full_interval_hours=0)
    scheduler.start(paused=True)
    try:
        calls: list[str] = []
        refresh_job(Refresher("unchanged"), "us_ofac_sdn", lambda: calls.append("x"))
        assert calls == []
        refresh_job(Refresher("new_version"), "us_ofac_sdn", soon)
        job = scheduler.get_job(PENDING_JOB)
        assert job.next_run_time <= datetime.now(UTC) + timedelta(seconds=1)
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize("error", [ConflictError("another run"), RuntimeError("db down")])
def test_a_failed_rescreen_is_reported_not_raised(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rescreens = Rescreens(error)
    rescreen_job(rescreens, False)
    assert rescreens.calls == [False]
    assert ("not started" in caplog.text) or ("crashed" in caplog.text)
