"""Customers, precomputed access, alerts and their review, and the audit export, over HTTP."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.http.app import create_app
from api.http.monitoring import AccessOut, AlertDetail, CustomerOut
from screening.audit.models import ScreeningRecord
from screening.settings import Settings
from tests.api.conftest import auth

LISTED = "Korea Mining Development Trading Corp"  # UN-listed: deny
NEAR = "Korea Mining Developmnt Trading"  # a typo of it: review
PROBLEM = "application/problem+json"


def customer(external_id: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "name": name,
        "accounts": [{"account_id": f"acct-{external_id}", "email": f"ops@{external_id}.test"}],
        **extra,
    }


def create(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/customers", json=body, headers=auth("analyst"))
    assert response.status_code == 201, response.text
    return dict(response.json())


def access(client: TestClient, account_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/accounts/{account_id}/access", headers=auth("signup"))
    assert response.status_code == 200, response.text
    AccessOut.model_validate(response.json())
    return dict(response.json())


def only_alert(client: TestClient, external_id: str) -> dict[str, Any]:
    alerts = client.get(f"/v1/alerts?customer={external_id}", headers=auth("analyst")).json()
    assert len(alerts) == 1
    return dict(alerts[0])


def decide(client: TestClient, alert_id: int, status: str, role: str = "analyst") -> Any:
    return client.post(
        f"/v1/alerts/{alert_id}/decision",
        json={"status": status, "note": f"checked: {status}"},
        headers=auth(role),
    )


def test_access_follows_the_decision_allow_review_deny(client: TestClient) -> None:
    create(client, customer("apple", "Apple Inc.", country="US"))
    create(client, customer("near", NEAR))
    body = create(client, customer("kmdtc", LISTED))
    CustomerOut.model_validate(body)
    assert body["result"]["decision"] == "deny"
    assert [m["source_key"] for m in body["matches"]] == ["KPe.001"]
    assert body["matches"][0]["fingerprint"]

    assert access(client, "acct-apple")["access"] == "allow"
    assert access(client, "acct-near")["access"] == "review"
    denied = access(client, "acct-kmdtc")
    assert denied["access"] == "deny"
    assert denied["customer_external_id"] == "kmdtc"
    assert "KOREA MINING" in denied["reason"]
    assert denied["since"]


def test_an_unknown_account_is_a_404_that_says_so(client: TestClient) -> None:
    response = client.get("/v1/accounts/nobody/access", headers=auth("signup"))
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert "unknown" in response.json()["detail"]


def test_access_is_read_not_screened(client: TestClient, sessions: sessionmaker[Session]) -> None:
    create(client, customer("kmdtc", LISTED))
    with sessions() as db:
        before = db.scalar(select(func.count()).select_from(ScreeningRecord))
    for _ in range(3):
        access(client, "acct-kmdtc")
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(ScreeningRecord)) == before


def test_signup_reads_access_only(client: TestClient) -> None:
    refused = client.post("/v1/customers", json=customer("x", "X Corp"), headers=auth("signup"))
    assert refused.status_code == 403
    assert client.get("/v1/alerts", headers=auth("signup")).status_code == 403


def test_a_customer_is_created_once_and_put_updates_it(client: TestClient) -> None:
    create(client, customer("c1", "Apple Inc.", country="US"))
    again = client.post("/v1/customers", json=customer("c1", "Apple"), headers=auth("analyst"))
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    put = client.put("/v1/customers/c1", json={"name": LISTED}, headers=auth("analyst"))
    assert put.status_code == 200
    # Changed data is rescreened at once: the account is denied without a rescreen run.
    assert put.json()["result"]["decision"] == "deny"
    assert access(client, "acct-c1")["access"] == "deny"
    got = client.get("/v1/customers/c1", headers=auth("analyst")).json()
    assert [a["account_id"] for a in got["accounts"]] == ["acct-c1"]
    assert got["alerts"][0]["events"][0]["kind"] == "opened"
    assert client.get("/v1/customers/nope", headers=auth("analyst")).status_code == 404


def test_an_unscreenable_customer_is_refused(client: TestClient) -> None:
    response = client.post(
        "/v1/customers", json=customer("bad", "Acme", country="Atlantis"), headers=auth("analyst")
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith("/invalid-query")


def test_false_positive_stays_closed_until_the_customer_changes(client: TestClient) -> None:
    create(client, customer("near", NEAR, country="US"))
    alert = only_alert(client, "near")
    assert alert["status"] == "open"
    decided = decide(client, alert["id"], "false_positive")
    assert decided.status_code == 200
    assert decided.json()["status"] == "false_positive"
    assert access(client, "acct-near")["access"] == "allow"

    # The same data again: nothing changed, nothing reopens.
    same = {"name": NEAR, "country": "US"}
    client.put("/v1/customers/near", json=same, headers=auth("analyst"))
    assert only_alert(client, "near")["status"] == "false_positive"
    assert access(client, "acct-near")["access"] == "allow"

    changed = {"name": NEAR, "country": "US", "address": "1 Main St"}
    client.put("/v1/customers/near", json=changed, headers=auth("analyst"))
    reopened = client.get(f"/v1/alerts/{alert['id']}", headers=auth("analyst")).json()
    AlertDetail.model_validate(reopened)
    assert reopened["status"] == "open"
    last = reopened["events"][-1]
    assert (last["kind"], last["from_status"], last["to_status"]) == (
        "reopened",
        "false_positive",
        "open",
    )
    assert last["details"]["customer_data"] == ["address"]
    assert access(client, "acct-near")["access"] == "review"


def test_a_confirmed_true_match_denies(client: TestClient) -> None:
    create(client, customer("near", NEAR))
    alert = only_alert(client, "near")
    assigned = client.post(
        f"/v1/alerts/{alert['id']}/assign", json={"assignee": "ana"}, headers=auth("analyst")
    )
    assert assigned.json()["assignee"] == "ana"
    assert decide(client, alert["id"], "true_match").status_code == 200
    got = access(client, "acct-near")
    assert got["access"] == "deny"
    assert "confirmed true match" in got["reason"]
    events = client.get(f"/v1/alerts/{alert['id']}", headers=auth("analyst")).json()["events"]
    assert [e["kind"] for e in events] == ["opened", "assigned", "decided"]
    assert all(e["actor"] for e in events)


def test_a_decision_needs_a_note(client: TestClient) -> None:
    create(client, customer("near", NEAR))
    alert = only_alert(client, "near")
    response = client.post(
        f"/v1/alerts/{alert['id']}/decision",
        json={"status": "true_match"},
        headers=auth("analyst"),
    )
    assert response.status_code == 422


@pytest.fixture
def four_eyes(settings: Settings, loaded: None) -> Iterator[TestClient]:
    strict = settings.model_copy(update={"four_eyes": True})
    with TestClient(create_app(strict, start_background=False)) as test_client:
        yield test_client


def test_four_eyes_refuses_self_approval(four_eyes: TestClient) -> None:
    create(four_eyes, customer("near", NEAR))
    alert = only_alert(four_eyes, "near")
    proposed = decide(four_eyes, alert["id"], "true_match")
    assert proposed.status_code == 200
    assert proposed.json()["status"] == "open"
    assert proposed.json()["proposed_status"] == "true_match"
    assert access(four_eyes, "acct-near")["access"] == "review"  # not decided yet

    self_approved = decide(four_eyes, alert["id"], "true_match")
    assert self_approved.status_code == 403
    assert self_approved.headers["content-type"] == PROBLEM
    assert "four-eyes" in self_approved.json()["detail"]

    approved = decide(four_eyes, alert["id"], "true_match", role="admin")
    assert approved.status_code == 200
    assert approved.json()["status"] == "true_match"
    assert [e["kind"] for e in approved.json()["events"]] == ["opened", "proposed", "approved"]
    assert access(four_eyes, "acct-near")["access"] == "deny"


def test_alerts_filter_by_status(client: TestClient) -> None:
    create(client, customer("near", NEAR))
    create(client, customer("kmdtc", LISTED))
    alert = only_alert(client, "near")
    decide(client, alert["id"], "escalated")
    escalated = client.get("/v1/alerts?status=escalated", headers=auth("analyst")).json()
    assert [a["customer_external_id"] for a in escalated] == ["near"]
    assert len(client.get("/v1/alerts?status=open", headers=auth("analyst")).json()) == 1
    assert client.get("/v1/alerts/999999", headers=auth("analyst")).status_code == 404


def test_audit_export_has_screens_and_alert_changes(client: TestClient) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    create(client, customer("near", NEAR))
    decide(client, only_alert(client, "near")["id"], "false_positive")
    until = datetime.now(UTC) + timedelta(minutes=1)
    period = {"since": since.isoformat(), "until": until.isoformat()}

    as_json = client.get("/v1/audit/export", params=period, headers=auth("analyst"))
    assert as_json.status_code == 200
    kinds = [(r["kind"], r.get("event")) for r in as_json.json()]
    assert ("screening", None) in kinds
    assert ("alert_event", "opened") in kinds
    assert ("alert_event", "decided") in kinds

    as_csv = client.get(
        "/v1/audit/export", params={**period, "format": "csv"}, headers=auth("analyst")
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {r["kind"] for r in rows} == {"screening", "alert_event"}
    assert len(rows) == len(as_json.json())

    naive = client.get(
        "/v1/audit/export",
        params={"since": "2026-01-01T00:00:00", "until": "2026-02-01T00:00:00"},
        headers=auth("analyst"),
    )
    assert naive.status_code == 422
    # Before year 1 once in UTC: refused, not a server error.
    ancient = client.get(
        "/v1/audit/export",
        params={"since": "0001-01-01T00:30:00+01:00", "until": "2026-01-01T00:00:00Z"},
        headers=auth("analyst"),
    )
    assert ancient.status_code == 422
