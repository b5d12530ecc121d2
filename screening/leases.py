"""Leases: time-limited locks held in the database, so that one process at a time does a job
(refreshing a source, later a rescreen run) however many processes share the database.

A lease is short (a minute by default) and kept alive by a heartbeat while its holder works, so a
holder killed with SIGKILL frees it within one expiry, and a stopped one frees it at once. Whoever
writes the result of the work first checks, in the same transaction, that it still holds the
lease (`still_held`): a holder that lost it (paused longer than the expiry) writes nothing.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import datetime, timedelta
from types import TracebackType

from sqlalchemy import String, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from screening.db import Base, UTCDateTime, utcnow

log = logging.getLogger(__name__)


class Lease(Base):
    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


def holder_id() -> str:
    """host:pid:random, so a recycled pid on the same host is never mistaken for the old holder."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def try_acquire(session: Session, name: str, holder: str, ttl: timedelta) -> bool:
    """Take the lease if it is free or expired. Race-safe on both databases: the insert relies on
    the primary key, the takeover on a conditional UPDATE that only one process can win."""
    now = utcnow()
    taken = session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.expires_at < now)
        .values(holder=holder, expires_at=now + ttl)
    )
    if getattr(taken, "rowcount", 0) == 1:
        return True
    if session.get(Lease, name) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(Lease(name=name, holder=holder, expires_at=now + ttl))
    except IntegrityError:
        return False  # another process inserted it between our read and our insert
    return True


def renew(session: Session, name: str, holder: str, ttl: timedelta) -> bool:
    """Push the expiry out; False if the lease is no longer ours (expired and taken over)."""
    result = session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.holder == holder)
        .values(expires_at=utcnow() + ttl)
    )
    return getattr(result, "rowcount", 0) == 1


def still_held(session: Session, name: str, holder: str) -> bool:
    """Inside the transaction that writes the work's result: is the lease still ours?"""
    held = session.scalar(select(Lease.holder).where(Lease.name == name))
    return held == holder


def release(session: Session, name: str, holder: str) -> None:
    session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


def current(session: Session, name: str) -> Lease | None:
    return session.get(Lease, name)


class HeldLease:
    """A lease kept alive by a heartbeat thread for as long as the `with` block runs.

    `acquired` says whether it was taken; `lost` turns true if a renewal found it gone.
    """

    def __init__(
        self, sessions: sessionmaker[Session], name: str, holder: str, ttl: timedelta
    ) -> None:
        self._sessions = sessions
        self.name = name
        self.holder = holder
        self.ttl = ttl
        self.acquired = False
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> HeldLease:
        with self._sessions.begin() as session:
            self.acquired = try_acquire(session, self.name, self.holder, self.ttl)
        if self.acquired:
            self._thread = threading.Thread(
                target=self._beat, name=f"lease:{self.name}", daemon=True
            )
            self._thread.start()
        return self

    def _beat(self) -> None:
        # Three beats per expiry: one slow database round trip does not lose the lease.
        interval = max(self.ttl.total_seconds() / 3, 0.05)
        while not self._stop.wait(interval):
            try:
                with self._sessions.begin() as session:
                    if not renew(session, self.name, self.holder, self.ttl):
                        self.lost = True
                        log.error("lease %s was lost by %s", self.name, self.holder)
                        return
            except Exception:
                # A failed beat is retried on the next one; the expiry allows for two misses.
                log.warning("heartbeat of lease %s failed", self.name, exc_info=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.acquired:
            with self._sessions.begin() as session:
                release(session, self.name, self.holder)
