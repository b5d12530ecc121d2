"""The HTTP API: authentication and roles, screening, list views, and problem+json errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from tests.api.conftest import auth

PROBLEM = "application/problem+json"


def test_health_needs_no_key(client: TestClient):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "index_ready": True}


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "not-a-real-key-at-all"}])
def test_screen_without_a_valid_key_is_401(client: TestClient, headers: dict[str, str]):
    response = client.post("/v1/screen", json={"name": "x"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert "Bearer" in response.headers["www-authenticate"]
    body = response.json()
    assert body["status"] == 401
    assert body["type"].endswith("/not-authenticated")
    assert body["instance"] == "/v1/screen"


def test_signup_key_screens_and_gets_an_explained_answer(client: TestClient):
    response = client.post(
        "/v1/screen", json={"name": "Korea Mining Development Trading Corp"}, headers=auth("signup")
    )
    assert response.status_code == 200
    body = response.json()
    # The UN list is a blocking sanction: a strong match denies, and the reason says so.
    assert body["decision"] == "deny"
    (reason,) = [r for r in body["reasons"] if r["rule"] == "list_match"]
    assert reason["source"] == "un_sc_sanctions"
    assert reason["version"] == body["versions"]["un_sc_sanctions"]
    assert body["screening_id"]
    assert body["policy_version"].startswith("sha256:")
    best = body["matches"][0]
    assert best["source"] == "un_sc_sanctions"
    assert best["entity_name"] == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert best["explanation"]
    assert set(body["versions"]) == {"us_trade_csl", "un_sc_sanctions"}


def test_unlisted_name_is_clear(client: TestClient):
    response = client.post(
        "/v1/screen", json={"name": "Procter & Gamble", "country": "US"}, headers=auth("signup")
    )
    assert response.status_code == 200
    assert response.json()["decision"] == "clear"


@pytest.mark.parametrize(
    ("role", "method", "path", "status"),
    [
        ("signup", "get", "/v1/lists", 403),
        ("signup", "post", "/v1/lists/un_sc_sanctions/refresh", 403),
        ("analyst", "get", "/v1/lists", 200),
        ("analyst", "post", "/v1/lists/un_sc_sanctions/refresh", 403),
        ("admin", "get", "/v1/lists", 200),
    ],
)
def test_roles_are_separate(client: TestClient, role: str, method: str, path: str, status: int):
    response = client.request(method, path, headers=auth(role))
    assert response.status_code == status
    if status == 403:
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"].endswith("/not-permitted")


def test_signup_key_cannot_batch(client: TestClient):
    body = {"items": [{"id": "1", "name": "KOMID"}]}
    assert client.post("/v1/screen/batch", json=body, headers=auth("signup")).status_code == 403


def test_batch_keeps_caller_ids(client: TestClient):
    body = {"items": [{"id": "a", "name": "KOMID"}, {"id": "b", "name": "Apple Inc."}]}
    response = client.post("/v1/screen/batch", json=body, headers=auth("analyst"))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["id"], r["decision"]) for r in results] == [("a", "deny"), ("b", "clear")]


def test_list_status_and_diff(client: TestClient):
    rows = client.get("/v1/lists", headers=auth("analyst")).json()
    by_source = {row["source"]: row for row in rows}
    assert by_source["un_sc_sanctions"]["records"] == 5
    assert by_source["eu_fsf"]["active_version"] is None
    diff = client.get("/v1/lists/un_sc_sanctions/diff", headers=auth("analyst")).json()
    assert diff["counts"] == {"added": 5, "removed": 0, "changed": 0}


def test_admin_refresh_reports_outcome(client: TestClient):
    response = client.post("/v1/lists/un_sc_sanctions/refresh", headers=auth("admin"))
    assert response.status_code == 200
    assert response.json()["status"] == "unchanged"


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "x" * 1001},
        {"name": "ok", "unexpected": 1},
        {"country": "CN"},
    ],
    ids=["empty", "too_long", "unknown_field", "missing_name"],
)
def test_invalid_bodies_are_422_problems(client: TestClient, body: dict[str, object]):
    response = client.post("/v1/screen", json=body, headers=auth("signup"))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"]


def test_whitespace_name_is_a_clear_error(client: TestClient):
    response = client.post("/v1/screen", json={"name": "   \t "}, headers=auth("signup"))
    assert response.status_code == 422
    assert response.json()["type"].endswith("/invalid-query")


def test_unknown_source_and_route_are_404_problems(client: TestClient):
    response = client.get("/v1/lists/nope/diff", headers=auth("analyst"))
    assert response.status_code == 404
    assert response.json()["type"].endswith("/unknown-source")
    response = client.get("/v2/nothing", headers=auth("analyst"))
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_screen_before_any_list_is_503(settings):
    with TestClient(create_app(settings, start_background=False)) as fresh:
        response = fresh.post("/v1/screen", json={"name": "x"}, headers=auth("signup"))
    assert response.status_code == 503
    assert response.json()["type"].endswith("/index-not-ready")


def test_oversized_body_is_refused_unread(client: TestClient):
    body = b'{"name": "' + b"x" * (5 << 20) + b'"}'
    response = client.post(
        "/v1/screen",
        content=body,
        headers={**auth("signup"), "content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/request-too-large")


def test_without_configured_keys_a_minted_admin_key_is_written_never_logged(
    settings, loaded, tmp_path, caplog
):
    key_file = tmp_path / "secrets" / "admin-key"
    bare = settings.model_copy(update={"api_keys": [], "bootstrap_key_file": key_file})
    with caplog.at_level("DEBUG"), TestClient(create_app(bare, start_background=False)) as c:
        key = key_file.read_text().strip()
        assert len(key) >= 24
        assert key_file.stat().st_mode & 0o777 == 0o600
        assert key not in caplog.text
        assert str(key_file) in caplog.text
        assert c.get("/v1/lists", headers={"X-API-Key": key}).status_code == 200
    # A restart reuses the same key instead of minting another.
    with TestClient(create_app(bare, start_background=False)):
        assert key_file.read_text().strip() == key


def test_readyz_says_ready_with_lists_and_names_what_is_loaded(client: TestClient):
    response = client.get("/v1/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert body["problems"] == []
    csl = body["sources"]["us_trade_csl"]
    assert csl["active_version"] == csl["loaded_version"] is not None


def test_readyz_is_503_without_an_index(settings):
    with TestClient(create_app(settings, start_background=False)) as c:
        response = c.get("/v1/readyz")
        assert response.status_code == 503
        assert "no match index is loaded yet" in response.json()["problems"]
        assert c.get("/v1/healthz").status_code == 200


def test_readyz_is_503_when_a_list_is_too_old(settings, loaded, sessions):
    from datetime import timedelta

    from screening.db import utcnow
    from screening.listings import store

    with sessions.begin() as session:
        store.source_state(session, "un_sc_sanctions").last_success_at = utcnow() - timedelta(
            hours=200
        )
    with TestClient(create_app(settings, start_background=False)) as c:
        response = c.get("/v1/readyz")
        assert response.status_code == 503
        (problem,) = response.json()["problems"]
        assert problem.startswith("un_sc_sanctions: last checked")
        assert response.json()["sources"]["un_sc_sanctions"]["stale"] is True
