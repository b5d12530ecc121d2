"""Linked accounts over HTTP: signals from the signup role, the access answer with the path,
links and clusters for analysts, and a whole cluster denied in one decision."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.http.linking import ClusterOut, LinksOut, SignalsOut
from tests.api.conftest import auth

LISTED = "Korea Mining Development Trading Corp"  # UN-listed: deny
PROBLEM = "application/problem+json"


def customer(client: TestClient, external_id: str, name: str) -> None:
    body = {"external_id": external_id, "name": name, "accounts": [{"account_id": external_id}]}
    response = client.post("/v1/customers", json=body, headers=auth("analyst"))
    assert response.status_code == 201, response.text


def signals(client: TestClient, account_id: str, **values: Any) -> dict[str, Any]:
    response = client.post(
        f"/v1/accounts/{account_id}/signals", json=values, headers=auth("signup")
    )
    assert response.status_code == 200, response.text
    SignalsOut.model_validate(response.json())
    return dict(response.json())


def access(client: TestClient, account_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/accounts/{account_id}/access", headers=auth("signup"))
    assert response.status_code == 200
    return dict(response.json())


def test_an_account_sharing_a_card_with_a_denied_one_is_sent_to_review(
    client: TestClient,
) -> None:
    customer(client, "kmdtc", LISTED)
    customer(client, "shell-1", "Bright Future Research")
    customer(client, "shell-2", "Blue Sky Labs")
    assert access(client, "kmdtc")["access"] == "deny"
    signals(client, "kmdtc", payment_fingerprint="fp_1", email="ops@kmdtc-mail.example")
    signals(client, "kmdtc", payment_fingerprint="fp_2")
    first = signals(client, "shell-1", payment_fingerprint="fp_1", device_id="dev-1")
    signals(client, "shell-1", payment_fingerprint="fp_2")
    assert first["cluster_id"] is not None
    assert first["access"]["access"] == "review"
    second = signals(client, "shell-2", device_id="DEV-1", ip="47.89.10.20")
    assert second["linked_now"] == 1
    shell = access(client, "shell-2")
    assert shell["access"] == "review"
    assert (
        "shares device id with account shell-1, which shares payment fingerprint with "
        in (shell["reason"])
    )
    assert "account kmdtc, denied: KOREA MINING" in shell["reason"]

    links = client.get("/v1/accounts/shell-2/links", headers=auth("analyst"))
    assert links.status_code == 200
    body = LinksOut.model_validate(links.json())
    assert [link.account_id for link in body.links] == ["shell-1"]
    assert body.restricted_clouds == ["Alibaba Cloud (Alibaba Group)"]
    kinds = {s.kind: s for s in body.signals}
    assert kinds["ip_prefix"].value is None  # personal: never shown
    assert "47.89" not in links.text
    assert "dev-1" not in links.text
    assert body.cluster is not None
    assert body.cluster.role == "member"

    alerts = client.get("/v1/alerts?customer=shell-2", headers=auth("analyst")).json()
    assert [a["source"] for a in alerts] == ["linked_accounts"]
    assert alerts[0]["entity_name"].startswith("KOREA MINING")

    cluster_id = first["cluster_id"]
    view = client.get(f"/v1/clusters/{cluster_id}", headers=auth("analyst"))
    cluster = ClusterOut.model_validate(view.json())
    assert [r.account_id for r in cluster.roots] == ["kmdtc"]
    assert cluster.members_by_state == {"review": 2}

    decided = client.post(
        f"/v1/clusters/{cluster_id}/decision",
        json={"decision": "deny", "note": "one operator: same card and device"},
        headers=auth("analyst"),
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["members_by_state"] == {"denied": 2}
    for account_id in ("shell-1", "shell-2"):
        assert access(client, account_id)["access"] == "deny"

    # The cluster's history is in the audit export, beside the screens and alert changes.
    period = {"since": "2000-01-01T00:00:00Z", "until": "2999-01-01T00:00:00Z"}
    exported = client.get("/v1/audit/export", params=period, headers=auth("analyst")).json()
    events = [r for r in exported if r["kind"] == "cluster_event"]
    assert {r["cluster_id"] for r in events} == {cluster_id}
    assert {"created", "grown", "decided"} <= {r["event"] for r in events}
    denied = next(r for r in events if r["event"] == "decided")
    assert denied["actor"] == "env-2"  # the analyst key that decided
    as_csv = client.get(
        "/v1/audit/export", params={**period, "format": "csv"}, headers=auth("analyst")
    )
    assert f",{cluster_id}\r\n" in as_csv.text or f",{cluster_id}\n" in as_csv.text


def test_signals_are_checked_and_refused_as_problems(client: TestClient) -> None:
    customer(client, "acme", "Acme Widgets")
    unknown = client.post(
        "/v1/accounts/nobody/signals", json={"device_id": "x"}, headers=auth("signup")
    )
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == PROBLEM
    assert "unknown" in unknown.json()["detail"]
    for body, expected in (
        ({"phone": "0207 946 0018"}, "country code"),
        ({"ip": "10.0.0.1"}, "not a public address"),
        ({}, "no signal given"),
        ({"observed_at": "2999-01-01T00:00:00Z", "device_id": "d"}, "future"),
    ):
        bad = client.post("/v1/accounts/acme/signals", json=body, headers=auth("signup"))
        assert bad.status_code == 422, body
        assert bad.headers["content-type"] == PROBLEM
        assert expected in bad.json()["detail"]
    extra = client.post("/v1/accounts/acme/signals", json={"name": "x"}, headers=auth("signup"))
    assert extra.status_code == 422
    assert extra.json()["type"].endswith("/validation")


def test_roles(client: TestClient) -> None:
    customer(client, "acme", "Acme Widgets")
    assert client.get("/v1/accounts/acme/links", headers=auth("signup")).status_code == 403
    assert client.get("/v1/clusters/1", headers=auth("signup")).status_code == 403
    missing = client.get("/v1/clusters/1", headers=auth("analyst"))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    decision = client.post(
        "/v1/clusters/1/decision", json={"decision": "deny", "note": "x"}, headers=auth("signup")
    )
    assert decision.status_code == 403
