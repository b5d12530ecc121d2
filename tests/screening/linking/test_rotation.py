"""Rotating the signal key: values stored under a previous key are still found, and are stored
under the current key once shown again; one never shown again keeps linking by its id."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from screening.db import utcnow
from screening.linking import kinds as k
from screening.linking import store
from screening.linking.hashing import Keyer
from screening.linking.models import AccountSignal, SignalValue
from screening.linking.rules import Degrees
from screening.linking.service import Context
from screening.linking.signals import Signal
from tests.screening.linking.conftest import NewAccount
from tests.screening.linking.test_clusters import members, send

OLD, NEW = b"o" * 32, b"n" * 32


def _values(sessions: sessionmaker[Session], kind: str) -> list[tuple[str, int]]:
    with sessions() as db:
        rows = db.execute(select(SignalValue.digest, SignalValue.accounts).filter_by(kind=kind))
        return sorted((digest, accounts) for digest, accounts in rows)


def test_a_value_under_the_previous_key_is_found_and_moves_to_the_current_one(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    new_account("denied", access="deny")
    new_account("shell")
    new_account("later")
    before = replace(ctx, keyer=Keyer(OLD))
    send(sessions, before, "denied", payment_fingerprint="card-1", email="ops@evil.example")
    rotated = replace(ctx, keyer=Keyer(NEW, [OLD]))
    send(sessions, rotated, "shell", payment_fingerprint="card-1")
    card = Keyer(NEW).digest(k.PAYMENT, "card-1")
    assert _values(sessions, k.PAYMENT) == [(card, 2)], "one value, now under the new key"
    assert members(sessions) == {"shell": "review"}
    # The e-mail was not shown again: its old digest stays, and still links by its id.
    old_mail = Keyer(OLD).digest(k.EMAIL, "ops@evil.example")
    assert _values(sessions, k.EMAIL) == [(old_mail, 1)]
    send(sessions, rotated, "later", email="ops@evil.example")
    assert _values(sessions, k.EMAIL) == [(Keyer(NEW).digest(k.EMAIL, "ops@evil.example"), 2)]
    assert members(sessions) == {"shell": "review", "later": "review"}


def test_the_values_still_under_the_previous_key_are_counted(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    new_account("denied", access="deny")
    new_account("shell")
    send(sessions, replace(ctx, keyer=Keyer(OLD)), "denied", payment_fingerprint="card-1",
         email="ops@evil.example")  # fmt: skip
    rotation = utcnow()
    with sessions() as db:
        assert store.unseen_since(db, rotation) == (3, 3)  # the card, the mailbox, its domain
    rotated = replace(ctx, keyer=Keyer(NEW, [OLD]))
    send(sessions, rotated, "shell", payment_fingerprint="card-1")
    with sessions() as db:
        # The card moved to the new key when shown; the mailbox, not shown again, did not.
        assert store.unseen_since(db, rotation) == (2, 3)
    send(sessions, rotated, "shell", email="ops@evil.example")
    with sessions() as db:
        assert store.unseen_since(db, rotation) == (0, 3)


def test_without_the_previous_key_the_old_values_are_not_found(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    new_account("denied", access="deny")
    new_account("shell")
    send(sessions, replace(ctx, keyer=Keyer(OLD)), "denied", payment_fingerprint="card-1")
    send(sessions, replace(ctx, keyer=Keyer(NEW)), "shell", payment_fingerprint="card-1")
    assert len(_values(sessions, k.PAYMENT)) == 2
    assert members(sessions) == {}


def test_a_value_under_both_keys_keeps_both_rows(
    sessions: sessionmaker[Session], new_account: NewAccount
) -> None:
    # Stored under the new key by a process that did not know the old one: no clash, no error.
    pk = new_account("one")
    both = Signal(k.DEVICE, Keyer(NEW).digest(k.DEVICE, "d"), None)
    with sessions.begin() as db:
        store.observe(db, pk, [replace(both, digest=Keyer(OLD).digest(k.DEVICE, "d"))],
                      utcnow(), degrees=Degrees(50, 50))  # fmt: skip
        store.observe(db, pk, [both], utcnow(), degrees=Degrees(50, 50))
    with sessions.begin() as db:
        previous = Keyer(NEW, [OLD]).previous_digests(k.DEVICE, "d")
        store.observe(db, pk, [replace(both, previous=previous)], utcnow(), degrees=Degrees(50, 50))
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(SignalValue)) == 2
        assert db.scalar(select(func.count()).select_from(AccountSignal)) == 2


def test_keys_are_checked_and_never_shown() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        Keyer(NEW, [b"short"])
    with pytest.raises(ValueError, match="also given as a previous"):
        Keyer(NEW, [NEW])
    shown = repr(Keyer(NEW, [OLD]))
    assert "nnnn" not in shown
    assert "oooo" not in shown
    assert "1 previous" in shown
