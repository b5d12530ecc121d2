"""The linked-accounts pages over HTTP: the list of clusters, one cluster with its denied root,
its members and their paths, the decision on the whole cluster with four-eyes, and refusals."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from screening.linking import service
from screening.linking.models import ClusterEvent
from screening.linking.signals import Observation
from tests.api.conftest import auth
from tests.api.web.conftest import post_form, second_browser, sign_in

LISTED = "Korea Mining Development Trading Corp"  # UN-listed in the fixtures: deny
CARD = "fp_secret_card_4242"
DEVICE = "dev-secret-77"


def customer(client: TestClient, external_id: str, name: str) -> None:
    body = {"external_id": external_id, "name": name, "accounts": [{"account_id": external_id}]}
    answer = client.post("/v1/customers", json=body, headers=auth("analyst"))
    assert answer.status_code == 201, answer.text


def observe(client: TestClient, account_id: str, **values: Any) -> int | None:
    """Record signals through the linking service, as the signals endpoint does."""
    app: Any = client.app
    with app.state.sessions.begin() as session:
        account = service.find_account(session, account_id)
        done = service.record(
            session, account, Observation(**values), app.state.linking, actor="test"
        )
    return done.cluster_id


def seeded_cluster(client: TestClient) -> int:
    """A denied account (kmdtc) and a shell sharing its card; a second shell sharing a device
    with the first."""
    customer(client, "kmdtc", LISTED)
    customer(client, "shell-1", "Bright Future Research")
    customer(client, "shell-2", "Blue Sky Labs")
    observe(client, "kmdtc", payment_fingerprint=CARD)
    cluster_id = observe(client, "shell-1", payment_fingerprint=CARD, device_id=DEVICE)
    assert cluster_id is not None
    assert observe(client, "shell-2", device_id=DEVICE) == cluster_id
    return cluster_id


def test_a_cluster_shows_its_root_members_and_paths(web: TestClient) -> None:
    cluster_id = seeded_cluster(web)
    sign_in(web, "alice")
    page = web.get(f"/ui/clusters/{cluster_id}")
    assert page.status_code == 200
    text = page.text
    assert f"Cluster {cluster_id}" in text
    assert '<dd id="cluster-status">open</dd>' in text
    assert "kmdtc" in text
    assert "KOREA MINING" in text  # why the root is denied
    assert 'href="/ui/customers/shell-1"' in text
    assert 'href="/ui/customers/shell-2"' in text
    assert "shares payment fingerprint with account kmdtc, denied: KOREA MINING" in text
    assert "shares device id with account shell-1, which shares payment fingerprint" in text
    assert "device id, payment fingerprint" in text  # the kinds shared
    for secret in (CARD, DEVICE):  # the values never
        assert secret not in text
    assert 'name="csrf_token"' in text
    assert '<label for="decision">' in text
    assert '<label for="note">' in text

    listing = web.get("/ui/clusters")
    assert listing.status_code == 200
    assert f'href="/ui/clusters/{cluster_id}"' in listing.text
    assert 'href="/ui/clusters" aria-current="page"' in listing.text
    assert 'href="/ui/clusters"' in web.get("/ui/").text
    assert f'href="/ui/clusters/{cluster_id}"' not in web.get("/ui/clusters?status=denied").text

    shell = web.get("/ui/customers/shell-2")
    assert f'href="/ui/clusters/{cluster_id}"' in shell.text
    root = web.get("/ui/customers/kmdtc")
    assert f'href="/ui/clusters/{cluster_id}"' in root.text
    assert "the denied root" in root.text


def test_a_cluster_is_denied_from_the_page_with_four_eyes(web: TestClient, sessions) -> None:
    cluster_id = seeded_cluster(web)
    page = f"/ui/clusters/{cluster_id}"
    action = f"{page}/decision"
    alice = sign_in(web, "alice")
    proposed = post_form(alice, page, action, {"decision": "deny", "note": "one operator"})
    assert proposed.status_code == 303, proposed.text
    assert proposed.headers["location"].endswith("done=proposed")
    shown = alice.get(page).text
    assert "You proposed it: another analyst must approve it." in shown
    assert '<dd id="cluster-status">open</dd>' in shown

    own = post_form(alice, page, action, {"decision": "deny", "note": "again"})
    assert own.status_code == 422
    assert "four-eyes" in own.text
    no_note = post_form(alice, page, action, {"decision": "deny", "note": " "})
    assert no_note.status_code == 422
    assert "needs a note" in no_note.text

    bob = sign_in(second_browser(web), "bob")
    approved = post_form(bob, page, action, {"decision": "deny", "note": "same card and device"})
    assert approved.status_code == 303, approved.text
    assert approved.headers["location"].endswith("done=decided")
    done = bob.get(approved.headers["location"]).text
    assert '<dd id="cluster-status">denied</dd>' in done
    assert "Decision recorded" in done
    assert "same card and device" in done  # the note, in the history
    with sessions() as session:
        events = session.scalars(
            select(ClusterEvent)
            .where(ClusterEvent.cluster_id == cluster_id)
            .order_by(ClusterEvent.id)
        ).all()
    assert [(e.kind, e.actor) for e in events][-2:] == [
        ("proposed", "user:alice"),
        ("decided", "user:bob"),
    ]
    for account_id in ("shell-1", "shell-2"):
        access = web.get(f"/v1/accounts/{account_id}/access", headers=auth("signup"))
        assert access.json()["access"] == "deny"
    assert '<strong id="access">deny</strong>' in bob.get("/ui/customers/shell-1").text


def test_a_cluster_is_dismissed_at_once_without_four_eyes(web: TestClient) -> None:
    cluster_id = seeded_cluster(web)
    app: Any = web.app
    app.state.web = dataclasses.replace(app.state.web, four_eyes=False)
    page = f"/ui/clusters/{cluster_id}"
    alice = sign_in(web, "alice")
    done = post_form(alice, page, f"{page}/decision", {"decision": "dismiss", "note": "a reseller"})
    assert done.headers["location"].endswith("done=decided")
    shown = alice.get(page).text
    assert '<dd id="cluster-status">dismissed</dd>' in shown
    assert "nothing to decide" in shown


def test_a_decision_without_the_token_is_refused(web: TestClient, sessions) -> None:
    cluster_id = seeded_cluster(web)
    sign_in(web, "alice")
    for data in (
        {"decision": "deny", "note": "x"},
        {"decision": "deny", "note": "x", "csrf_token": "forged"},
    ):
        refused = web.post(f"/ui/clusters/{cluster_id}/decision", data=data)
        assert refused.status_code == 403
        assert "did not carry this session" in refused.text
    with sessions() as session:
        kinds = session.scalars(
            select(ClusterEvent.kind).where(ClusterEvent.cluster_id == cluster_id)
        ).all()
    assert "proposed" not in kinds


def test_an_unknown_cluster_is_the_not_found_page(web: TestClient) -> None:
    sign_in(web, "alice")
    missing = web.get("/ui/clusters/999")
    assert missing.status_code == 404
    assert "Not available" in missing.text
    assert "no cluster 999" in missing.text
    assert web.get("/ui/clusters/abc").status_code == 422
    assert web.get("/ui/clusters").status_code == 200
    assert "No clusters" in web.get("/ui/clusters").text


def test_the_cluster_pages_need_a_sign_in(web: TestClient) -> None:
    answer = web.get("/ui/clusters/1")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/ui/signin")


def test_the_audit_page_lists_cluster_changes(web: TestClient) -> None:
    cluster_id = seeded_cluster(web)
    sign_in(web, "alice")
    page = web.get("/ui/audit?kind=cluster_event").text
    assert f'href="/ui/clusters/{cluster_id}">cluster {cluster_id}: created' in page
    assert f"cluster {cluster_id}: grown" in page
    assert "screen of" not in page  # only the kind asked for
    assert f"cluster {cluster_id}: created" in web.get("/ui/audit").text
    for other in ("actor=user:bob", "decision=deny"):  # not bob's; a cluster change has none
        assert f"cluster {cluster_id}:" not in web.get(f"/ui/audit?kind=cluster_event&{other}").text
