"""A rescreen screens a customer from the readings kept with its last result, never reading
its names again, and gets the answer reading them would give."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

import screening.matching.index as index_module
from screening.monitoring import results, service
from screening.monitoring.customers import CustomerData
from screening.monitoring.models import Customer
from screening.monitoring.results import Screener
from screening.policy.engine import Screening

NAMES = [
    CustomerData(name="Huawei Cloud Beijing", country="CN"),
    CustomerData(name="华为技术有限公司", aliases=("Huawei Tech",)),
    CustomerData(name="Meadow Copper Widgets LLC", country="US"),
]


def answer(screening: Screening) -> tuple[object, ...]:
    return (
        screening.decision,
        [(m.party_key, m.score, m.match_type, m.matched_name) for m in screening.matches],
        [(r.decision, r.rule) for r in screening.reasons],
        screening.normalized,
        screening.note,
    )


def test_a_screen_from_kept_readings_answers_as_reading_the_names(
    sessions: sessionmaker[Session], screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sessions.begin() as db:
        for n, data in enumerate(NAMES):
            service.save_customer(db, f"c{n}", data, screener=screener, actor="test")
    with sessions() as db:
        customers = list(db.query(Customer).order_by(Customer.id))
        kept = results.kept_current(db, customers[0].id, customers[-1].id)
        read_now = results.assess(screener, customers, actor="test")
    assert set(kept) == {c.id for c in customers}
    assert all(record for record in kept.values())

    def never(name: str) -> object:
        raise AssertionError(f"{name!r} was read again")

    monkeypatch.setattr(index_module, "read", never)
    from_kept = results.assess(screener, customers, actor="test", current=kept)
    assert [answer(a.screening) for a in from_kept] == [answer(a.screening) for a in read_now]
    assert [a.screening.decision for a in from_kept] != ["clear"] * len(NAMES)
    # Kept readings that are current are not kept again.
    assert all(a.readings is None and a.terms is None for a in from_kept)
