"""Signals in the database: values stored once with their degree, observations per account, and
the `Neighbours` the walk reads. Functions take a Session and never commit."""

from __future__ import annotations

import itertools
from collections import Counter, deque
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Final, cast

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Engine,
    Float,
    Integer,
    Select,
    Table,
    and_,
    any_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from screening.linking import graph, pgstore
from screening.linking import kinds as k
from screening.linking.models import AccountSignal, SignalValue
from screening.linking.rules import PERSONAL, Degrees, LinkRules
from screening.linking.signals import Signal

# Rows per multi-row statement: well under either database's limit on bound parameters.
_ROWS = 500


# A value's degree cut-off (`rules.Degrees`), as `pgstore._LIMIT` writes it for PostgreSQL.
DEGREE_LIMIT: Final = case(
    (
        cast(Table, SignalValue.__table__).c.kind.in_(sorted(PERSONAL)),
        bindparam("personal_max_degree", type_=Integer),
    ),
    else_=bindparam("max_degree", type_=Integer),
)


def insert_for(session: Session, table: Any) -> Any:
    """INSERT ... ON CONFLICT for the dialect in use (both speak it)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def set_column(
    session: Session, model: Any, key: str, column: str, pairs: Sequence[tuple[int, int | None]]
) -> None:
    """Set `column` to each pair's value on the row whose `key` is the pair's key: on
    PostgreSQL one UPDATE ... FROM unnest(...) rather than a round trip each; SQLite runs one
    UPDATE a row, in process (no round trips to save)."""
    table = model.__table__
    if _postgres(session):
        pgstore.set_many(session, table, key, column, pairs)
        return
    statement = update(table).where(table.c[key] == bindparam("k")).values({column: bindparam("v")})
    if pairs:
        session.execute(statement, [{"k": k, "v": v} for k, v in pairs])


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def among(session: Session, column: Any, ids: Collection[int]) -> ColumnElement[bool]:
    """`column IN ids`. On PostgreSQL one array parameter (`= ANY`): the driver parses a
    statement with hundreds of placeholders anew each time, and the text never repeats."""
    if _postgres(session):
        return cast(ColumnElement[bool], column == any_(literal(list(ids), ARRAY(Integer))))
    return cast(ColumnElement[bool], column.in_(list(ids)))


def _values(session: Session, signals: Sequence[Signal]) -> dict[tuple[str, str], int]:
    """The id of every signal's value, inserting those never seen (two writers inserting one
    value at once: the unique constraint keeps one, both read it back)."""
    keys = sorted({(s.kind, s.digest) for s in signals})
    if not keys:
        return {}
    found: dict[tuple[str, str], int] = {}
    if _postgres(session):
        found = pgstore.values(session, signals)
        keys = [key for key in keys if key not in found]
        if not keys:
            return found
    else:
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
            insert_for(session, SignalValue)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["kind", "digest"])
        )
    by_kind: dict[str, list[str]] = {}
    for kind, digest in keys:
        by_kind.setdefault(kind, []).append(digest)
    read = session.execute(
        select(SignalValue.kind, SignalValue.digest, SignalValue.id).where(
            or_(*(and_(SignalValue.kind == kind, SignalValue.digest.in_(d))
                  for kind, d in sorted(by_kind.items())))
        )
    )  # fmt: skip
    found.update({(kind, digest): id_ for kind, digest, id_ in read})
    return found


@lru_cache(maxsize=8)
def _rekey_statement(previous: int) -> Any:
    """Give the oldest row of a value under one of `previous` old digests the current digest,
    unless the current digest has a row already (then the old row keeps its links and is
    forgotten with the retention period)."""
    values = cast(Table, SignalValue.__table__)
    found, clash = values.alias("found"), values.alias("clash")
    oldest = (
        select(func.min(found.c.id))
        .where(
            found.c.kind == bindparam("of_kind"),
            found.c.digest.in_([bindparam(f"from_digest{i}") for i in range(previous)]),
        )
        .scalar_subquery()
    )
    taken = select(clash.c.id).where(
        clash.c.kind == bindparam("of_kind"), clash.c.digest == bindparam("to_digest")
    )
    return (
        update(values)
        .where(values.c.id == oldest, ~taken.exists())
        .values(digest=bindparam("to_digest"))
    )


def rekey(session: Session, signals: Sequence[Signal]) -> None:
    """Values stored under a previous signal key (a rotation in progress) are stored under the
    current one from now on: one statement, run for every signal at once. Nothing to do, and
    no statement, once no previous key is configured. Callers have flushed the session."""
    moving = [s for s in signals if s.previous]
    if not moving:
        return
    by_count: dict[int, list[dict[str, str]]] = {}
    for s in moving:
        params = {"of_kind": s.kind, "to_digest": s.digest}
        params.update({f"from_digest{i}": d for i, d in enumerate(s.previous)})
        by_count.setdefault(len(s.previous), []).append(params)
    connection = session.connection()
    for previous, rows in sorted(by_count.items()):
        connection.execute(_rekey_statement(previous), rows)


@dataclass(frozen=True, slots=True)
class Observed:
    new: int  # values the account had never shown (each raised that value's degree by one)
    crossed: tuple[int, ...]  # values whose degree just went over the cut-off


def observe(
    session: Session, account_pk: int, signals: Sequence[Signal], at: datetime, *, degrees: Degrees
) -> Observed:
    """Record that the account showed these signals at `at`."""
    session.flush()  # the statements below are Core: nothing pending is flushed for them
    rekey(session, signals)
    if _postgres(session) and signals:
        return _observe_postgres(session, account_pk, signals, at, degrees=degrees)
    ids = sorted(set(_values(session, signals).values()))
    if not ids:
        return Observed(0, ())
    inserted = set(
        session.scalars(
            insert_for(session, AccountSignal)
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
        raised = session.execute(
            update(SignalValue)
            .where(SignalValue.id.in_(sorted(inserted)))
            .values(accounts=SignalValue.accounts + 1)
            .returning(SignalValue.id, SignalValue.accounts, SignalValue.counts, SignalValue.kind)
        )
        crossed = tuple(
            sorted(
                i for i, degree, counts, kind in raised if counts and degree == degrees.of(kind) + 1
            )
        )
    _count_again(session, account_pk, [i for i in ids if i not in inserted], at)
    return Observed(len(inserted), crossed)


def _observe_postgres(
    session: Session, account_pk: int, signals: Sequence[Signal], at: datetime, *, degrees: Degrees
) -> Observed:
    """One statement for the values and the rows; a value another writer inserted while it
    ran is read back and its row written by a second."""
    written, ids = pgstore.observe(session, account_pk, signals, at, degrees=degrees)
    return _finish_postgres(session, account_pk, signals, at, written, ids, degrees)


def _finish_postgres(
    session: Session,
    account_pk: int,
    signals: Sequence[Signal],
    at: datetime,
    written: pgstore.Written,
    ids: set[int],
    degrees: Degrees,
) -> Observed:
    """What the one statement left to others: rows of values another writer inserted."""
    inserted, counted, crossed = set(written.inserted), set(written.counted), written.crossed
    if len(ids) < len({(s.kind, s.digest) for s in signals}):
        rest = sorted(set(_values(session, signals).values()) - ids)
        more = pgstore.rows(session, account_pk, rest, at, degrees=degrees)
        inserted |= more.inserted
        counted |= more.counted
        crossed = tuple(sorted({*crossed, *more.crossed}))
        ids |= set(rest)
    # A row another writer inserted while the statement ran was counted by neither part.
    _count_again(session, account_pk, sorted(ids - inserted - counted), at)
    return Observed(len(inserted), crossed)


def observe_look(
    session: Session,
    account_pk: int,
    customer_id: int,
    signals: Sequence[Signal],
    at: datetime,
    *,
    degrees: Degrees,
) -> tuple[Observed, pgstore.Seen | None]:
    """`observe` and, on PostgreSQL, what `placing.look` reads, in one statement. No look
    (None) where the statement did not write every row (another writer inserted a value or a
    row meanwhile, and the rows written after it are not in its snapshot) or on SQLite: the
    caller looks the portable way."""
    if not _postgres(session) or not signals:
        return observe(session, account_pk, signals, at, degrees=degrees), None
    session.flush()  # the statement below is Core: nothing pending is flushed for it
    rekey(session, signals)
    written, ids, seen = pgstore.observe_look(
        session, account_pk, customer_id, signals, at, degrees=degrees
    )
    if len(ids) == len({(s.kind, s.digest) for s in signals}) and not (
        ids - written.inserted - written.counted
    ):
        return Observed(len(written.inserted), written.crossed), seen
    return _finish_postgres(session, account_pk, signals, at, written, ids, degrees), None


def _count_again(session: Session, account_pk: int, again: list[int], at: datetime) -> None:
    if not again:
        return
    session.execute(
        update(AccountSignal)
        .where(AccountSignal.account_pk == account_pk, AccountSignal.signal_id.in_(again))
        .values(
            observations=AccountSignal.observations + 1,
            last_seen=case((AccountSignal.last_seen < at, at), else_=AccountSignal.last_seen),
            first_seen=case((AccountSignal.first_seen > at, at), else_=AccountSignal.first_seen),
        )
    )


def ids_param(postgres: bool, column: Any, name: str = "ids") -> ColumnElement[bool]:
    """`column IN :name`, for a statement built once and run many times (see `among`)."""
    if postgres:
        return cast(ColumnElement[bool], column == any_(bindparam(name, type_=ARRAY(Integer))))
    return cast(ColumnElement[bool], column.in_(bindparam(name, expanding=True)))


@lru_cache(maxsize=32)
def _shared_statement(
    postgres: bool, weights: tuple[tuple[str, float], ...] | None, one: bool
) -> Select[int, int, str, int]:
    """The neighbours query, built once (building one costs more than running it for one
    account); with `weights`, only the rows of pairs whose weights reach :at_least. For `one`
    account an equality: the plan PostgreSQL keeps for a prepared `= ANY(array)` can scan the
    whole table of a small database, 50 ms for a signup."""
    values = cast(Table, SignalValue.__table__)
    signals = cast(Table, AccountSignal.__table__)
    mine, theirs = signals.alias("mine"), signals.alias("theirs")
    query = (
        select(
            mine.c.account_pk.label("account"),
            theirs.c.account_pk.label("other"),
            values.c.kind,
            values.c.id,
        )
        .join(values, values.c.id == mine.c.signal_id)
        .join(theirs, theirs.c.signal_id == mine.c.signal_id)
        .where(
            mine.c.account_pk == bindparam("id") if one else ids_param(postgres, mine.c.account_pk),
            theirs.c.account_pk != mine.c.account_pk,
            values.c.counts.is_(True),
            values.c.accounts > 1,
            values.c.accounts <= DEGREE_LIMIT,
        )
    )
    if weights is None:
        return query
    # Summed in the database: most rows a walk would read are pairs sharing one weak value
    # (a city of 200 accounts), and they stay there. Each kind counts its own weight (an
    # address and its normalised form twice: more rows, never fewer).
    weight = case(dict(weights), value=values.c.kind, else_=0.0)
    rows = query.add_columns(
        func.sum(weight).over(partition_by=(mine.c.account_pk, theirs.c.account_pk)).label("total")
    ).subquery()
    return select(rows.c.account, rows.c.other, rows.c.kind, rows.c.id).where(
        rows.c.total >= bindparam("at_least", type_=Float)
    )


class DbNeighbours:
    """The walk's view of the database: shared counting values under the degree cut-off."""

    def __init__(self, session: Session, rules: LinkRules) -> None:
        self.session = session
        self.rules = rules
        self.weights = tuple((kind, rules.weight(kind)) for kind in k.ALL)

    def shared(
        self, accounts: Collection[int], at_least: float = 0.0
    ) -> Iterable[tuple[int, int, str, int]]:
        if not accounts:
            return []
        # Core rows, not ORM ones (a walk reads millions): they flush nothing pending first.
        self.session.flush()
        return self._read(self.session.connection(), accounts, at_least)

    def _read(
        self, connection: Connection, accounts: Collection[int], at_least: float
    ) -> list[graph.Shared]:
        ordered = sorted(accounts)
        weights = self.weights if at_least > 0 else None
        query = _shared_statement(connection.dialect.name == "postgresql", weights,
                                  len(ordered) == 1)  # fmt: skip
        # The margin keeps a sum that floating point puts a hair under the bound.
        params = {"ids": ordered, "id": ordered[0], "at_least": at_least - 1e-6,
                  **self.rules.degrees.params()}  # fmt: skip
        # The driver's own tuples, fetched at once: a walk reads millions of rows, and making
        # each a Row and then a tuple again cost more than reading them (no column here needs
        # a result processor: integers and a string).
        result = connection.execute(query, params)
        try:
            return cast(list[graph.Shared], result.cursor.fetchall())
        finally:
            result.close()


