"""Request ids, the key gate before the body, the body limit, 405s and failed-key throttling."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.http.app import create_app
from api.http.auth import KeyRing
from api.http.middleware import MAX_BODY_BYTES, ApiKeyGate, BodyLimit, FailureLimiter
from api.logs import ContextFilter
from screening.settings import Settings
from tests.api.conftest import auth

PROBLEM = "application/problem+json"


def test_every_response_carries_a_request_id(client: TestClient):
    given = client.get("/v1/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    minted = client.get("/v1/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert minted.headers["x-request-id"] != "bad id\twith spaces"
    assert len(minted.headers["x-request-id"]) == 32
    refused = client.post("/v1/screen", json={"name": "x"})
    assert refused.status_code == 401
    assert refused.headers["x-request-id"]


def test_answers_with_names_are_never_cached(client: TestClient):
    response = client.post("/v1/screen", json={"name": "Huawei"}, headers=auth("signup"))
    assert response.headers["cache-control"] == "no-store"
    assert "cache-control" not in client.get("/v1/healthz").headers


def test_bearer_token_is_accepted(client: TestClient):
    response = client.post(
        "/v1/screen",
        json={"name": "Huawei"},
        headers={"Authorization": "Bearer " + auth("signup")["X-API-Key"]},
    )
    assert response.status_code == 200


def _call(app: Any, scope: dict[str, Any], chunks: list[bytes]) -> tuple[int, int, dict[str, str]]:
    """Run one ASGI request; returns (status, body messages the app pulled, headers)."""
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {
                "type": "http.request",
                "body": chunks[pulled - 1],
                "more_body": pulled < len(chunks),
            }
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode(): v.decode() for k, v in start.get("headers", [])}
    return start["status"], pulled, headers


def _scope(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers or [],
        "client": ("10.0.0.1", 1234),
        "server": ("test", 80),
        "scheme": "http",
        "root_path": "",
        "http_version": "1.1",
    }


async def _inner(scope: Any, receive: Any, send: Any) -> None:
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


KEY = "signup:" + "s" * 20


def test_the_key_is_checked_before_a_byte_of_the_body_is_read():
    gate = ApiKeyGate(
        BodyLimit(_inner, max_bytes=MAX_BODY_BYTES),
        keys=KeyRing.from_settings([SecretStr(KEY)]),
        limiter=FailureLimiter(),
    )
    big = [b"x" * 65536] * 64
    status, pulled, _ = _call(gate, _scope("/v1/screen"), big)
    assert (status, pulled) == (401, 0)
    status, pulled, _ = _call(gate, _scope("/v1/screen", [(b"x-api-key", b"s" * 20)]), [b"{}"])
    assert (status, pulled) == (200, 1)


def test_a_chunked_body_over_the_limit_is_413_not_400():
    limited = BodyLimit(_inner, max_bytes=1000)
    status, _, headers = _call(limited, _scope("/v1/screen"), [b"x" * 600, b"x" * 600])
    assert status == 413
    assert headers["content-type"] == PROBLEM


def test_chunked_body_over_the_limit_through_the_app(client: TestClient):
    def chunks() -> Iterator[bytes]:
        for _ in range(80):
            yield b"x" * 65536

    headers = {**auth("signup"), "content-type": "application/json"}
    response = client.post("/v1/screen", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert response.json()["type"].endswith("/request-too-large")


def test_405_names_the_allowed_methods(client: TestClient):
    response = client.get("/v1/screen", headers=auth("signup"))
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.headers["content-type"] == PROBLEM


def test_405_on_a_path_of_several_methods_names_them_all(client: TestClient):
    # GET and POST share /v1/webhooks; Starlette alone would name the first route's method.
    response = client.delete("/v1/webhooks", headers=auth("admin"))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


def test_repeated_bad_keys_get_429_with_retry_after(settings: Settings, loaded: None):
    with TestClient(create_app(settings, start_background=False)) as test_client:
        for _ in range(20):
            bad = test_client.post("/v1/screen", json={"name": "x"}, headers={"X-API-Key": "no"})
            assert bad.status_code == 401
        throttled = test_client.post("/v1/screen", json={"name": "x"}, headers=auth("signup"))
        assert throttled.status_code == 429
        assert int(throttled.headers["retry-after"]) >= 1
        assert throttled.headers["content-type"] == PROBLEM
        # Probes stay reachable for the orchestrator.
        assert test_client.get("/v1/healthz").status_code == 200


def test_failure_memory_is_bounded_and_forgets_the_window():
    now = [0.0]
    limiter = FailureLimiter(limit=3, window_s=10, max_clients=100, clock=lambda: now[0])
    for i in range(1000):
        limiter.failed(f"client-{i}")
    assert len(limiter._failures) == 100
    for _ in range(3):
        limiter.failed("attacker")
    assert limiter.retry_after("attacker") > 0
    now[0] = 11.0
    assert limiter.retry_after("attacker") == 0


def test_log_lines_carry_no_credentials():
    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "fetching %s", ("https://bob:hunter2@mirror.example/a",),
        None,
    )  # fmt: skip
    ContextFilter().filter(record)
    assert "hunter2" not in record.getMessage()
    assert record.request_id == "-"  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/v1/healthz", "/v1/readyz", "/openapi.json"])
def test_probes_and_the_schema_need_no_key(client: TestClient, path: str):
    assert client.get(path).status_code == 200


def test_unknown_paths_need_a_key_too(client: TestClient):
    assert client.get("/v1/nothing-here").status_code == 401
    assert client.get("/v1/nothing-here", headers=auth("analyst")).status_code == 404


def test_nul_characters_are_refused_in_path_query_and_body(client: TestClient):
    headers = {**auth("analyst"), "content-type": "application/json"}
    in_query = client.get("/v1/lists/un_sc_sanctions/diff?samples=1%00", headers=headers)
    assert in_query.status_code == 400
    assert in_query.json()["type"].endswith("/nul-character")
    in_body = client.post("/v1/screen", content=b'{"name": "A\\u0000B"}', headers=headers)
    assert in_body.status_code == 400
    assert client.post("/v1/screen", json={"name": "A B"}, headers=headers).status_code == 200
