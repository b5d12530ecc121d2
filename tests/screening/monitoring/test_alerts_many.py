"""Alerts raised in bulk (a cluster's members): the same alerts, events and webhook events as
one `raise_for` each, and still one alert per (customer, party) with two writers."""

from __future__ import annotations

import dataclasses

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from screening.monitoring import alerts, customers, review, webhooks
from screening.monitoring.alerts import Finding
from screening.monitoring.customers import CustomerData
from screening.monitoring.models import Alert, AlertEvent, Customer, WebhookEvent

FINDING = Finding("rule:linked_accounts:cluster-1", "review", "linked_accounts", "A-17", "Lab", 1.0)


def new_customers(sessions: sessionmaker[Session], count: int) -> list[int]:
    with sessions.begin() as db:
        made = [
            customers.upsert(db, f"c-{n}", CustomerData(name=f"Org {n}"))[0] for n in range(count)
        ]
        return [c.id for c in made]


def state(sessions: sessionmaker[Session]) -> list[tuple[object, ...]]:
    with sessions() as db:
        rows = db.execute(
            select(Alert.customer_id, Alert.party_key, Alert.source, Alert.source_key,
                   Alert.entity_name, Alert.score, Alert.decision, Alert.status,
                   AlertEvent.kind, AlertEvent.reason, AlertEvent.from_status,
                   AlertEvent.to_status, AlertEvent.details)
            .join(AlertEvent, AlertEvent.alert_id == Alert.id)
            .order_by(Alert.customer_id, AlertEvent.id)
        )  # fmt: skip
        return [tuple(r) for r in rows]


def test_many_alerts_are_opened_as_one_raise_for_each_would(
    sessions: sessionmaker[Session],
) -> None:
    ids = new_customers(sessions, 3)
    with sessions.begin() as db:
        raised = alerts.raise_many(db, [(i, FINDING) for i in ids], actor="sweep")
        assert set(raised) == {(i, FINDING.party_key) for i in ids}
        assert len(set(raised.values())) == 3
    bulk = state(sessions)
    with sessions.begin() as db:
        db.execute(delete(AlertEvent))
        db.execute(delete(Alert))
    with sessions.begin() as db:
        for i in ids:
            customer = db.get(Customer, i)
            assert customer is not None
            alerts.raise_for(db, customer, FINDING, actor="sweep")
    assert bulk == state(sessions)


def test_two_writers_open_one_alert_in_bulk(sessions: sessionmaker[Session]) -> None:
    ids = new_customers(sessions, 2)
    with sessions.begin() as first:
        alerts.raise_many(first, [(ids[0], FINDING)], actor="a")
    # The second writer's insert meets the committed alert: it is updated, never duplicated.
    with sessions.begin() as second:
        raised = alerts.raise_many(second, [(i, FINDING) for i in ids], actor="b")
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(Alert)) == 2
        assert db.scalar(select(func.count()).select_from(AlertEvent)) == 2
        first_id = db.scalar(select(Alert.id).where(Alert.customer_id == ids[0]))
    assert raised[(ids[0], FINDING.party_key)] == first_id


def test_later_findings_of_one_customer_update_its_alert_and_false_positives_reopen(
    sessions: sessionmaker[Session],
) -> None:
    (one,) = new_customers(sessions, 1)
    stronger = dataclasses.replace(FINDING, score=2.0, decision="deny")
    with sessions.begin() as db:
        raised = alerts.raise_many(db, [(one, FINDING), (one, stronger)], actor="sweep")
        alert = alerts.get_alert(db, raised[(one, FINDING.party_key)])
        assert (alert.score, alert.decision) == (2.0, "deny")
        assert [e.kind for e in alerts.events_of(db, alert.id)] == ["opened", "changed"]
        review.decide(db, alert.id, "false_positive", actor="ana", note="no", four_eyes=False)
    moved = dataclasses.replace(FINDING, fingerprint="fp-2")
    with sessions.begin() as db:
        alerts.raise_many(db, [(one, moved)], actor="sweep")
        assert alerts.get_alert(db, alert.id).status == "open"


def test_each_opened_alert_is_a_webhook_event(sessions: sessionmaker[Session]) -> None:
    ids = new_customers(sessions, 2)
    with sessions.begin() as db:
        webhooks.register(db, "https://hooks.example.com/a", "s" * 20, actor="admin",
                          events=[webhooks.ALERT_OPENED])  # fmt: skip
    with sessions.begin() as db:
        alerts.raise_many(db, [(i, FINDING) for i in ids], actor="sweep")
    with sessions() as db:
        sent = db.scalars(select(WebhookEvent.payload).order_by(WebhookEvent.id)).all()
    assert [p["customer_external_id"] for p in sent] == ["c-0", "c-1"]
    assert {p["why"] for p in sent} == {"new match"}