class ParallelNeighbours(DbNeighbours):
    """`DbNeighbours` that reads a level's chunks on `workers` connections of their own at
    once, while the walk works through the chunks read already: the database's share of a big
    walk, most of it, then runs on several cores. Only for a unit of work that has written no
    signal (the sweep's walks from newly denied accounts): the other connections see what is
    committed, as every statement of the session's own does under READ COMMITTED, but not
    what the session itself has not committed."""

    def __init__(self, session: Session, rules: LinkRules, workers: int = 2) -> None:
        super().__init__(session, rules)
        self.workers = workers

    def shared_many(
        self, parts: Sequence[Collection[int]], at_least: float = 0.0
    ) -> Iterator[list[graph.Shared]]:
        if len(parts) < 2 or self.workers < 2:
            for part in parts:
                yield list(self.shared(part, at_least))
            return
        engine = self.session.get_bind()
        assert isinstance(engine, Engine)
        self.session.flush()

        def read(part: Collection[int]) -> list[graph.Shared]:
            with engine.connect() as connection:
                return self._read(connection, part, at_least)

        # A few chunks ahead at most: a chunk's rows can be a hundred thousand tuples.
        with ThreadPoolExecutor(self.workers, thread_name_prefix="neighbours") as pool:
            ahead: deque[Future[list[graph.Shared]]] = deque()
            queued = iter(parts)
            for part in itertools.islice(queued, self.workers + 1):
                ahead.append(pool.submit(read, part))
            while ahead:
                rows = ahead.popleft().result()
                following = next(queued, None)
                if following is not None:
                    ahead.append(pool.submit(read, following))
                yield rows


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


