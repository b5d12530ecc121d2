"""Alerts: one per (customer, party) even with two writers; false positives reopen only when
the listed party or the customer changes; four-eyes."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from screening.errors import InvalidQueryError, NotPermittedError
from screening.monitoring import alerts, customers, review
from screening.monitoring.alerts import Finding
from screening.monitoring.customers import CustomerData
from screening.monitoring.models import Alert, AlertEvent, Customer, CustomerMatch
from screening.monitoring.results import access_of

FINDING = Finding(
    "un_sc_sanctions:KPe.001", "review", "un_sc_sanctions", "KPe.001", "KMDTC", 0.9, "fp-1"
)


def new_customer(sessions: sessionmaker[Session], name: str = "Acme Mining") -> int:
    with sessions.begin() as db:
        customer, _ = customers.upsert(db, "acme", CustomerData(name=name))
        return customer.id


def test_two_writers_open_one_alert(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    customer_id = new_customer(sessions)
    with sessions.begin() as first:
        one = first.get(Customer, customer_id)
        assert one is not None
        assert alerts.raise_for(first, one, FINDING, actor="a")
    # The second writer looked before the first committed: it saw no alert and inserts one.
    real = alerts.alert_for
    looks = iter([None])
    monkeypatch.setattr(alerts, "alert_for", lambda *a: next(looks, None) or real(*a))
    with sessions.begin() as second:
        two = second.get(Customer, customer_id)
        assert two is not None
        assert not alerts.raise_for(second, two, FINDING, actor="b")
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(Alert)) == 1
        assert db.scalar(select(func.count()).select_from(AlertEvent)) == 1


def test_a_false_positive_reopens_when_the_listed_party_changes(
    sessions: sessionmaker[Session],
) -> None:
    customer_id = new_customer(sessions)
    with sessions.begin() as db:
        customer = db.get(Customer, customer_id)
        assert customer is not None
        alerts.raise_for(db, customer, FINDING, actor="scan")
        alert_id = db.scalar(select(Alert.id))
        assert alert_id is not None
        review.decide(db, alert_id, "false_positive", actor="ana", note="other co", four_eyes=False)
    with sessions.begin() as db:
        customer = db.get(Customer, customer_id)
        assert customer is not None
        assert not alerts.raise_for(db, customer, FINDING, actor="scan")
        assert alerts.get_alert(db, alert_id).status == "false_positive"
        changed = dataclasses.replace(FINDING, fingerprint="fp-2")
        assert alerts.raise_for(db, customer, changed, actor="scan")
        alert = alerts.get_alert(db, alert_id)
        assert alert.status == "open"
        last = alerts.events_of(db, alert_id)[-1]
        assert last.reason == "reopened: the listed party changed"
        assert last.details["listed_party"] == {"then": "fp-1", "now": "fp-2"}


def test_four_eyes_needs_a_second_key(sessions: sessionmaker[Session]) -> None:
    customer_id = new_customer(sessions)
    with sessions.begin() as db:
        customer = db.get(Customer, customer_id)
        assert customer is not None
        alerts.raise_for(db, customer, FINDING, actor="scan")
        alert_id = db.scalar(select(Alert.id))
        assert alert_id is not None
        review.decide(db, alert_id, "true_match", actor="ana", note="same", four_eyes=True)
        with pytest.raises(NotPermittedError, match="four-eyes"):
            review.decide(db, alert_id, "true_match", actor="ana", note="same", four_eyes=True)
        with pytest.raises(InvalidQueryError):
            review.decide(db, alert_id, "true_match", actor="bob", note="", four_eyes=True)
        review.decide(db, alert_id, "true_match", actor="bob", note="agreed", four_eyes=True)
        assert alerts.get_alert(db, alert_id).status == "true_match"


def _match(decision: str) -> CustomerMatch:
    return CustomerMatch(party_key="p", decision=decision)


def _alert(status: str) -> Alert:
    return Alert(id=1, party_key="p", status=status, source="s", source_key="k")


@pytest.mark.parametrize(
    ("decision", "status", "expected"),
    [
        ("clear", None, "allow"),
        ("review", "open", "review"),
        ("deny", "in_review", "deny"),
        ("deny", "false_positive", "allow"),
        ("review", "true_match", "deny"),
        ("clear", "true_match", "deny"),
    ],
)
def test_access_of(decision: str, status: str | None, expected: str) -> None:
    found = [] if decision == "clear" else [_match(decision)]
    given = [] if status is None else [_alert(status)]
    assert access_of(decision, found, given)[0] == expected
