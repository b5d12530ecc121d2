"""Decisions over HTTP: the recorded answer, its replay, the listed party, metrics and the
append-only audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api.http.app import create_app
from screening.audit.models import ScreeningRecord
from tests.api.conftest import auth

KOMID = "Korea Mining Development Trading Corp"


def screen(client: TestClient, **body: object) -> dict[str, Any]:
    response = client.post("/v1/screen", json=body, headers=auth("signup"))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_every_screen_is_recorded_and_readable_by_analysts(client: TestClient, sessions):
    answer = screen(client, name=KOMID, country="KP", email="trade@komid.example")
    recorded = client.get(f"/v1/screenings/{answer['screening_id']}", headers=auth("analyst"))
    assert recorded.status_code == 200
    body = recorded.json()
    assert body["decision"] == answer["decision"] == "deny"
    assert body["reasons"] == answer["reasons"]
    assert body["key_id"] == "env-1"  # the signup key, named, never shown
    assert body["request_id"]
    assert set(body["version_ids"]) == {"us_trade_csl", "un_sc_sanctions"}
    # Signup callers cannot read the trail.
    denied = client.get(f"/v1/screenings/{answer['screening_id']}", headers=auth("signup"))
    assert denied.status_code == 403
    missing = client.get("/v1/screenings/0123456789abcdef", headers=auth("analyst"))
    assert missing.status_code == 404


def test_the_trail_refuses_update_and_delete(client: TestClient, sessions):
    screen(client, name="Apple Inc.", country="US")
    for statement in ("UPDATE screenings SET decision = 'clear'", "DELETE FROM screenings"):
        with pytest.raises(DBAPIError, match="append-only"), sessions.begin() as session:
            session.execute(text(statement))
    with sessions() as session:
        assert session.query(ScreeningRecord).count() == 1


def test_replay_reproduces_the_recorded_answer_and_shows_what_changed(client: TestClient):
    answer = screen(client, name=KOMID)
    replayed = client.post(
        f"/v1/screenings/{answer['screening_id']}/replay", headers=auth("analyst")
    )
    assert replayed.status_code == 200
    body = replayed.json()
    assert body["reproduced"] is True
    assert body["then"]["decision"] == body["recorded_decision"] == "deny"
    assert body["changes"]["decision"] is None
    assert body["changes"]["lists_changed"] == {}
    assert body["changes"]["policy_changed"] is False


def test_a_listed_party_with_all_it_says(client: TestClient):
    answer = screen(client, name=KOMID)
    best = answer["matches"][0]
    response = client.get(
        f"/v1/entities/{best['source']}/{best['source_key']}", headers=auth("analyst")
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == best["entity_name"]
    (entry,) = body["entries"]
    assert entry["version"].startswith("v")
    assert entry["record"]["aliases"]
    assert (
        client.get("/v1/entities/un_sc_sanctions/nope", headers=auth("analyst")).status_code == 404
    )


def test_owners_are_screened_and_a_deep_declaration_is_a_clear_error(client: TestClient):
    owned = screen(
        client, name="Pyongyang Export Partners Ltd", country="AE",
        owners=[{"name": KOMID, "percent": 100, "country": "KP"}],
    )  # fmt: skip
    assert owned["decision"] == "deny"
    rules = {r["rule"] for r in owned["reasons"]}
    assert "restricted_jurisdiction_control" in rules
    # Written out by hand: 1,000 levels are deeper than json.dumps will go.
    levels = 1000
    deep = "".join(f'{{"name": "L{n}", "percent": 100, "owners": [' for n in range(levels))
    deep += "]}" * levels
    response = client.post(
        "/v1/screen",
        content=f'{{"name": "Deep Ltd", "owners": [{deep}]}}',
        headers={**auth("signup"), "content-type": "application/json"},
    )
    # Deeper than any JSON parser here will go: refused unparsed, as a problem, not a crash.
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_metrics_for_admins_and_the_scrape_token_only(settings, loaded):
    token = "scrape-token-0123456789abcdef"
    configured = settings.model_copy(update={"metrics_token": SecretStr(token)})
    with TestClient(create_app(configured, start_background=False)) as client:
        screen(client, name=KOMID)
        screen(client, name="Apple Inc.", country="US")
        assert client.get("/metrics", headers=auth("signup")).status_code == 403
        assert client.get("/metrics", headers=auth("analyst")).status_code == 403
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert scraped.status_code == 200
        text_body = scraped.text
        assert 'screening_screens_total{context="signup",decision="deny"} 1.0' in text_body
        assert 'screening_screens_total{context="signup",decision="clear"} 1.0' in text_body
        assert "screening_screen_seconds_bucket" in text_body
        assert 'screening_list_records{source="un_sc_sanctions"}' in text_body
        assert 'screening_list_last_refresh{source="us_trade_csl",status="new_version"} 1.0' in (
            text_body
        )
        assert client.get("/metrics", headers=auth("admin")).status_code == 200
        # The scrape token opens nothing else.
        other = client.post("/v1/screen", json={"name": "x"}, headers={"X-API-Key": token})
        assert other.status_code == 403
