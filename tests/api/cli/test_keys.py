"""API keys in the database: created once, listed without secrets, revoked, hashed at rest."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.http.app import create_app
from api.http.auth import KeyRing
from screening.keys import service
from screening.keys.models import ApiKeyRecord


def test_create_list_revoke_through_the_cli(run, sessions):
    created = run("keys", "create", "--role", "analyst", "--name", "compliance desk")
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    assert key.startswith("rps_")
    assert len(key) > 40
    listed = json.loads(run("keys", "list", "--json").output)
    (row,) = listed
    assert row["role"] == "analyst"
    assert row["revoked_at"] is None
    assert key not in json.dumps(listed)
    with sessions() as session:
        (stored,) = session.query(ApiKeyRecord).all()
        assert key not in (stored.digest, stored.prefix)
        assert service.check_key(session, key) is not None
    assert run("keys", "revoke", row["id"]).exit_code == 0
    with sessions() as session:
        assert service.check_key(session, key) is None
    assert json.loads(run("keys", "list", "--json").output)[0]["revoked_at"]


def test_unknown_role_and_unknown_key_are_clear_errors(run):
    bad_role = run("keys", "create", "--role", "root", "--name", "x")
    assert bad_role.exit_code == 2
    missing = run("keys", "revoke", "nope")
    assert missing.exit_code == 2
    assert "no API key" in missing.output


def test_a_database_key_works_as_bearer_and_stops_when_revoked(settings, loaded, sessions):
    with sessions.begin() as session:
        stored, key = service.create_key(session, role="signup", name="signup service")
    with TestClient(create_app(settings, start_background=False)) as client:
        ok = client.post(
            "/v1/screen", json={"name": "Huawei"}, headers={"Authorization": f"Bearer {key}"}
        )
        assert ok.status_code == 200
        assert client.get("/v1/lists", headers={"X-API-Key": key}).status_code == 403
    with sessions.begin() as session:
        service.revoke_key(session, stored.id)
    with TestClient(create_app(settings, start_background=False)) as client:
        refused = client.post("/v1/screen", json={"name": "Huawei"}, headers={"X-API-Key": key})
        assert refused.status_code == 401


def test_the_cache_forgets_a_revoked_key_after_its_ttl():
    answers = {"rps_k": True}
    from api.http.auth import Credential, Role

    ring = KeyRing.from_settings([SecretStr("admin:" + "a" * 20)]).with_lookup(
        lambda key: Credential(Role.SIGNUP, "key:1") if answers.get(key) else None, ttl_s=0.0
    )
    assert ring.authenticate("rps_k").role is Role.SIGNUP
    answers["rps_k"] = False
    import pytest

    from screening.errors import NotAuthenticatedError

    with pytest.raises(NotAuthenticatedError):
        ring.authenticate("rps_k")