@dataclass(frozen=True, slots=True)
class Expired:
    """What an expiry removed: the accounts whose rows went, and the values they carried."""

    rows: int
    accounts: frozenset[int]
    values: frozenset[int]
    values_removed: int


def expire(session: Session, before: datetime, *, limit: int) -> Expired:
    """Delete up to `limit` observations last seen before `before` (oldest first), lower their
    values' degrees, and delete values no account carries any more. A value's degree is the
    number of its rows, so it stays exact; one that falls back under the cut-off links again."""
    pairs = session.execute(
        select(AccountSignal.account_pk, AccountSignal.signal_id)
        .where(AccountSignal.last_seen < before)
        .order_by(AccountSignal.last_seen)
        .limit(limit)
    ).all()
    if not pairs:
        return Expired(0, frozenset(), frozenset(), 0)
    deleted: list[tuple[int, int]] = []
    for start in range(0, len(pairs), _ROWS):
        part = [tuple(pair) for pair in pairs[start : start + _ROWS]]
        # `last_seen` checked again: a row seen again meanwhile (a login) stays.
        found = session.execute(
            delete(AccountSignal)
            .where(
                tuple_(AccountSignal.account_pk, AccountSignal.signal_id).in_(part),
                AccountSignal.last_seen < before,
            )
            .returning(AccountSignal.account_pk, AccountSignal.signal_id)
            .execution_options(synchronize_session=False)
        )
        deleted.extend((pk, signal_id) for pk, signal_id in found)
    gone = Counter(signal_id for _, signal_id in deleted)
    by_count: dict[int, list[int]] = {}
    for signal_id, n in gone.items():
        by_count.setdefault(n, []).append(signal_id)
    for n, ids in by_count.items():
        session.execute(
            update(SignalValue)
            .where(among(session, SignalValue.id, ids))
            .values(accounts=SignalValue.accounts - n)
            .execution_options(synchronize_session=False)
        )
    removed = session.scalars(
        delete(SignalValue)
        .where(among(session, SignalValue.id, list(gone)), SignalValue.accounts <= 0)
        .returning(SignalValue.id)
        .execution_options(synchronize_session=False)
    ).all()
    accounts = frozenset(pk for pk, _ in deleted)
    return Expired(len(deleted), accounts, frozenset(gone), len(removed))


def unseen_since(session: Session, since: datetime) -> tuple[int, int]:
    """(values no account has shown since `since`, all values). Every value shown after a key
    rotation is stored under the new key from then on (`rekey`), so, counted from the rotation,
    these are the values still under a previous key: drop that key now and the next account
    to show one of them starts a value of its own instead of linking to the accounts before."""
    shown = exists().where(
        AccountSignal.signal_id == SignalValue.id, AccountSignal.last_seen >= since
    )
    unseen = session.scalar(select(func.count()).select_from(SignalValue).where(~shown)) or 0
    total = session.scalar(select(func.count()).select_from(SignalValue)) or 0
    return unseen, total
