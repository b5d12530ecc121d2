"""The authentication path's read: one statement a request, the same answers, and a lost
database connection never turns a login into an error."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from api.http.app import create_app
from screening import db as screening_db
from screening.db import make_engine
from screening.linking.access import read_access
from screening.monitoring.models import Account, Customer, CustomerResult
from screening.monitoring.results import access_answer
from screening.settings import Settings
from tests.api.conftest import auth

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
DECISION = {"allow": "clear", "review": "review", "deny": "deny"}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, start_background=False)) as test_client:
        yield test_client


def add_account(
    sessions: sessionmaker[Session], n: int, access: str | None, status: str = "active"
) -> str:
    with sessions.begin() as db:
        db.add(Customer(id=n, external_id=f"c-{n}", name=f"Customer {n}", data_hash="0" * 64))
        db.flush()
        db.add(Account(account_id=f"a-{n}", customer_id=n, status=status))
        if access is not None:
            db.add(
                CustomerResult(
                    customer_id=n, decision=DECISION[access], screened_at=NOW, policy_version="t",
                    version_ids={}, screening_id=f"{n:032x}", data_hash="0" * 64,
                    access=access, access_reason=f"{access} by policy", access_since=NOW,
                )
            )  # fmt: skip
    return f"a-{n}"


def statements(engine: Engine) -> list[str]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    return seen


def pooled_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the access reader's own asynchronous connections run (PostgreSQL)."""
    seen: list[str] = []
    original = psycopg.AsyncConnection.execute

    async def execute(self: psycopg.AsyncConnection[Any], query: Any, *args: Any) -> Any:
        seen.append(str(query))
        return await original(self, query, *args)

    monkeypatch.setattr(psycopg.AsyncConnection, "execute", execute)
    return seen


def test_one_statement_per_request(
    client: TestClient, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    account = add_account(sessions, 1, "deny")
    client.get(f"/v1/accounts/{account}/access", headers=auth("signup"))
    seen = statements(client.app.state.sessions.kw["bind"])  # type: ignore[attr-defined]
    pooled = pooled_statements(monkeypatch)
    response = client.get(f"/v1/accounts/{account}/access", headers=auth("signup"))
    assert response.status_code == 200
    assert response.json() == {
        "account_id": account,
        "access": "deny",
        "reason": "deny by policy",
        "since": NOW.isoformat(),
        "customer_external_id": "c-1",
    }
    if sessions.kw["bind"].dialect.name == "postgresql":
        # On the event loop, on the reader's own connections: no ping (used a moment ago).
        assert (len(seen), len(pooled)) == (0, 1), (seen, pooled)
    else:
        assert (len(seen), len(pooled)) == (1, 0), (seen, pooled)
    assert response.headers["cache-control"] == "no-store"


def test_unknown_unscreened_and_closed_accounts(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    unknown = client.get("/v1/accounts/a-404/access", headers=auth("signup"))
    assert unknown.status_code == 404
    assert "never treat an unknown account as allowed" in unknown.json()["detail"]
    unscreened = client.get(f"/v1/accounts/{add_account(sessions, 2, None)}/access",
                            headers=auth("signup")).json()  # fmt: skip
    assert (unscreened["access"], unscreened["since"]) == ("review", None)
    assert "not been screened" in unscreened["reason"]
    closed = add_account(sessions, 3, "allow", status="closed")
    got = client.get(f"/v1/accounts/{closed}/access", headers=auth("signup")).json()
    assert (got["access"], got["reason"]) == ("review", "the account is closed")


def test_the_access_route_still_needs_a_key_and_the_permission(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    account = add_account(sessions, 4, "allow")
    assert client.get(f"/v1/accounts/{account}/access").status_code == 401
    assert client.get(f"/v1/accounts/{account}/access",
                      headers={"X-API-Key": "not-a-key-0123456789"}).status_code == 401  # fmt: skip
    too_long = client.get(f"/v1/accounts/{'x' * 201}/access", headers=auth("signup"))
    assert too_long.status_code == 422


def test_an_inactive_account_never_allows() -> None:
    got = access_answer("a", "suspended", "c", "allow", "clear", NOW)
    assert (got["access"], got["reason"]) == ("review", "the account is suspended")
    assert access_answer("a", "suspended", "c", "deny", "listed", NOW)["access"] == "deny"


def _kill_other_backends(url: str) -> int:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            killed = conn.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        admin.dispose()
    # Termination is asynchronous: wait until the backends are gone.
    time.sleep(0.3)
    return int(killed or 0)


def test_the_read_survives_a_killed_connection(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (a server that can kill a session)")
    account = add_account(sessions, 5, "allow")
    sessions.kw["bind"].dispose()
    engine = make_engine(db_url)
    try:
        assert read_access(engine, account)["access"] == "allow"
        # Pooled a moment ago, so not pinged: the read itself finds it dead and retries.
        assert _kill_other_backends(db_url) >= 1
        assert read_access(engine, account)["access"] == "allow"
    finally:
        engine.dispose()


def test_an_idle_connection_is_pinged_before_use(
    db_url: str, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (a server that can kill a session)")
    sessions.kw["bind"].dispose()
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT 1")) == 1
        assert _kill_other_backends(db_url) >= 1
        # Every route's session, not only the access read: a connection that sat in the pool
        # longer than IDLE_PING_S is checked first and replaced when dead.
        monkeypatch.setattr(screening_db, "IDLE_PING_S", 0.0)
        with Session(engine) as session:
            assert session.scalar(text("SELECT 2")) == 2
    finally:
        engine.dispose()


def test_a_route_survives_a_killed_connection(
    db_url: str, client: TestClient, sessions: sessionmaker[Session]
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (a server that can kill a session)")
    account = add_account(sessions, 6, "review")
    sessions.kw["bind"].dispose()
    url = f"/v1/accounts/{account}/access"
    assert client.get(url, headers=auth("signup")).status_code == 200
    assert _kill_other_backends(db_url) >= 1
    response = client.get(url, headers=auth("signup"))
    assert response.status_code == 200, response.text
    assert response.json()["access"] == "review"
