"""HTTP endpoints. Thin: authenticate, call the core, return its JSON-ready result."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api import status as status_view
from api.auth import Permission, Role, authenticate, authorize
from api.schemas import BatchRequest, ScreenRequest
from screening.matching import MatchIndex, Query

router = APIRouter()


# Cheap, non-blocking dependencies are `async def`: a sync one costs a thread-pool hop each,
# which is most of the signup path's latency budget.
async def index(request: Request) -> MatchIndex:
    result: MatchIndex = request.app.state.index.get()
    return result


def session(request: Request) -> Any:
    with request.app.state.sessions() as s:
        yield s


async def caller(
    request: Request, x_api_key: Annotated[str | None, Header(max_length=512)] = None
) -> Role:
    return authenticate(request.app.state.api_keys, x_api_key)


def needs(permission: Permission) -> Any:
    async def check(role: Annotated[Role, Depends(caller)]) -> Role:
        authorize(role, permission)
        return role

    return Depends(check)


IndexDep = Annotated[MatchIndex, Depends(index)]
SessionDep = Annotated[Session, Depends(session)]


@router.get("/health", tags=["service"])
def health(request: Request) -> dict[str, Any]:
    """Liveness and readiness; the only endpoint that needs no API key."""
    holder = request.app.state.index
    return {"status": "ok", "index_ready": holder.ready}


@router.post("/v1/screen", tags=["screening"], dependencies=[needs(Permission.SCREEN)])
def screen(body: ScreenRequest, idx: IndexDep) -> JSONResponse:
    """Screen one name (the signup path).

    Returns `decision` (`clear` / `review`), the best `score`, up to `limit` `matches` each
    naming the listed party, the list and the listed name that matched with an explanation, and
    the list `versions` the answer used.
    """
    query = Query(
        body.name,
        country=body.country,
        domain=body.domain,
        address=body.address,
        identifier=body.identifier,
    )
    # Already JSON-ready: skip FastAPI's generic encoder, which costs more than the screen.
    return JSONResponse(idx.screen(query, limit=body.limit).to_dict())


@router.post("/v1/screen/batch", tags=["screening"], dependencies=[needs(Permission.SCREEN_BATCH)])
def screen_batch(body: BatchRequest, idx: IndexDep) -> dict[str, Any]:
    """Screen up to 1,000 names in one call; results keep the caller's `id`s."""
    queries = [
        Query(
            i.name, country=i.country, domain=i.domain, address=i.address, identifier=i.identifier
        )
        for i in body.items
    ]
    results = idx.screen_many(queries)
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


@router.get(
    "/v1/lists/{source_id}/diff", tags=["lists"], dependencies=[needs(Permission.READ_LISTS)]
)
def list_diff(source_id: str, db: SessionDep, samples: int = 20) -> dict[str, Any]:
    """Parties added, removed and changed by the active version of a source."""
    return status_view.source_diff(db, source_id, samples=min(max(samples, 0), 500))


@router.post(
    "/v1/lists/{source_id}/refresh",
    tags=["lists"],
    dependencies=[needs(Permission.REFRESH_LISTS)],
)
def refresh(source_id: str, request: Request) -> dict[str, Any]:
    """Fetch a source now; a failure leaves the active version in place and is reported."""
    outcome = request.app.state.refresher.refresh(source_id)
    return {
        "source": outcome.source,
        "status": outcome.status,
        "detail": outcome.detail,
        "version": outcome.version_id,
        "records": outcome.records,
        "diff": outcome.diff_counts,
    }
