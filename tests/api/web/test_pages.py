"""The pages over HTTP: screen, review with four-eyes, customers, lists, batch and audit."""

from __future__ import annotations

import csv
import io
import json
import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from screening.audit import store as audit_store
from screening.audit.models import ScreeningRecord
from screening.monitoring.models import AlertEvent
from tests.api.conftest import auth
from tests.api.web.conftest import post_form, second_browser, sign_in

LISTED = "Korea Mining Development Trading Corp"  # UN-listed in the fixtures: deny


def screen(client: TestClient, **fields: str):
    answer = post_form(client, "/ui/screen", "/ui/screen", fields)
    assert answer.status_code == 303, answer.text
    return client.get(answer.headers["location"])


def test_a_curated_labs_chinese_name_is_denied_with_its_reason(web: TestClient, sessions) -> None:
    page = screen(sign_in(web, "alice"), name="深度求索")
    assert page.status_code == 200
    assert '<strong id="decision">deny</strong>' in page.text
    assert "curated_ai_labs" in page.text
    assert "Hangzhou DeepSeek Artificial Intelligence" in page.text
    assert "杭州深度求索人工智能基础技术研究有限公司" in page.text  # the listed party's aliases
    assert "How the score adds up" in page.text
    with sessions() as session:
        (row,) = session.scalars(select(ScreeningRecord)).all()
    assert row.key_id == "user:alice"  # the person, not a key, is on the record
    assert row.decision == "deny"


def test_an_ownership_reason_is_drawn_as_a_chain(web: TestClient) -> None:
    owners = [{"name": "Beijing Parent Co", "country": "CN", "percent": 60}]
    page = screen(
        sign_in(web, "alice"),
        name="Subsidiary Trading Ltd",
        country="GB",
        owners=json.dumps(owners),
    )
    assert '<strong id="decision">deny</strong>' in page.text
    svg = page.text.split('<svg class="chain"')[1].split("</svg>")[0]
    assert "Beijing Parent Co" in svg
    assert "Subsidiary Trading Ltd" in svg
    assert "60%" in svg


def test_everything_shown_is_escaped(web: TestClient) -> None:
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    page = screen(sign_in(web, "alice"), name=hostile)
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<img src=x" not in page.text


def test_bad_input_is_a_clear_message_and_keeps_the_form(web: TestClient) -> None:
    sign_in(web, "alice")
    answer = post_form(web, "/ui/screen", "/ui/screen", {"name": "Acme", "owners": "[{"})
    assert answer.status_code == 422
    assert "owners must be a JSON list" in answer.text
    assert 'value="Acme"' in answer.text
    long = post_form(web, "/ui/screen", "/ui/screen", {"name": "x" * 1001})
    assert long.status_code == 422


def test_replay_of_a_past_screen(web: TestClient) -> None:
    page = screen(sign_in(web, "alice"), name="深度求索")
    sid = page.text.split("/ui/screenings/")[1].split("/replay")[0]
    replayed = post_form(web, f"/ui/screenings/{sid}", f"/ui/screenings/{sid}/replay", {})
    assert replayed.status_code == 200
    assert '<strong id="reproduced">Reproduced</strong>' in replayed.text


def _alert_for_listed_customer(web: TestClient) -> int:
    body = {"external_id": "kmdtc", "name": LISTED, "accounts": [{"account_id": "acct-1"}]}
    assert web.post("/v1/customers", json=body, headers=auth("analyst")).status_code == 201
    (alert,) = web.get("/v1/alerts?customer=kmdtc", headers=auth("analyst")).json()
    return int(alert["id"])


def test_an_alert_decided_with_four_eyes_by_two_people(web: TestClient, sessions) -> None:
    alert_id = _alert_for_listed_customer(web)
    alice = sign_in(web, "alice")
    queue = alice.get("/ui/review")
    assert f'href="/ui/alerts/{alert_id}"' in queue.text
    page = f"/ui/alerts/{alert_id}"
    assigned = post_form(alice, page, f"{page}/assign", {"assignee": "me"})
    assert assigned.status_code == 303
    assert "user:alice" in alice.get("/ui/review?assignee=me").text

    proposed = post_form(
        alice, page, f"{page}/decision", {"status": "true_match", "note": "same registry number"}
    )
    assert proposed.headers["location"].endswith("done=proposed")
    shown = alice.get(page).text
    assert "You proposed it: another analyst must approve it." in shown
    own = post_form(alice, page, f"{page}/decision", {"status": "true_match", "note": "again"})
    assert own.status_code == 422
    assert "four-eyes" in own.text

    bob = sign_in(second_browser(web), "bob")
    approved = post_form(bob, page, f"{page}/decision", {"status": "true_match", "note": "agreed"})
    assert approved.headers["location"].endswith("done=decided")
    assert '<dd id="alert-status">true_match</dd>' in bob.get(page).text
    with sessions() as session:
        events = session.scalars(select(AlertEvent).order_by(AlertEvent.id)).all()
    assert [(e.kind, e.actor) for e in events][-3:] == [
        ("assigned", "user:alice"),
        ("proposed", "user:alice"),
        ("approved", "user:bob"),
    ]
    customer = bob.get("/ui/customers/kmdtc")
    assert '<strong id="access">deny</strong>' in customer.text
    assert "acct-1" in customer.text
    assert "approved" in customer.text


