from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler

from api.scheduler import configure, refresh_job
from lists import SOURCE_IDS, get_source
from screening.listings.refresh import RefreshOutcome


class RecordingRefresher:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[str] = []
        self.fail = fail

    def refresh(self, source: str) -> RefreshOutcome:
        self.calls.append(source)
        if self.fail:
            raise RuntimeError("database went away")
        return RefreshOutcome(source, "unchanged", version_id=1, records=10)


def test_one_job_per_source_on_its_own_interval():
    scheduler = BackgroundScheduler(timezone="UTC")
    configure(scheduler, RecordingRefresher(), first_run_in_s=60)  # type: ignore[arg-type]
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {f"refresh:{s}" for s in SOURCE_IDS}
    for source in SOURCE_IDS:
        job = jobs[f"refresh:{source}"]
        minutes = job.trigger.interval.total_seconds() / 60
        assert minutes == get_source(source).refresh_interval_minutes
        assert job.max_instances == 1
        assert job.coalesce is True


def test_job_reports_instead_of_raising(caplog):
    refresher = RecordingRefresher(fail=True)
    refresh_job(refresher, "us_ofac_sdn")  # type: ignore[arg-type]
    assert refresher.calls == ["us_ofac_sdn"]
    assert "scheduled refresh of us_ofac_sdn crashed" in caplog.text
