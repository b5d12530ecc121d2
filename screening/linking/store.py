"""Signals in the database: values stored once with their degree, observations per account, and
the `Neighbours` the walk reads. Functions take a Session and never commit."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from screening.linking.models import AccountSignal, SignalValue
from screening.linking.rules import LinkRules
from screening.linking.signals import Signal


def _insert(session: Session, table: Any) -> Any:
    """INSERT ... ON CONFLICT for the dialect in use (both speak it)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _values(session: Session, signals: Sequence[Signal]) -> dict[tuple[str, str], int]:
    """The id of every signal's value, inserting those never seen (two writers inserting one
    value at once: the unique constraint keeps one, both read it back)."""
    keys = sorted({(s.kind, s.digest) for s in signals})
    if not keys:
        return {}
    rows = [
        {
            "kind": s.kind,
            "digest": s.digest,
            "display": s.display,
            "counts": s.counts,
            "accounts": 0,
        }
        for s in {(s.kind, s.digest): s for s in signals}.values()
    ]
    session.execute(
        _insert(session, SignalValue)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["kind", "digest"])
    )
    by_kind: dict[str, list[str]] = {}
    for kind, digest in keys:
        by_kind.setdefault(kind, []).append(digest)
    found = session.execute(
        select(SignalValue.kind, SignalValue.digest, SignalValue.id).where(
            or_(*(and_(SignalValue.kind == kind, SignalValue.digest.in_(d))
                  for kind, d in sorted(by_kind.items())))
        )
    )  # fmt: skip
    return {(kind, digest): id_ for kind, digest, id_ in found}


@dataclass(frozen=True, slots=True)
class Observed:
    new: int  # values the account had never shown (each raised that value's degree by one)
    crossed: tuple[int, ...]  # values whose degree just went over the cut-off


def observe(
    session: Session, account_pk: int, signals: Sequence[Signal], at: datetime, *, max_degree: int
) -> Observed:
    """Record that the account showed these signals at `at`."""
    ids = sorted(set(_values(session, signals).values()))
    if not ids:
        return Observed(0, ())
    inserted = set(
        session.scalars(
            _insert(session, AccountSignal)
            .values(
                [
                    {
                        "account_pk": account_pk,
                        "signal_id": i,
                        "first_seen": at,
                        "last_seen": at,
                        "observations": 1,
                    }
                    for i in ids
                ]
            )
            .on_conflict_do_nothing(index_elements=["account_pk", "signal_id"])
            .returning(AccountSignal.signal_id)
        )
    )
    crossed: tuple[int, ...] = ()
    if inserted:
        session.execute(
            update(SignalValue)
            .where(SignalValue.id.in_(sorted(inserted)))
            .values(accounts=SignalValue.accounts + 1)
        )
        crossed = tuple(
            session.scalars(
                select(SignalValue.id).where(
                    SignalValue.id.in_(sorted(inserted)),
                    SignalValue.accounts == max_degree + 1,
                    SignalValue.counts.is_(True),
                )
            )
        )
    again = [i for i in ids if i not in inserted]
    if again:
        session.execute(
            update(AccountSignal)
            .where(AccountSignal.account_pk == account_pk, AccountSignal.signal_id.in_(again))
            .values(
                observations=AccountSignal.observations + 1,
                last_seen=case((AccountSignal.last_seen < at, at), else_=AccountSignal.last_seen),
                first_seen=case(
                    (AccountSignal.first_seen > at, at), else_=AccountSignal.first_seen
                ),
            )
        )
    return Observed(len(inserted), crossed)


class DbNeighbours:
    """The walk's view of the database: shared counting values under the degree cut-off."""

    def __init__(self, session: Session, rules: LinkRules) -> None:
        self.session = session
        self.rules = rules

    def shared(self, accounts: Collection[int]) -> Iterable[tuple[int, int, str, int]]:
        if not accounts:
            return []
        mine, theirs = aliased(AccountSignal), aliased(AccountSignal)
        query = (
            select(mine.account_pk, theirs.account_pk, SignalValue.kind, SignalValue.id)
            .join(SignalValue, SignalValue.id == mine.signal_id)
            .join(theirs, theirs.signal_id == mine.signal_id)
            .where(
                mine.account_pk.in_(sorted(accounts)),
                theirs.account_pk != mine.account_pk,
                SignalValue.counts.is_(True),
                SignalValue.accounts > 1,
                SignalValue.accounts <= self.rules.max_degree,
            )
        )
        return [(a, b, kind, value) for a, b, kind, value in self.session.execute(query)]


def signals_of_account(
    session: Session, account_pk: int
) -> list[tuple[SignalValue, AccountSignal]]:
    query = (
        select(SignalValue, AccountSignal)
        .join(AccountSignal, AccountSignal.signal_id == SignalValue.id)
        .where(AccountSignal.account_pk == account_pk)
        .order_by(SignalValue.kind, SignalValue.id)
    )
    return [(value, seen) for value, seen in session.execute(query)]
