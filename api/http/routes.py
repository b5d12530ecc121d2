"""HTTP endpoints. Thin: check the permission, call the core, return its JSON-ready result."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.http import status as status_view
from api.http.auth import Credential, Permission, authorize
from api.http.schemas import BatchRequest, ScreenRequest
from screening.errors import NotAuthenticatedError
from screening.matching import MatchIndex
from screening.policy import decision as policy

router = APIRouter()


# Cheap, non-blocking dependencies are `async def`: a sync one costs a thread-pool hop each,
# which is most of the signup path's latency budget.
async def index(request: Request) -> MatchIndex:
    result: MatchIndex = request.app.state.index.get()
    return result


def session(request: Request) -> Any:
    with request.app.state.sessions() as s:
        yield s


async def caller(request: Request) -> Credential:
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


@router.get("/v1/healthz", tags=["service"])
async def healthz() -> dict[str, str]:
    """Liveness: the process answers. No key."""
    return {"status": "ok"}


@router.get("/health", tags=["service"], include_in_schema=False)
async def health(request: Request) -> dict[str, Any]:
    """Kept for existing probes: liveness plus whether the index is loaded."""
    return {"status": "ok", "index_ready": request.app.state.index.ready}


@router.get("/v1/readyz", tags=["service"])
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


@router.post("/v1/screen", tags=["screening"], dependencies=[needs(Permission.SCREEN)])
def screen(body: ScreenRequest, idx: IndexDep) -> JSONResponse:
    """Screen one name (the signup path).

    Returns `decision` (`clear` / `review`), the best `score`, up to `limit` `matches` each
    naming the listed party, the list and the listed name that matched with an explanation, and
    the list `versions` the answer used.
    """
    # Already JSON-ready: skip FastAPI's generic encoder, which costs more than the screen.
    return JSONResponse(policy.screen(idx, body.to_query(), limit=body.limit).to_dict())


@router.post("/v1/screen/batch", tags=["screening"], dependencies=[needs(Permission.SCREEN_BATCH)])
def screen_batch(body: BatchRequest, idx: IndexDep) -> dict[str, Any]:
    """Screen up to 1,000 names in one call; results keep the caller's `id`s, in order."""
    results = policy.screen_many(idx, [item.to_query() for item in body.items])
    return {
        "results": [
            {"id": item.id, **result.to_dict()}
            for item, result in zip(body.items, results, strict=True)
        ]
    }


@router.get("/v1/lists", tags=["lists"], dependencies=[needs(Permission.READ_LISTS)])
def list_status(db: SessionDep) -> list[dict[str, Any]]:
    """Per source: active version, record count, fetch time, age and last error."""
    return status_view.source_status(db, now=datetime.now(UTC))


@router.get("/v1/lists/{source}/diff", tags=["lists"], dependencies=[needs(Permission.READ_LISTS)])
def list_diff(source: str, db: SessionDep, samples: int = 20) -> dict[str, Any]:
    """Parties added, removed and changed by the active version of a source."""
    return status_view.source_diff(db, source, samples=min(max(samples, 0), 500))


@router.post(
    "/v1/lists/{source}/refresh",
    tags=["lists"],
    dependencies=[needs(Permission.REFRESH_LISTS)],
)
def refresh(source: str, request: Request) -> dict[str, Any]:
    """Fetch a source now; a failure leaves the active version in place and is reported."""
    outcome = request.app.state.refresher.refresh(source)
    return {
        "source": outcome.source,
        "status": outcome.status,
        "detail": outcome.detail,
        "version": outcome.version_id,
        "records": outcome.records,
        "diff": outcome.diff_counts,
    }
