"""The OpenAPI document is true: schemathesis generates requests from it, sends them to the app and
checks every answer against it; plain tests pin what a client generator relies on, that the
models describe the bodies exactly, and the problem answers an admin key never provokes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from pydantic import SecretStr, TypeAdapter
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Receive, Scope, Send

from api.http import status as status_view
from api.http.app import create_app
from api.http.middleware import FailureLimiter
from api.http.responses import (
    BatchResponse,
    DiffResponse,
    Readiness,
    RefreshResponse,
    ScreenResponse,
    SourceStatus,
)
from screening.settings import Settings
from tests.api.conftest import KEYS, auth

PROBLEM = "application/problem+json"
KEYED_OPERATIONS = [
    ("post", "/v1/screen"),
    ("post", "/v1/screen/batch"),
    ("get", "/v1/lists"),
    ("get", "/v1/lists/{source}/diff"),
    ("post", "/v1/lists/{source}/refresh"),
]
PROBES = [("get", "/v1/healthz"), ("get", "/v1/readyz")]


def _document() -> dict[str, Any]:
    """The app's OpenAPI document, built before any fixture exists: create_app opens no database
    until its lifespan starts, so placeholder settings give the same document."""
    placeholder = Settings(
        database_url="sqlite://",
        api_keys=[SecretStr(f"admin:{KEYS['admin']}")],
        scheduler_in_process=False,
        refresh_on_start=False,
    )
    return create_app(placeholder, start_background=False).openapi()


class _CurrentApp:
    """Where schemathesis sends requests. The document is loaded at import, so that each operation
    is a test of its own, before any test's app exists; this forwards to the running test's app."""

    def __init__(self) -> None:
        self.app: FastAPI | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return  # each app's lifespan is run by its own fixture, around its test
        assert self.app is not None, "no test app is running"
        await self.app(scope, receive, send)


current_app = _CurrentApp()
schema = schemathesis.openapi.from_dict(_document())
schema.app = current_app


def _no_lockout(app: FastAPI) -> FastAPI:
    """The `ignored_auth` check probes every keyed operation without a key and with a wrong one;
    the real limit (20 failures a minute per client, and every schemathesis request comes from
    one client) would soon answer 429 to everything. The 429 has a test of its own below."""
    gate = next(m for m in app.user_middleware if "limiter" in m.kwargs)
    gate.kwargs["limiter"] = FailureLimiter(limit=1_000_000)
    return app


@pytest.fixture
def in_process(settings: Settings) -> Settings:
    # The settings' mirror is the fixture directory: a refresh reads files and starts no process.
    return settings.model_copy(update={"refresh_in_subprocess": False})


@pytest.fixture
def live_app(in_process: Settings, loaded: None) -> Iterator[FastAPI]:
    app = _no_lockout(create_app(in_process, start_background=False))
    with TestClient(app):
        current_app.app = app
        yield app
        current_app.app = None


def positive_data_acceptance_but_unscreenable(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """`positive_data_acceptance`, except that a schema-valid input may still be refused as
    `invalid-query`: whether a string names a host, a country or a long enough identifier is for
    the core to say; no JSON schema states it. Nor can it state that declared owners form no
    cycle and hold no more than 100% of anything (`ownership`). Any other refusal still fails."""
    refusals = ("/invalid-query", "/ownership")
    if response.status_code == 422 and response.json()["type"].endswith(refusals):
        return None
    # NUL characters are refused everywhere (PostgreSQL cannot store them), documented on every
    # keyed route as a 400, but not written into every string's schema.
    if response.status_code == 400 and response.json()["type"].endswith("/nul-character"):
        return None
    return positive_data_acceptance(ctx, response, case)


# Every check schemathesis has, with the one above in place of the stock acceptance check.
@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_the_api_answers_as_its_document_says(
    case: schemathesis.Case[Any], live_app: FastAPI
) -> None:
    case.call_and_validate(
        headers=auth("admin"),
        excluded_checks=[positive_data_acceptance],
        additional_checks=[positive_data_acceptance_but_unscreenable],
    )


# For answers sent outside the fuzzing; not `not_a_server_error`, as a declared 503 is right.
CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _assert_conforms(method: str, path: str, response: Any) -> None:
    schema[path][method.upper()].Case().validate_response(response, checks=CONFORMANCE)


# --- the document ---------------------------------------------------------------------------


def test_the_document_is_valid_openapi() -> None:
    schema.validate()


def test_the_served_document_is_the_tested_one(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == _document()


def test_both_ways_of_sending_a_key_are_security_schemes() -> None:
    document = _document()
    assert document["components"]["securitySchemes"] == {
        "ApiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "An API key.",
        },
        "Bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key as a bearer token.",
        },
    }
    for method, path in KEYED_OPERATIONS:
        assert document["paths"][path][method]["security"] == [{"ApiKey": []}, {"Bearer": []}]
    for method, path in PROBES:
        assert "security" not in document["paths"][path][method]


def test_screen_declares_its_problems() -> None:
    responses = _document()["paths"]["/v1/screen"]["post"]["responses"]
    for status in ("400", "401", "403", "413", "422", "429", "500", "503"):
        schema_of = responses[status]["content"][PROBLEM]["schema"]
        assert {"type", "title", "status", "detail", "instance"} <= set(schema_of["required"])
        assert list(responses[status]["content"]) == [PROBLEM]
    assert responses["422"]["content"][PROBLEM]["schema"]["properties"]["errors"]["type"] == "array"
    assert responses["401"]["headers"]["WWW-Authenticate"]["required"] is True
    assert responses["429"]["headers"]["Retry-After"]["required"] is True
    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ScreenResponse"
    }


@pytest.mark.parametrize(("method", "path"), KEYED_OPERATIONS)
def test_every_keyed_route_declares_the_gate_problems(method: str, path: str) -> None:
    responses = _document()["paths"][path][method]["responses"]
    assert {"401", "403", "429"} <= set(responses)
    # FastAPI's own 422 shape (`detail` list, application/json) is never what this API sends.
    errors = [r for status, r in responses.items() if not status.startswith("2")]
    assert all(list(r["content"]) == [PROBLEM] for r in errors)


# --- bodies are exactly their models ----------------------------------------------------------


def _same_after_round_trip(model: Any, body: Any) -> bool:
    """The body parses as `model` and dumps back to itself: no key the model lacks, none it adds
    (keys that may be absent stay absent)."""
    adapter: TypeAdapter[Any] = TypeAdapter(model)
    dumped = adapter.dump_python(
        adapter.validate_python(body), mode="json", by_alias=True, exclude_unset=True
    )
    return bool(dumped == body)


def test_a_screen_answer_is_a_screen_response(client: TestClient) -> None:
    # /v1/screen sends its JSONResponse unvalidated, for speed; this keeps its model true.
    for query in (
        {"name": "Korea Mining Development Trading Corp", "country": "KP"},
        {"name": "Huawei Technologies Co Ltd", "domain": "huawei.com", "limit": 50},
        {"name": "Procter & Gamble"},
        {"name": "Company Limited"},
    ):
        response = client.post("/v1/screen", json=query, headers=auth("signup"))
        assert response.status_code == 200
        body = response.json()
        ScreenResponse.model_validate(body)
        assert _same_after_round_trip(ScreenResponse, body)
    assert body["note"]


def test_batch_results_are_screen_answers_with_their_ids(client: TestClient) -> None:
    names = ["Korea Mining Development Trading Corp", "Huawei Technologies Co Ltd", "Apple Inc."]
    batch = client.post(
        "/v1/screen/batch",
        json={"items": [{"id": str(n), "name": name} for n, name in enumerate(names)]},
        headers=auth("analyst"),
    ).json()
    assert _same_after_round_trip(BatchResponse, batch)
    # Serialised through its model, so nothing the core returns may be lost on the way.
    for n, name in enumerate(names):
        single = client.post("/v1/screen", json={"name": name}, headers=auth("analyst")).json()
        # Each is its own audit record, so only the screening id differs.
        assert batch["results"][n]["screening_id"] != single["screening_id"]
        assert {**batch["results"][n], "screening_id": None} == {
            "id": str(n),
            **single,
            "screening_id": None,
        }


def test_batch_items_get_their_own_limit(client: TestClient) -> None:
    name = "Havana Kunlun Bank"  # two listed banks in the fixture lists
    items = [{"id": "one", "name": name, "limit": 1}, {"id": "many", "name": name, "limit": 50}]
    results = client.post(
        "/v1/screen/batch", json={"items": items}, headers=auth("analyst")
    ).json()["results"]
    single = client.post("/v1/screen", json={"name": name, "limit": 50}, headers=auth("analyst"))
    assert len(single.json()["matches"]) > 1
    assert results[0]["matches"] == single.json()["matches"][:1]
    assert results[1]["matches"] == single.json()["matches"]


def test_list_views_are_their_models(client: TestClient, sessions: sessionmaker[Session]) -> None:
    rows = client.get("/v1/lists", headers=auth("analyst")).json()
    assert _same_after_round_trip(list[SourceStatus], rows)
    diff = client.get("/v1/lists/un_sc_sanctions/diff?samples=2", headers=auth("analyst")).json()
    assert _same_after_round_trip(DiffResponse, diff)
    with sessions() as db:
        assert diff == status_view.source_diff(db, "un_sc_sanctions", samples=2)
        assert [set(row) for row in rows] == [
            set(row) for row in status_view.source_status(db, now=datetime.now(UTC))
        ]


def test_readiness_is_its_model(client: TestClient) -> None:
    response = client.get("/v1/readyz")
    assert response.status_code == 200
    assert _same_after_round_trip(Readiness, response.json())


@pytest.mark.parametrize(
    ("source", "status"), [("un_sc_sanctions", "unchanged"), ("eu_fsf", "failed")]
)
def test_refresh_answers_are_their_model(
    in_process: Settings, loaded: None, source: str, status: str
) -> None:
    with TestClient(create_app(in_process, start_background=False)) as client:
        response = client.post(f"/v1/lists/{source}/refresh", headers=auth("admin"))
    assert response.status_code == 200
    assert response.json()["status"] == status
    assert _same_after_round_trip(RefreshResponse, response.json())


# --- problems an admin key does not provoke ---------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer not-a-real-key-at-all"}, 401), (auth("signup"), 403)],
)
def test_key_problems_conform(client: TestClient, headers: dict[str, str], status: int) -> None:
    response = client.get("/v1/lists", headers=headers)
    assert response.status_code == status
    _assert_conforms("get", "/v1/lists", response)


def test_too_large_body_conforms(client: TestClient) -> None:
    response = client.post(
        "/v1/screen",
        content=b"x" * (5 << 20),
        headers={**auth("signup"), "content-type": "application/json"},
    )
    assert response.status_code == 413
    _assert_conforms("post", "/v1/screen", response)


def test_too_many_bad_keys_conforms(client: TestClient) -> None:
    for _ in range(20):
        client.get("/v1/lists", headers={"X-API-Key": "not-a-real-key-at-all"})
    response = client.get("/v1/lists", headers=auth("admin"))
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    _assert_conforms("get", "/v1/lists", response)


def test_no_index_conforms(settings: Settings) -> None:
    with TestClient(create_app(settings, start_background=False)) as empty:
        response = empty.post("/v1/screen", json={"name": "x"}, headers=auth("signup"))
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    _assert_conforms("post", "/v1/screen", response)


def test_not_ready_conforms(settings: Settings) -> None:
    with TestClient(create_app(settings, start_background=False)) as empty:
        response = empty.get("/v1/readyz")
    assert response.status_code == 503
    assert _same_after_round_trip(Readiness, response.json())
    _assert_conforms("get", "/v1/readyz", response)
