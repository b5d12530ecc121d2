"""Audit rows written in bulk (a rescreen chunk: COPY on PostgreSQL) read back as written, in
the caller's transaction."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from screening.audit import store
from screening.audit.models import ScreeningRecord


def rows(count: int) -> list[dict[str, Any]]:
    return [
        store.screening_row(
            screening_id=f"s{n:04d}",
            screened_on="2026-12-01",
            context="monitoring",
            key_id="rescreen",
            request_id=None,
            subject={"name": f"Org {n}\x00", "note": 'tab\there, quote " and \\ backslash'},
            normalized={"names": [f"org {n}"], "domain": None},
            version_ids={"us_ofac_sdn": 7},
            policy_version="p1",
            decision="clear" if n % 2 else "review",
            answer={"matches": [{"score": 0.5, "name": "Ünïcode 华为"}], "n": n},
            customer_ref=f"cust-{n}" if n % 3 else None,
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [1, store.COPY_FROM + 5])
def test_screenings_read_back_as_written(sessions: sessionmaker[Session], count: int) -> None:
    written = rows(count)
    with sessions.begin() as db:
        store.record_screenings(db, written)
    with sessions() as db:
        found = {r.id: r for r in db.scalars(select(ScreeningRecord))}
    assert len(found) == count
    for row in written:
        record = found[row["id"]]
        assert record.subject == row["subject"]
        assert "\x00" not in record.subject["name"]
        assert record.answer == row["answer"]
        assert record.normalized == row["normalized"]
        assert record.version_ids == row["version_ids"]
        assert record.created_at == row["created_at"]
        assert (record.decision, record.customer_ref, record.key_id, record.request_id) == (
            row["decision"], row["customer_ref"], row["key_id"], None
        )  # fmt: skip


def test_a_bulk_write_is_undone_with_its_transaction(sessions: sessionmaker[Session]) -> None:
    def write_then_fail() -> None:
        with sessions.begin() as db:
            store.record_screenings(db, rows(store.COPY_FROM + 1))
            raise RuntimeError("the chunk failed after its audit rows")

    with pytest.raises(RuntimeError, match="failed after"):
        write_then_fail()
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(ScreeningRecord)) == 0
