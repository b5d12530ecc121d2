"""Engine, session factory and the declarative base every package's models share.

Engines are built by the composition roots, never at import time."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection, StaticPool
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic migrations (and SQLite batch mode) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


T = TypeVar("T")
# Values per `IN (...)` list: well under SQLite's bound on parameters in one statement, and a
# plan PostgreSQL makes quickly.
IN_LIST = 500


def in_lists(values: Iterable[T]) -> Iterator[list[T]]:
    """The values in lists of at most IN_LIST, for queries with an IN list each."""
    held = list(values)
    for start in range(0, len(held), IN_LIST):
        yield held[start : start + IN_LIST]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for SQLite or PostgreSQL, tuned for each."""
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            # One shared connection, or every pooled connection sees its own empty database.
            kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Connections older than this are replaced on checkout: a server or a proxy in between
    # that closes long-lived sessions never hands the service a dead one.
    kwargs.setdefault("pool_recycle", RECYCLE_S)
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


# A pooled connection unused for longer than this is pinged before it is handed out; one used
# more recently is not. `pool_pre_ping` pinged every checkout: one more round trip to the server
# on every request, as many as the authentication path's whole read (screening.linking.access).
IDLE_PING_S = 2.0
RECYCLE_S = 1800


def _ping_when_idle(engine: Engine) -> None:
    dialect = engine.dialect

    def returned(_dbapi_conn: Any, record: ConnectionPoolEntry) -> None:
        record.info["returned_at"] = time.monotonic()

    def checkout(dbapi_conn: Any, record: ConnectionPoolEntry, _: PoolProxiedConnection) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < IDLE_PING_S:
            return
        try:
            dialect.do_ping(dbapi_conn)
        except Exception as exc:
            # The pool replaces this connection, and every other one pooled before now (a
            # dead one after a pause usually means a restarted server), then checks out again.
            raise InvalidatePoolError(f"a pooled connection was closed while idle: {exc}") from exc

    event.listen(engine, "checkin", returned)
    event.listen(engine, "checkout", checkout)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # WAL lets the API read while a refresh writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: objects stay readable after the unit of work that loaded them.
    return sessionmaker(bind=engine, expire_on_commit=False)


def json_safe(value: Any) -> Any:
    """`value` with NUL characters removed from every string: PostgreSQL's JSONB (and TEXT)
    cannot hold U+0000, and a caller's stray NUL must not turn an answer into a 500."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