def test_the_queue_filters_and_orders(web: TestClient) -> None:
    alert_id = _alert_for_listed_customer(web)
    sign_in(web, "alice")
    assert f"#{alert_id}" in web.get("/ui/review?decision=deny").text
    assert f"#{alert_id}" not in web.get("/ui/review?decision=review").text
    assert f"#{alert_id}" not in web.get("/ui/review?assignee=me").text
    assert f"#{alert_id}" in web.get("/ui/review?customer=kmd").text
    assert web.get("/ui/review?offset=-1").status_code == 422


def test_customer_search_by_id_name_or_account(web: TestClient) -> None:
    _alert_for_listed_customer(web)
    sign_in(web, "alice")
    for q in ("kmd", "korea mining", "acct-1"):
        assert 'href="/ui/customers/kmdtc"' in web.get(f"/ui/customers?q={q}").text, q
    assert web.get("/ui/customers/nope").status_code == 404


def test_lists_show_versions_diffs_and_a_size_chart(web: TestClient) -> None:
    sign_in(web, "alice")
    lists = web.get("/ui/lists")
    assert 'href="/ui/lists/curated_ai_labs"' in lists.text
    one = web.get("/ui/lists/curated_ai_labs")
    assert '<svg class="chart"' in one.text
    assert "67" in one.text
    assert "Added" in one.text
    assert web.get("/ui/lists/no_such").status_code == 404


def test_a_batch_upload_runs_and_its_results_download(web: TestClient) -> None:
    sign_in(web, "alice")
    data = "id,name,country\n1,深度求索,\n2,Apple Inc.,US\n3,,\n".encode()
    token = web.get("/ui/batch").text.split('name="csrf_token" value="')[1].split('"')[0]
    answer = web.post(
        "/ui/batch",
        data={"csrf_token": token},
        files={"file": ("parties.csv", data, "text/csv")},
    )
    assert answer.status_code == 303, answer.text
    job = answer.headers["location"]
    for _ in range(200):
        status = web.get(f"{job}/status").json()
        if status["state"] == "finished":
            break
        time.sleep(0.05)
    assert status == {**status, "state": "finished", "done": 3, "deny": 1, "errors": 1}
    rows = list(csv.DictReader(io.StringIO(web.get(f"{job}/results.csv").text)))
    assert [r["decision"] for r in rows] == ["deny", "clear", ""]
    assert rows[2]["error"]
    jsonl = web.get(f"{job}/results.jsonl")
    assert jsonl.headers["content-disposition"].startswith("attachment")
    assert len(jsonl.text.splitlines()) == 3
    bob = sign_in(second_browser(web), "bob")
    assert bob.get(job).status_code == 404  # alice's upload is hers


def test_a_bad_upload_is_refused_whole(web: TestClient) -> None:
    sign_in(web, "alice")
    token = web.get("/ui/batch").text.split('name="csrf_token" value="')[1].split('"')[0]
    answer = web.post(
        "/ui/batch",
        data={"csrf_token": token},
        files={"file": ("x.csv", b"name\nAcme\n", "text/csv")},
    )
    assert answer.status_code == 422
    assert "missing: id" in answer.text


def test_audit_filters_and_exports(web: TestClient) -> None:
    screen(sign_in(web, "alice"), name="深度求索")
    page = web.get("/ui/audit?actor=user:alice")
    assert "vetting screen of 深度求索" in page.text
    assert "vetting screen" not in web.get("/ui/audit?actor=user:bob").text
    assert "vetting screen" not in web.get("/ui/audit?decision=clear").text
    exported = web.get("/ui/audit/export?format=csv")
    assert exported.status_code == 200
    assert "user:alice" in exported.text
    assert web.get("/ui/audit?since=yesterday").status_code == 422
    assert "user:alice" not in web.get("/ui/audit/export?format=csv&actor=user:bob").text
    as_json = web.get("/ui/audit/export?format=json&kind=screening&decision=deny").json()
    assert [(r["kind"], r["decision"]) for r in as_json] == [("screening", "deny")]


def test_a_customer_page_shows_every_screen_of_that_customer(web: TestClient, sessions) -> None:
    _alert_for_listed_customer(web)
    changed = {"name": LISTED, "country": "KP", "accounts": [{"account_id": "acct-1"}]}
    assert web.put("/v1/customers/kmdtc", json=changed, headers=auth("analyst")).status_code == 200
    # A screen of the same name that is not for this customer stays off its page.
    assert web.post("/v1/screen", json={"name": LISTED}, headers=auth("signup")).status_code == 200
    with sessions() as session:
        mine = [r.id for r in audit_store.screenings_of_customer(session, "kmdtc")]
        everyone = session.scalars(select(ScreeningRecord.id)).all()
    assert len(mine) == 2
    assert len(everyone) == 3
    page = sign_in(web, "alice").get("/ui/customers/kmdtc").text
    history = page.split('<table id="screens">')[1].split("</table>")[0]
    assert all(f'href="/ui/screenings/{screening_id}"' in history for screening_id in mine)
    assert history.count("<tr>") == 1 + 2  # the header and two screens
