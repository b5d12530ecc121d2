"""HTTP endpoints. Thin: check the permission, call the core, return its JSON-ready result; each
route declares its answers (`api.http.responses`) for the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.http import status as status_view
from api.http.auth import Credential, Permission, authorize
from api.http.responses import (
    KEYED,
    DiffResponse,
    Healthz,
    Readiness,
    RefreshResponse,
    SourceStatus,
    problem_responses,
)
from lists import SOURCE_IDS
from screening.errors import NotAuthenticatedError
from screening.matching import MatchIndex

router = APIRouter()


# Cheap, non-blocking dependencies are `async def`: a sync one costs a thread-pool hop each,
# which is most of the signup path's latency budget.
async def index(request: Request) -> MatchIndex:
    result: MatchIndex = request.app.state.index.get()
    return result


def session(request: Request) -> Any:
    with request.app.state.sessions() as s:
        yield s


# The two ways to present a key, for the OpenAPI document only: ApiKeyGate has authenticated the
# request from these same headers before the body was read, so their values are ignored here, and
# `auto_error=False` keeps them from ever answering on their own.
api_key_header = APIKeyHeader(
    name="X-API-Key", scheme_name="ApiKey", description="An API key.", auto_error=False
)
bearer_token = HTTPBearer(
    scheme_name="Bearer", description="An API key as a bearer token.", auto_error=False
)


async def caller(
    request: Request,
    _api_key: Annotated[str | None, Security(api_key_header)],
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_token)],
) -> Credential:
    # Set by ApiKeyGate before the body was read; absent only if the gate was bypassed.
    credential: Credential | None = request.scope.get("state", {}).get("credential")
    if credential is None:
        raise NotAuthenticatedError("an API key is required")
    return credential


def needs(permission: Permission) -> Any:
    async def check(credential: Annotated[Credential, Depends(caller)]) -> Credential:
        authorize(credential, permission)
        return credential

    return Depends(check)


IndexDep = Annotated[MatchIndex, Depends(index)]
SessionDep = Annotated[Session, Depends(session)]
# Any string: an unknown id is a 404 `unknown-source` problem, not a validation error.
SourcePath = Annotated[
    str,
    Path(description="A list source, as `GET /v1/lists` names them.", examples=list(SOURCE_IDS)),
]


NO_VERSION = {404: "No such source, or it has no active version yet."}
REFRESH = {404: "No such source.", 422: "The request is not valid."}


@router.get(
    "/v1/healthz", tags=["service"], response_model=Healthz, responses=problem_responses(500)
)
async def healthz() -> dict[str, str]:
    """Liveness: the process answers. No key."""
    return {"status": "ok"}


@router.get("/health", tags=["service"], include_in_schema=False)
async def health(request: Request) -> dict[str, Any]:
    """Kept for existing probes: liveness plus whether the index is loaded."""
    return {"status": "ok", "index_ready": request.app.state.index.ready}


@router.get(
    "/v1/readyz",
    tags=["service"],
    response_model=Readiness,
    responses={
        503: {"model": Readiness, "description": "Not ready; `problems` says why."},
        **problem_responses(500),
    },
)
def readyz(request: Request) -> JSONResponse:
    """Readiness: 503 while no index is loaded or an active list is older than its allowed
    age; the body says which. No key."""
    report = status_view.readiness(
        request.app.state.sessions,
        request.app.state.index,
        request.app.state.settings,
        now=datetime.now(UTC),
    )
    return JSONResponse(report, status_code=200 if report["ready"] else 503)


@router.get(
    "/v1/lists",
    tags=["lists"],
    dependencies=[needs(Permission.READ_LISTS)],
    response_model=list[SourceStatus],
    responses=problem_responses(*KEYED),
)
def list_status(db: SessionDep) -> list[dict[str, Any]]:
    """Per source: active version, record count, fetch time, age and last error."""
    return status_view.source_status(db, now=datetime.now(UTC))


@router.get(
    "/v1/lists/{source}/diff",
    tags=["lists"],
    dependencies=[needs(Permission.READ_LISTS)],
    response_model=DiffResponse,
    responses=problem_responses(*KEYED, 404, 422, described=NO_VERSION),
)
def list_diff(
    source: SourcePath, db: SessionDep, samples: Annotated[int, Query(ge=0, le=500)] = 20
) -> dict[str, Any]:
    """Parties added, removed and changed by the active version of a source, with up to
    `samples` names of each."""
    return status_view.source_diff(db, source, samples=samples)


@router.post(
    "/v1/lists/{source}/refresh",
    tags=["lists"],
    dependencies=[needs(Permission.REFRESH_LISTS)],
    response_model=RefreshResponse,
    # 422 cannot happen here (any path segment is a source id to look up), but FastAPI documents
    # its own 422 shape for every route with a parameter unless the route names one.
    responses=problem_responses(*KEYED, 404, 413, 422, described=REFRESH),
)
def refresh(source: SourcePath, request: Request) -> dict[str, Any]:
    """Fetch a source now; a failure leaves the active version in place and is reported."""
    outcome = request.app.state.refresher.refresh(source)
    result: dict[str, Any] = outcome.to_dict()
    return result
