"""Users and sessions: Argon2id hashes, the lockout, session lifetimes, disabling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from screening.errors import ConflictError, InvalidQueryError
from screening.people import passwords, users
from screening.people import sessions as web_sessions
from screening.people.models import User, WebSession
from screening.people.sessions import Lifetimes
from screening.people.users import Lockout

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough password"
LIFE = Lifetimes(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


def test_passwords_are_stored_as_argon2id_and_never_plain(sessions) -> None:
    with sessions.begin() as session:
        users.create_user(session, "Alice", role="analyst", password=PASSWORD)
    with sessions() as session:
        (row,) = session.query(User).all()
    assert row.username == "alice"
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    assert passwords.verify(row.password_hash, PASSWORD)
    assert not passwords.verify(row.password_hash, PASSWORD + "!")
    assert not passwords.verify(None, PASSWORD)


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("al", "analyst", "short", "at least 12"),
        ("bad name", "analyst", PASSWORD, "a username is"),
        ("carol", "signup", PASSWORD, "roles: analyst, admin"),
        ("carol", "analyst", " padded password ", "white space"),
    ],
)
def test_bad_users_are_clear_errors(sessions, name, role, password, message) -> None:
    with sessions.begin() as session, pytest.raises(InvalidQueryError, match=message):
        users.create_user(session, name, role=role, password=password)


def test_a_username_is_taken_once(sessions) -> None:
    with sessions.begin() as session:
        users.create_user(session, "alice", role="analyst", password=PASSWORD)
    with sessions.begin() as session, pytest.raises(ConflictError):
        users.create_user(session, "ALICE", role="admin", password=PASSWORD)


def test_failures_lock_the_account_for_a_while(sessions) -> None:
    lockout = Lockout(failures=3, duration=timedelta(minutes=15))
    with sessions.begin() as session:
        users.create_user(session, "bob", role="analyst", password=PASSWORD)
    for _ in range(3):
        with sessions.begin() as session:
            assert users.authenticate(session, "bob", "wrong", lockout=lockout, now=T0) is None
    with sessions.begin() as session:
        assert users.authenticate(session, "bob", PASSWORD, lockout=lockout, now=T0) is None
    later = T0 + timedelta(minutes=16)
    with sessions.begin() as session:
        user = users.authenticate(session, "bob", PASSWORD, lockout=lockout, now=later)
        assert user is not None
        assert user.failed_attempts == 0
        assert user.last_sign_in_at == later


def test_a_success_resets_the_count_of_failures(sessions) -> None:
    lockout = Lockout(failures=3)
    with sessions.begin() as session:
        users.create_user(session, "bob", role="analyst", password=PASSWORD)
    for attempt in ("wrong", "wrong", PASSWORD, "wrong", "wrong", PASSWORD):
        with sessions.begin() as session:
            result = users.authenticate(session, "bob", attempt, lockout=lockout, now=T0)
            assert (result is not None) == (attempt == PASSWORD)


def _session_of(sessions, *, now: datetime = T0) -> str:
    with sessions.begin() as session:
        user = users.create_user(session, "carol", role="admin", password=PASSWORD)
        return web_sessions.open_session(session, user, now=now, lifetimes=LIFE)


def test_a_session_is_found_by_its_token_only_and_stored_hashed(sessions) -> None:
    token = _session_of(sessions)
    with sessions.begin() as session:
        found = web_sessions.find_session(session, token, now=T0, lifetimes=LIFE)
        assert found is not None
        assert (found.username, found.role, found.actor) == ("carol", "admin", "user:carol")
        assert web_sessions.find_session(session, token + "x", now=T0, lifetimes=LIFE) is None
        assert web_sessions.find_session(session, "x" * 500, now=T0, lifetimes=LIFE) is None
        (row,) = session.query(WebSession).all()
        assert token not in (row.id, row.csrf_token)


def test_sessions_end_when_idle_at_their_lifetime_and_at_sign_out(sessions) -> None:
    token = _session_of(sessions)

    def alive(at: datetime) -> bool:
        with sessions.begin() as session:
            return web_sessions.find_session(session, token, now=at, lifetimes=LIFE) is not None

    # Used every 20 minutes it stays open, until its 12 hours are up.
    moment = T0
    while moment + timedelta(minutes=20) < T0 + LIFE.absolute:
        moment += timedelta(minutes=20)
        assert alive(moment)
    assert not alive(T0 + LIFE.absolute)
    fresh = _fresh_token(sessions)
    with sessions.begin() as session:
        assert (
            web_sessions.find_session(
                session, fresh, now=T0 + timedelta(minutes=31), lifetimes=LIFE
            )
            is None
        )  # idle for more than 30 minutes
        web_sessions.end_session(session, fresh, now=T0)
    with sessions.begin() as session:
        assert web_sessions.find_session(session, fresh, now=T0, lifetimes=LIFE) is None


def _fresh_token(sessions) -> str:
    with sessions.begin() as session:
        user = users.get_user(session, "carol")
        return web_sessions.open_session(session, user, now=T0, lifetimes=LIFE)


def test_disabling_or_a_new_password_ends_every_session(sessions) -> None:
    token = _session_of(sessions)
    with sessions.begin() as session:
        users.set_password(session, "carol", "another long password")
        assert web_sessions.find_session(session, token, now=T0, lifetimes=LIFE) is None
    token = _fresh_token(sessions)
    with sessions.begin() as session:
        users.disable(session, "carol")
        assert web_sessions.find_session(session, token, now=T0, lifetimes=LIFE) is None
        assert (
            users.authenticate(session, "carol", "another long password", lockout=Lockout(), now=T0)
            is None
        )
