"""Claiming webhook deliveries: at most `limit`, oldest first, each taken by one dispatcher
until its hold runs out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from screening.db import utcnow
from screening.monitoring import webhooks
from screening.monitoring.models import WebhookDelivery


def pending(sessions: sessionmaker[Session], count: int) -> None:
    with sessions.begin() as db:
        webhooks.register(db, "http://127.0.0.1:9/hook", "s" * 32, actor="test")
        for n in range(count):
            webhooks.emit(db, webhooks.ALERT_OPENED, {"alert_id": n})


def test_a_claim_takes_at_most_its_limit_and_the_next_takes_the_rest(
    sessions: sessionmaker[Session],
) -> None:
    pending(sessions, 7)
    with sessions.begin() as db:
        first = webhooks.claim(db, worker="a", limit=3, hold_s=60)
    with sessions.begin() as db:
        second = webhooks.claim(db, worker="b", limit=10, hold_s=60)
    with sessions.begin() as db:
        third = webhooks.claim(db, worker="c", limit=10, hold_s=60)
    assert len(first) == 3
    assert len(second) == 4
    assert max(first) < min(second)  # oldest first
    assert third == []


def test_a_claim_whose_hold_ran_out_is_taken_again(sessions: sessionmaker[Session]) -> None:
    pending(sessions, 2)
    with sessions.begin() as db:
        held = webhooks.claim(db, worker="a", limit=1, hold_s=60)
        db.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(held))
            .values(claimed_until=utcnow() - timedelta(seconds=1))
        )
    with sessions.begin() as db:
        again = webhooks.claim(db, worker="b", limit=5, hold_s=60)
    assert set(held) < set(again)
    assert len(again) == 2
