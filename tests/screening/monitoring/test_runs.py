"""Full rescreens: chunks fixed at the start, each committed with its results, resumable."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from screening.audit.models import ScreeningRecord
from screening.monitoring import runs, service
from screening.monitoring.customers import CustomerData
from screening.monitoring.results import Screener


def add_customers(sessions: sessionmaker[Session], count: int) -> None:
    with sessions.begin() as db:
        for n in range(count):
            data = CustomerData(name=f"Customer {n} Widgets LLC", country="US")
            service.save_customer(db, f"c{n}", data, screener=None, actor="test")


def screens_per_customer(sessions: sessionmaker[Session]) -> Counter[str]:
    with sessions() as db:
        return Counter(s["name"] for s in db.scalars(select(ScreeningRecord.subject)))


def test_a_crashed_run_resumes_without_screening_anyone_twice(
    sessions: sessionmaker[Session], screener: Screener
) -> None:
    add_customers(sessions, 10)
    with sessions.begin() as db:
        run_id = runs.start(db, actor="test", chunk_size=3).id
    assert screens_per_customer(sessions) == Counter()

    def crash(number: int, _counts: Counter[str]) -> None:
        if number == 1:
            raise RuntimeError("crash after two chunks")

    with pytest.raises(RuntimeError):
        runs.run_to_end(sessions, screener, run_id, actor="test", on_chunk=crash)
    assert sum(screens_per_customer(sessions).values()) == 6
    with sessions() as db:
        assert runs.pending_chunks(db, run_id) == [2, 3]
        assert runs.unfinished(db) is not None

    summary = runs.run_to_end(sessions, screener, run_id, actor="test")
    assert summary.screened == 10
    assert summary.chunks == summary.chunks_done == 4
    per_customer = screens_per_customer(sessions)
    assert len(per_customer) == 10
    assert set(per_customer.values()) == {1}
    with sessions() as db:
        assert runs.unfinished(db) is None


def test_a_chunk_is_claimed_once(sessions: sessionmaker[Session], screener: Screener) -> None:
    add_customers(sessions, 2)
    with sessions.begin() as db:
        run_id = runs.start(db, actor="test", chunk_size=5).id
    with sessions.begin() as db:
        assert runs.run_chunk(db, screener, run_id, 0, actor="a") == Counter(
            {"screened": 2, "clear": 2}
        )
    with sessions.begin() as db:
        # A second worker handed the same chunk finds it done and screens nobody.
        assert runs.run_chunk(db, screener, run_id, 0, actor="b") is None
    assert sum(screens_per_customer(sessions).values()) == 2


def test_a_run_with_no_customers_is_done_at_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as db:
        run = runs.start(db, actor="test")
        assert run.status == "done"
