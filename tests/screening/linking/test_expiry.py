"""Signals an account has not shown for the retention period are forgotten: their rows and
degrees go, values no account carries are deleted, and the clusters that linked through them
are walked again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from screening.db import utcnow
from screening.errors import InvalidQueryError
from screening.linking import service
from screening.linking.access import account_access
from screening.linking.models import AccountSignal, SignalValue
from screening.linking.service import Context
from screening.linking.signals import Observation
from tests.screening.linking.conftest import NewAccount
from tests.screening.linking.test_clusters import members

YEAR = timedelta(days=365)


def send(sessions: sessionmaker[Session], ctx: Context, account_id: str, **values: Any) -> None:
    with sessions.begin() as db:
        account = service.find_account(db, account_id)
        service.record(db, account, Observation(**values), ctx, actor="test")


def expire(sessions: sessionmaker[Session], ctx: Context, **kw: Any) -> service.ExpiryReport:
    with sessions.begin() as db:
        return service.expire(db, ctx.rules, max_age=YEAR, actor="retention", **kw)


def degree(sessions: sessionmaker[Session], kind: str) -> list[int]:
    with sessions() as db:
        return sorted(db.scalars(select(SignalValue.accounts).where(SignalValue.kind == kind)))


def test_old_signals_stop_linking_and_their_clusters_shrink(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    long_ago = utcnow() - 400 * timedelta(days=1)
    new_account("A-17", access="deny", because="DeepSeek")
    for name in ("B", "C", "D", "E"):
        new_account(name)
    send(sessions, ctx, "A-17", payment_fingerprint="card-1")
    send(sessions, ctx, "A-17", payment_fingerprint="card-2")
    # B shared the card a year and a month ago; C shares B's device today (reached through B).
    send(sessions, ctx, "B", payment_fingerprint="card-1", observed_at=long_ago)
    send(sessions, ctx, "B", device_id="dev-9")
    send(sessions, ctx, "C", device_id="dev-9")
    # D shared the other card long ago and again today: it still links.
    send(sessions, ctx, "D", payment_fingerprint="card-2", observed_at=long_ago)
    send(sessions, ctx, "D", payment_fingerprint="card-2")
    # E's phone, seen once long ago, is on no other account.
    send(sessions, ctx, "E", phone="+442071838750", observed_at=long_ago)
    assert members(sessions) == {"B": "review", "C": "review", "D": "review"}
    assert degree(sessions, "payment_fingerprint") == [2, 2]

    report = expire(sessions, ctx)

    assert (report.observations, report.values_removed) == (2, 1)  # B's card, E's phone
    assert report.members_removed == 2
    assert members(sessions) == {"D": "review"}
    with sessions() as db:
        assert account_access(db, "B")["access"] == "allow"
        assert account_access(db, "C")["access"] == "allow"
        assert db.scalar(select(func.count()).select_from(AccountSignal)) == 5  # of 7
    assert degree(sessions, "payment_fingerprint") == [1, 2]
    assert degree(sessions, "phone") == []
    assert "2 observations expired" in report.line()
    # Nothing is older now: a second run finds nothing and walks nothing.
    assert expire(sessions, ctx) == service.ExpiryReport(0, 0, (), 0)


def test_expiry_goes_oldest_first_in_bounded_batches(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    new_account("X")
    for days in (800, 600, 500):
        send(sessions, ctx, "X", device_id=f"dev-{days}", observed_at=utcnow() - timedelta(days))
    assert expire(sessions, ctx, limit=2).observations == 2
    with sessions() as db:
        left = db.scalars(select(SignalValue.digest).where(SignalValue.kind == "device_id"))
        assert len(left.all()) == 1
    assert expire(sessions, ctx, limit=2).observations == 1


def test_a_retention_period_must_be_positive(sessions: sessionmaker[Session], ctx: Context) -> None:
    with sessions.begin() as db, pytest.raises(InvalidQueryError, match="positive"):
        service.expire(db, ctx.rules, max_age=timedelta(0), actor="retention")


def test_the_sweeper_forgets_expired_signals_when_a_retention_is_set(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    # Wired in the service shell: the sweep under its lease, then one batch of expiry.
    from api.linking import sweep

    new_account("A-17", access="deny")
    new_account("B")
    send(sessions, ctx, "A-17", payment_fingerprint="card-1")
    send(sessions, ctx, "B", payment_fingerprint="card-1", observed_at=utcnow() - 2 * YEAR)
    kept = sweep(sessions, ctx.rules)
    assert kept is not None
    assert kept.expired is None
    assert members(sessions) == {"B": "review"}
    report = sweep(sessions, ctx.rules, max_age_days=365)
    assert report is not None
    assert report.expired is not None
    assert report.expired.observations == 1
    assert "1 observations expired" in report.line()
    assert members(sessions) == {}
