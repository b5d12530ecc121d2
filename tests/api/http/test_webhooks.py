"""Webhooks end to end: an admin registers a URL and a secret, a new alert and an access change
are POSTed to a real local server, signed; failures are retried with backoff, every attempt is
recorded, two dispatchers never send one delivery twice, and the secret is never shown again
or logged."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.webhooks import RequestsSender, WebhookDispatcher
from screening.monitoring import webhooks
from screening.monitoring.models import WebhookAttempt
from screening.settings import Settings
from tests.api.conftest import auth

SECRET = "s3cret-for-the-receiver-0123456789"


@dataclass
class Receiver:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    # Status codes to answer, in order; 200 once they run out.
    answers: list[int] = field(default_factory=list)
    delay_s: float = 0.0


@contextmanager
def receiver() -> Iterator[Receiver]:
    box = Receiver("")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(box.delay_s)
            with lock:
                box.received.append({"headers": dict(self.headers), "body": body})
                code = box.answers.pop(0) if box.answers else 200
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    box.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()


def register(client: TestClient, url: str, secret: str | None = SECRET) -> dict[str, Any]:
    body: dict[str, Any] = {"url": url}
    if secret is not None:
        body["secret"] = secret
    response = client.post("/v1/webhooks", json=body, headers=auth("admin"))
    assert response.status_code == 201, response.text
    return dict(response.json())


def dispatcher(settings: Settings, sessions: sessionmaker[Session]) -> WebhookDispatcher:
    fast = settings.model_copy(update={"webhook_retry_base_s": 0.0, "webhook_max_attempts": 3})
    return WebhookDispatcher(fast, sessions)


def test_only_an_admin_registers_and_the_secret_is_never_returned(client: TestClient) -> None:
    body = {"url": "https://hooks.example.com/rps", "secret": SECRET}
    assert client.post("/v1/webhooks", json=body, headers=auth("analyst")).status_code == 403
    given = register(client, "https://hooks.example.com/rps")
    assert given["secret"] is None
    generated = register(client, "https://hooks.example.com/other", secret=None)
    assert len(generated["secret"]) >= 32
    listed = client.get("/v1/webhooks", headers=auth("admin"))
    assert listed.status_code == 200
    assert SECRET not in listed.text
    assert generated["secret"] not in listed.text
    assert all("secret" not in hook for hook in listed.json())
    for url in ("http://hooks.example.com/rps", "ftp://x.example/", "https://u:p@x.example/"):
        refused = client.post("/v1/webhooks", json={"url": url, "secret": SECRET},
                              headers=auth("admin"))  # fmt: skip
        assert refused.status_code == 422, url
        assert refused.headers["content-type"].startswith("application/problem+json")
    short = client.post("/v1/webhooks", json={"url": body["url"], "secret": "short"},
                        headers=auth("admin"))  # fmt: skip
    assert short.status_code == 422
    gone = client.delete(f"/v1/webhooks/{given['id']}", headers=auth("admin"))
    assert gone.json()["active"] is False
    assert client.delete("/v1/webhooks/9999", headers=auth("admin")).status_code == 404


def test_a_new_alert_and_an_access_change_are_posted_signed(
    client: TestClient,
    settings: Settings,
    sessions: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with receiver() as box:
        hook = register(client, box.url)
        created = client.post(
            "/v1/customers",
            json={"external_id": "kmdtc", "name": "Korea Mining Development Trading Corp",
                  "accounts": [{"account_id": "acc-1"}]},
            headers=auth("analyst"),
        )  # fmt: skip
        assert created.status_code == 201, created.text
        assert created.json()["alerts"]
        counts = dispatcher(settings, sessions).deliver_once()
        assert counts == {"delivered": 2}
        assert dispatcher(settings, sessions).deliver_once() == {}  # nothing sent twice
    kinds = {}
    for got in box.received:
        headers, body = got["headers"], got["body"]
        assert webhooks.verify(
            SECRET, headers[webhooks.TIMESTAMP_HEADER], body, headers[webhooks.SIGNATURE_HEADER]
        )
        assert not webhooks.verify(
            "another-secret-0123456789", headers[webhooks.TIMESTAMP_HEADER], body,
            headers[webhooks.SIGNATURE_HEADER],
        )  # fmt: skip
        assert abs(int(headers[webhooks.TIMESTAMP_HEADER]) - time.time()) < 60
        assert headers[webhooks.SIGNATURE_HEADER].startswith("sha256=")
        event = json.loads(body)
        assert headers[webhooks.EVENT_HEADER] == event["kind"]
        kinds[event["kind"]] = event["data"]
    assert set(kinds) == {"alert.opened", "access.changed"}
    assert kinds["alert.opened"]["customer_external_id"] == "kmdtc"
    assert kinds["alert.opened"]["source_key"]
    assert kinds["access.changed"]["accounts"] == ["acc-1"]
    assert kinds["access.changed"]["access"] in ("review", "deny")
    deliveries = client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=auth("admin"))
    assert [d["status"] for d in deliveries.json()] == ["delivered", "delivered"]
    assert SECRET not in caplog.text


def test_a_failing_receiver_is_retried_with_backoff_and_every_attempt_is_recorded(
    client: TestClient, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    with receiver() as box:
        hook = register(client, box.url)
        box.answers = [500, 503]
        with sessions.begin() as db:
            webhooks.emit(db, webhooks.ALERT_OPENED, {"alert_id": 1})
        sender = dispatcher(settings, sessions)
        assert sender.deliver_once() == {"pending": 1}
        assert sender.deliver_once() == {"pending": 1}
        assert sender.deliver_once() == {"delivered": 1}
    assert len(box.received) == 3
    assert len({r["headers"][webhooks.DELIVERY_HEADER] for r in box.received}) == 1
    with sessions() as db:
        codes = list(db.scalars(select(WebhookAttempt.status_code).order_by(WebhookAttempt.id)))
    assert codes == [500, 503, 200]
    (delivery,) = client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=auth("admin")).json()
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 3)
    # With a real backoff the next attempt waits: doubling from the base, capped.
    retry = webhooks.Retry(max_attempts=8, base_s=10, cap_s=3600)
    assert [retry.delay(n) for n in (1, 2, 3, 10)] == [10, 20, 40, 3600]


def test_a_receiver_that_never_answers_well_is_given_up(
    client: TestClient, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    with receiver() as box:
        register(client, box.url)
        box.answers = [500] * 5
        with sessions.begin() as db:
            webhooks.emit(db, webhooks.ACCESS_CHANGED, {"access": "deny"})
        sender = dispatcher(settings, sessions)
        outcomes = [sender.deliver_once() for _ in range(4)]
    assert outcomes == [{"pending": 1}, {"pending": 1}, {"failed": 1}, {}]


def test_two_dispatchers_never_send_one_delivery_twice(
    client: TestClient, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    with receiver() as box:
        register(client, box.url)
        register(client, box.url + "/second")
        with sessions.begin() as db:
            for n in range(15):
                webhooks.emit(db, webhooks.ALERT_OPENED, {"alert_id": n})
        box.delay_s = 0.02  # long enough for the two to overlap

        def work(name: str) -> None:
            for _ in range(5):
                webhooks.deliver_due(sessions, RequestsSender("test"), worker=name, limit=4)

        threads = [threading.Thread(target=work, args=(f"d{n}",)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    ids = [r["headers"][webhooks.DELIVERY_HEADER] for r in box.received]
    assert len(ids) == 30
    assert len(set(ids)) == 30
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(WebhookAttempt)) == 30
        senders = set(db.scalars(select(WebhookAttempt.sender)))
    assert senders == {"d0", "d1"}
