"""Users: create, list, disable, unlock, and the sign-in check with its lockout.

Functions take a Session and never commit. Only analysts and admins sign in: the signup role is
a machine's (the signup service's API key), never a person's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from screening.db import utcnow
from screening.errors import ConflictError, InvalidQueryError, NotFoundError
from screening.people import passwords
from screening.people.models import User, WebSession

ROLES: Final = ("analyst", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True, slots=True)
class Lockout:
    """After `failures` consecutive failed sign-ins an account is locked for `duration`."""

    failures: int = 5
    duration: timedelta = timedelta(minutes=15)


def normalise_username(raw: str) -> str:
    return raw.strip().lower()


def check_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME.match(name):
        raise InvalidQueryError(
            "a username is 2 to 64 characters: lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def create_user(session: Session, username: str, *, role: str, password: str) -> User:
    name = check_username(username)
    if role not in ROLES:
        raise InvalidQueryError(f"unknown role {role!r} for a person; roles: {', '.join(ROLES)}")
    if find_user(session, name) is not None:
        raise ConflictError(f"user {name!r} exists already")
    user = User(
        username=name,
        role=role,
        password_hash=passwords.hash_password(password),
        created_at=utcnow(),
        failed_attempts=0,
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == normalise_username(username)))


def get_user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise NotFoundError(f"no user {normalise_username(username)!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def set_password(session: Session, username: str, password: str) -> User:
    user = get_user(session, username)
    user.password_hash = passwords.hash_password(password)
    end_sessions(session, user.id)
    return user


def disable(session: Session, username: str) -> User:
    """Disable a user and end their sessions at once."""
    user = get_user(session, username)
    user.disabled_at = user.disabled_at or utcnow()
    end_sessions(session, user.id)
    return user


def enable(session: Session, username: str) -> User:
    user = get_user(session, username)
    user.disabled_at = None
    return user


def unlock(session: Session, username: str) -> User:
    user = get_user(session, username)
    user.failed_attempts, user.locked_until = 0, None
    return user


def end_sessions(session: Session, user_id: int) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def authenticate(
    session: Session, username: str, password: str, *, lockout: Lockout, now: datetime
) -> User | None:
    """The user when the password is right and the account usable, else None (one answer for
    an unknown name, a wrong password, a disabled or a locked account: no enumeration).

    A locked account is not even checked, so guessing during the lock learns nothing; every
    failure on a known account counts towards the lock.
    """
    user = find_user(session, username) if len(username) <= 200 else None
    if user is None or user.disabled_at is not None or is_locked(user, now):
        passwords.verify(None, password)  # the same time as a real check
        return None
    if not passwords.verify(user.password_hash, password):
        user.failed_attempts = (user.failed_attempts or 0) + 1
        if user.failed_attempts >= lockout.failures:
            user.locked_until = now + lockout.duration
            user.failed_attempts = 0
        return None
    user.failed_attempts, user.locked_until = 0, None
    user.last_sign_in_at = now
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user
