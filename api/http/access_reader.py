"""The authentication path's read, without a worker thread on PostgreSQL.

`GET /v1/accounts/{id}/access` is asked on every login. Sent to a worker thread, each read
cost a hop there and back, and under load the event loop and the worker threads queued for the
interpreter lock behind each other: at 500 requests a second one server process fell behind on
this machine although the work itself took under half a core. On PostgreSQL the read now runs
on the event loop, on a small pool of psycopg's own asynchronous connections (autocommit: a lone
SELECT is its own snapshot), with the same statement and answer as `read_access`. SQLite reads a
local file and keeps the thread hop: its driver has no asynchronous mode.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

import psycopg
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql
from starlette.concurrency import run_in_threadpool

from screening import db
from screening.linking import access
from screening.monitoring import results

# Enough for the requests one process has in flight at once; a burst beyond it waits for a
# connection, as it would wait for a worker thread.
POOL_SIZE = 8


def _compiled() -> str:
    """`access.ACCESS_QUERY` as psycopg takes it (named placeholders), compiled once."""
    dialect = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]
    return str(access.ACCESS_QUERY.compile(dialect=dialect))


class AccessReader:
    """Reads access answers for one app; `open` at start-up, `close` at shut-down."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pool: AsyncConnectionPool | None = None
        self._used: WeakKeyDictionary[psycopg.AsyncConnection[Any], float] = WeakKeyDictionary()
        if engine.dialect.name == "postgresql":
            url = engine.url.set(drivername="postgresql")
            self.pool = AsyncConnectionPool(
                url.render_as_string(hide_password=False),
                min_size=1,
                max_size=POOL_SIZE,
                kwargs={"autocommit": True},
                open=False,
                check=self._check,
                max_idle=300,
                max_lifetime=db.RECYCLE_S,
            )
            self.sql = _compiled()

    async def _check(self, conn: psycopg.AsyncConnection[Any]) -> None:
        """Before a connection is handed out: a ping if it sat unused for a while (as the
        service's other connections, `screening.db.IDLE_PING_S`), none if it was used a moment
        ago; a ping on every request would double the round trips. One that fails is replaced."""
        used = self._used.get(conn)
        if used is None or time.monotonic() - used >= db.IDLE_PING_S:
            await conn.execute("")

    async def open(self) -> None:
        if self.pool is not None:
            await self.pool.open(wait=True, timeout=30)

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    async def read(self, account_id: str) -> dict[str, Any]:
        """allow, review or deny, why and since when; an unknown account raises NotFoundError,
        never an allow."""
        if self.pool is None:
            answer: dict[str, Any] = await run_in_threadpool(
                access.read_access, self.engine, account_id
            )
            return answer
        try:
            return await self._read(account_id)
        except psycopg.OperationalError:
            # The connection was lost since its last use (a killed backend, a restarted server:
            # then every idle one is). The pool drops it; the idle ones are checked, and the
            # read runs once more, so a login never sees the failure.
            await self.pool.check()
            return await self._read(account_id)

    async def _read(self, account_id: str) -> dict[str, Any]:
        assert self.pool is not None
        async with self.pool.connection() as conn:
            cursor = await conn.execute(self.sql, {"account_id": account_id})
            row = await cursor.fetchone()
            self._used[conn] = time.monotonic()
        if row is None:
            raise results.unknown_account(account_id)
        return access.answer_of(account_id, access.Found(*(_utc(v) for v in row)))


def _utc(value: Any) -> Any:
    # As `screening.db.UTCDateTime` hands them back: aware, in UTC.
    return value.astimezone(UTC) if isinstance(value, datetime) else value
