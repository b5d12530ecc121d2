"""Two `screening worker` processes on one PostgreSQL database split a full rescreen through the
procrastinate queue: every chunk done once, by one of them, each customer screened once; and
they deliver webhooks side by side, each delivery sent once."""

from __future__ import annotations

import socket
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from api.queue import Runtime, enqueue, is_postgres, make_queue
from api.rescreen import Rescreens
from api.wiring import load_custom_list
from screening.audit.models import ScreeningRecord
from screening.listings import store as list_store
from screening.monitoring import runs, service, webhooks
from screening.monitoring.customers import CustomerData
from screening.monitoring.models import (
    Alert,
    RescreenChunk,
    RescreenRun,
    WebhookAttempt,
    WebhookDelivery,
)
from screening.settings import Settings
from tests.api.http.test_webhooks import receiver
from tests.processes import running, service_env, wait_for

CUSTOMERS = 240
CHUNK = 5


@pytest.fixture
def pg_url(db_url: str) -> str:
    if not is_postgres(db_url):
        pytest.skip("needs SCREENING_TEST_DATABASE_URL pointing at PostgreSQL")
    return db_url


def test_two_workers_split_a_full_rescreen_with_no_chunk_done_twice(
    pg_url: str, loaded: None, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions.begin() as db:
        db.execute(text("DELETE FROM procrastinate.procrastinate_jobs"))
        for n in range(CUSTOMERS):
            data = CustomerData(name=f"Customer {n} Widgets LLC", country="US")
            service.save_customer(db, f"c{n}", data, screener=None, actor="test")
        run_id = runs.start(db, actor="test", chunk_size=CHUNK).id
    chunks = CUSTOMERS // CHUNK
    env = service_env(database_url=pg_url, data_dir=str(tmp_path / "data"))
    with (
        running(["worker", "--no-webhooks"], env, tmp_path / "w1.log") as one,
        running(["worker", "--no-webhooks"], env, tmp_path / "w2.log") as two,
    ):
        for log in (tmp_path / "w1.log", tmp_path / "w2.log"):

            def ready(log: Path = log) -> bool:
                return "on queue rescreen" in log.read_text()

            wait_for(f"{log.name} ready", ready, timeout=120)
        settings = Settings(database_url=pg_url)
        assert enqueue(make_queue(settings, Runtime(settings, sessions)), run_id, range(chunks))

        def finished() -> bool:
            with sessions() as db:
                return db.get(RescreenRun, run_id).status == "done"  # type: ignore[union-attr]

        wait_for("the run to finish", finished, timeout=180, every=0.5)
        assert one.poll() is None
        assert two.poll() is None
    host = socket.gethostname()
    names = {f"{host}:{one.pid}", f"{host}:{two.pid}"}
    with sessions() as db:
        done_by = Counter(db.scalars(select(RescreenChunk.done_by)))
        screened = Counter(s["name"] for s in db.scalars(select(ScreeningRecord.subject)))
        jobs: dict[str, int] = dict(
            db.execute(
                text(
                    "SELECT status::text, count(*) FROM procrastinate.procrastinate_jobs "
                    "GROUP BY status"
                )
            ).all()
        )
    assert sum(done_by.values()) == chunks
    assert set(done_by) == names, done_by  # both took part, nobody else did
    assert len(screened) == CUSTOMERS
    assert set(screened.values()) == {1}  # nobody screened twice, nobody skipped
    assert jobs == {"succeeded": chunks}


def test_rescreen_processes_split_a_full_rescreen_on_sqlite(
    db_url: str, loaded: None, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    if is_postgres(db_url):
        pytest.skip("processes side by side are for SQLite; PostgreSQL uses workers")
    with sessions.begin() as db:
        for n in range(60):
            data = CustomerData(name=f"Customer {n} Widgets LLC", country="US")
            service.save_customer(db, f"c{n}", data, screener=None, actor="test")
    settings = Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        rescreen_chunk_size=4,
        rescreen_processes=2,
    )
    rescreens = Rescreens(settings, sessions)
    reported: list[int] = []
    begun = rescreens.begin(full=True, actor="test")
    assert begun is not None
    summary = rescreens.run(begun.run_id, on_chunk=lambda number, _: reported.append(number))
    assert summary.screened == 60
    assert sorted(reported) == list(range(15))  # every chunk reported once, whoever did it
    with sessions() as db:
        done_by = Counter(db.scalars(select(RescreenChunk.done_by)))
        screened = Counter(s["name"] for s in db.scalars(select(ScreeningRecord.subject)))
        status = db.get(RescreenRun, begun.run_id).status  # type: ignore[union-attr]
    assert status == "done"
    assert len(done_by) == 2, done_by  # both took part
    assert sum(done_by.values()) == 15
    assert len(screened) == 60
    assert set(screened.values()) == {1}  # nobody screened twice, nobody skipped
    # A delta after a list change is split the same way, the plan built once and inherited.
    with sessions.begin() as db:
        list_store.add_custom_list(db, "custom_partners", "Partners", "test")
    partners = b"key,name\np1,Customer 7 Widgets LLC"
    load_custom_list(settings, sessions, "custom_partners", partners)
    changed = rescreens.run_pending(actor="test")
    assert changed is not None
    assert changed.kind == "delta"
    assert changed.counts["checked"] == 60
    with sessions() as db:
        alerts = list(db.scalars(select(Alert.party_key)))
        delta_by = Counter(
            db.scalars(select(RescreenChunk.done_by).where(RescreenChunk.run_id == changed.run_id))
        )
    assert len(delta_by) == 2, delta_by  # 40 customers a chunk: two chunks, one each
    assert sum(delta_by.values()) == 2
    assert len(alerts) == 1, alerts  # the one customer of that name


def test_two_worker_processes_send_each_webhook_delivery_once(
    pg_url: str, loaded: None, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    # More deliveries than one claim takes (50), so the second worker has some to take.
    events = 40
    env = service_env(database_url=pg_url, data_dir=str(tmp_path / "data"), webhook_poll_s="0.2")
    with (
        receiver() as box,
        running(["worker"], env, tmp_path / "w1.log") as one,
        running(["worker"], env, tmp_path / "w2.log") as two,
    ):
        # Long enough for the two to overlap: one claim of 50 takes a second to send, and the
        # other worker polls every 0.2 s.
        box.delay_s = 0.02
        for log in (tmp_path / "w1.log", tmp_path / "w2.log"):

            def ready(log: Path = log) -> bool:
                return "on queue rescreen" in log.read_text()

            wait_for(f"{log.name} ready", ready, timeout=120)
        with sessions.begin() as db:
            for path in ("/a", "/b"):
                webhooks.register(db, box.url + path, "s" * 32, actor="test")
            for n in range(events):
                webhooks.emit(db, webhooks.ALERT_OPENED, {"alert_id": n})
        wait_for("every delivery", lambda: len(box.received) >= 2 * events, timeout=60)
        time.sleep(1.0)  # several more polls of both: nothing is sent again
        assert one.poll() is None
        assert two.poll() is None
        ids = [r["headers"][webhooks.DELIVERY_HEADER] for r in box.received]
    assert len(ids) == 2 * events
    assert len(set(ids)) == 2 * events
    host = socket.gethostname()
    with sessions() as db:
        senders = Counter(db.scalars(select(WebhookAttempt.sender)))
        statuses = set(db.scalars(select(WebhookDelivery.status)))
    assert sum(senders.values()) == 2 * events  # one attempt each
    assert set(senders) == {f"{host}:{one.pid}:webhooks", f"{host}:{two.pid}:webhooks"}, senders
    assert statuses == {"delivered"}
