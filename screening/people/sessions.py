"""Browser sessions: opened at sign-in, found by the cookie's token, ended at sign-out, after
an idle period or at a fixed lifetime, whichever comes first.

The cookie carries a 256-bit random token; the table keeps its SHA-256 only.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from screening.people.models import User, WebSession

MAX_TOKEN = 128
# last_seen_at is written at most this often: a page view is not a database write.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Lifetimes:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who a browser session belongs to, as the pages need it."""

    user_id: int
    username: str
    role: str
    csrf_token: str

    @property
    def actor(self) -> str:
        # What four-eyes compares and the audit trail records; API keys are `key:...`/`env-N`.
        return f"user:{self.username}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User, *, now: datetime, lifetimes: Lifetimes) -> str:
    """A new session for `user`; returns the cookie token (never stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id=_digest(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetimes.absolute,
        )
    )
    # Sessions that ended long ago are of no use to anyone: keep the table small.
    session.execute(delete(WebSession).where(WebSession.expires_at < now - timedelta(days=7)))
    return token


def find_session(
    session: Session, token: str | None, *, now: datetime, lifetimes: Lifetimes
) -> SignedIn | None:
    if not token or len(token) > MAX_TOKEN:
        return None
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.id == _digest(token))
    ).first()
    if row is None:
        return None
    web, user = row
    if (
        web.ended_at is not None
        or web.expires_at <= now
        or web.last_seen_at + lifetimes.idle <= now
        or user.disabled_at is not None
    ):
        return None
    if now - web.last_seen_at >= TOUCH_EVERY:
        web.last_seen_at = now
    return SignedIn(user.id, user.username, user.role, web.csrf_token)


def end_session(session: Session, token: str | None, *, now: datetime) -> None:
    if not token or len(token) > MAX_TOKEN:
        return
    web = session.get(WebSession, _digest(token))
    if web is not None and web.ended_at is None:
        web.ended_at = now
