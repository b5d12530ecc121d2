"""Batches live in the database: any process shows them, and a job whose process stopped is
finished by another."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from api.http.app import create_app
from screening.audit import batches
from screening.audit.models import BatchJob, ScreeningRecord
from screening.db import utcnow
from screening.settings import Settings
from tests.api.web.conftest import sign_in

ROWS = [
    {"id": "1", "name": "深度求索"},
    {"id": "2", "name": "Apple Inc.", "country": "US"},
    {"id": "3", "name": ""},
]


def _wait_finished(client: TestClient, job: str) -> dict[str, object]:
    status: dict[str, object] = {}
    for _ in range(300):
        status = client.get(f"/ui/batch/{job}/status").json()
        if status["state"] in ("finished", "failed"):
            break
        time.sleep(0.05)
    return status


def test_a_job_whose_process_stopped_is_finished_by_another(
    web_settings: Settings, labs_loaded: None, people: dict[str, str], sessions
) -> None:
    job = "00000000000000ab"
    with sessions.begin() as session:
        batches.create(
            session, job_id=job, owner="user:alice", filename="parties.csv", rows=ROWS,
            worker="gone-host:1:dead", request_id=None,
        )  # fmt: skip
        # The first row was screened before its process stopped; the heartbeat is long stale.
        batches.record_row(
            session, job, 0, "gone-host:1:dead", screening_id=None, decision="deny", error=None
        )
        session.execute(
            update(BatchJob).values(state="running", heartbeat_at=utcnow() - timedelta(minutes=5))
        )
    app = create_app(web_settings, start_background=False)
    with TestClient(app, follow_redirects=False) as other:
        sign_in(other, "alice")
        assert "parties.csv" in other.get("/ui/batch").text  # listing it takes it over
        status = _wait_finished(other, job)
        assert status == {**status, "state": "finished", "done": 3, "errors": 1}
        with sessions() as session:
            assert session.scalar(select(BatchJob.worker).where(BatchJob.id == job)) != (
                "gone-host:1:dead"
            )
            # Only the two rows left were screened again, not the one already done.
            assert session.scalar(select(func.count()).select_from(ScreeningRecord)) == 1
        rows = list(csv.DictReader(io.StringIO(other.get(f"/ui/batch/{job}/results.csv").text)))
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert rows[1]["decision"] == "clear"
    assert rows[2]["error"]


def test_a_batch_uploaded_to_one_process_is_shown_by_another(
    web_settings: Settings, labs_loaded: None, people: dict[str, str]
) -> None:
    data = "id,name,country\n1,深度求索,\n2,Apple Inc.,US\n".encode()
    with (
        TestClient(create_app(web_settings, start_background=False), follow_redirects=False) as one,
        TestClient(create_app(web_settings, start_background=False), follow_redirects=False) as two,
    ):
        sign_in(one, "alice")
        sign_in(two, "alice")
        token = one.get("/ui/batch").text.split('name="csrf_token" value="')[1].split('"')[0]
        answer = one.post(
            "/ui/batch", data={"csrf_token": token}, files={"file": ("p.csv", data, "text/csv")}
        )
        assert answer.status_code == 303, answer.text
        job = answer.headers["location"].rsplit("/", 1)[1]
        status = _wait_finished(two, job)
        assert status == {**status, "state": "finished", "done": 2, "deny": 1, "clear": 1}
        lines = two.get(f"/ui/batch/{job}/results.jsonl").text.splitlines()
    assert len(lines) == 2
    assert '"decision": "deny"' in lines[0]
