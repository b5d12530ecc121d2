"""Screening endpoints: one party (the signup path), a batch, the audit record of a screen,
its replay, and the listed parties themselves."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

from api.http import entities as entities_view
from api.http.auth import Credential, Permission
from api.http.responses import KEYED, BatchResponse, ScreenResponse, problem_responses
from api.http.routes import SessionDep, needs
from api.http.schemas import BatchRequest, ScreenRequest
from screening.audit import recorder
from screening.audit.replay import replay
from screening.matching.live import Snapshot
from screening.policy.engine import PolicyEngine, Screening
from screening.policy.subject import Subject

router = APIRouter()

# A JSON body can be unparseable, too large or invalid.
BODY = (400, 413, 422)
NO_INDEX = {503: "No match index is loaded yet; see /v1/readyz."}
SCREENING_ID = Annotated[str, Path(max_length=32, description="A screening id.")]


async def snapshot(request: Request) -> Snapshot:
    result: Snapshot = request.app.state.index.snapshot()
    return result


SnapshotDep = Annotated[Snapshot, Depends(snapshot)]


def _screen_and_record(
    request: Request,
    snap: Snapshot,
    subject: Subject,
    *,
    context: str,
    limit: int,
    credential: Credential,
) -> Screening:
    """Screen, then append the answer to the audit trail before it is sent: an answer that was
    not recorded is never given."""
    started = time.perf_counter()
    engine: PolicyEngine = request.app.state.engine
    result = engine.screen(snap, subject, context=context, on=datetime.now(UTC).date(), limit=limit)
    with request.app.state.sessions.begin() as session:
        stamped = recorder.record(
            session,
            result,
            version_ids=snap.version_ids,
            policy_text=None,  # stored once at start-up (api.http.app)
            key_id=credential.key_id,
            request_id=request.scope.get("state", {}).get("request_id"),
        )
    metrics = request.app.state.metrics
    metrics.screens.labels(context, stamped.decision).inc()
    metrics.latency.labels(context).observe(time.perf_counter() - started)
    return stamped


# `response_model` only documents the answer here: a returned JSONResponse is sent as it is.
@router.post(
    "/v1/screen",
    tags=["screening"],
    response_model=ScreenResponse,
    responses=problem_responses(*KEYED, *BODY, 503, described=NO_INDEX),
)
def screen(
    body: ScreenRequest,
    request: Request,
    snap: SnapshotDep,
    credential: Annotated[Credential, needs(Permission.SCREEN)],
) -> JSONResponse:
    """Screen one party (the signup and authentication path) and decide.

    Returns `decision` (`clear` / `review` / `deny`) with its `reasons` (each naming the rule,
    the evidence, and the list source and version it rests on), the `matches` with their
    explanations, the `policy_version`, and the `screening_id` of the audit record.
    """
    result = _screen_and_record(
        request,
        snap,
        body.to_subject(),
        context=body.context,
        limit=body.limit,
        credential=credential,
    )
    # Already JSON-ready: skip FastAPI's generic encoder, which costs more than the screen.
    return JSONResponse(result.to_dict())


@router.post(
    "/v1/screen/batch",
    tags=["screening"],
    response_model=BatchResponse,
    responses=problem_responses(*KEYED, *BODY, 503, described=NO_INDEX),
)
def screen_batch(
    body: BatchRequest,
    request: Request,
    snap: SnapshotDep,
    credential: Annotated[Credential, needs(Permission.SCREEN_BATCH)],
) -> JSONResponse:
    """Screen up to 1,000 parties in one call; answers keep the caller's `id`s, in order, and
    each is recorded like a single screen."""
    results = [
        {
            "id": item.id,
            **_screen_and_record(
                request,
                snap,
                item.to_subject(),
                context=item.context,
                limit=item.limit,
                credential=credential,
            ).to_dict(),
        }
        for item in body.items
    ]
    return JSONResponse({"results": results})


@router.get(
    "/v1/screenings/{screening_id}",
    tags=["audit"],
    dependencies=[needs(Permission.READ_SCREENINGS)],
    responses=problem_responses(*KEYED, 404, 422),
)
def get_screening(screening_id: SCREENING_ID, db: SessionDep) -> dict[str, Any]:
    """The recorded answer of a past screen, as it was given, with who asked and when."""
    return recorder.recorded_answer(db, screening_id)


@router.post(
    "/v1/screenings/{screening_id}/replay",
    tags=["audit"],
    dependencies=[needs(Permission.READ_SCREENINGS)],
    responses=problem_responses(*KEYED, 404, 422, 503, described=NO_INDEX),
)
def replay_screening(
    screening_id: SCREENING_ID, request: Request, db: SessionDep, snap: SnapshotDep
) -> dict[str, Any]:
    """The same screen again: against the list versions and policy of its day (`reproduced`
    says whether it gave the recorded answer) and against today's, with what changed."""
    result = replay(
        db,
        screening_id,
        today=snap,
        engine_today=request.app.state.engine,
        on_today=datetime.now(UTC).date(),
    )
    return result.to_dict()


@router.get(
    "/v1/entities/{source}/{key}",
    tags=["lists"],
    dependencies=[needs(Permission.READ_LISTS)],
    responses=problem_responses(*KEYED, 404, 422),
)
def get_entity(
    source: Annotated[str, Path(max_length=64)],
    key: Annotated[str, Path(max_length=200)],
    db: SessionDep,
) -> dict[str, Any]:
    """A listed party with all its names, addresses, identifiers and sources: every active
    list that names it (the same OFAC party reached through the CSL too), with versions."""
    return entities_view.entity(db, source, key)
