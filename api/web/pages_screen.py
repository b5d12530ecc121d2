"""Screen a party, read a past screen (matches beside the listed parties, ownership chains
drawn), and replay it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from api.web import svg, vetting
from api.web.config import PREFIX
from api.web.security import Checked, User, db_sessions, redirect
from api.web.templating import render
from screening.audit import recorder
from screening.audit.replay import replay
from screening.errors import NotFoundError, ScreeningError

router = APIRouter(prefix=PREFIX, include_in_schema=False)
FIELDS = ("name", "country", "email", "website", "owners")
ScreeningId = Annotated[str, Path(max_length=32, pattern=r"^[0-9a-f]{1,32}$")]


@router.get("/screen")
def screen_form(request: Request, user: User) -> Response:
    return render(request, "screen.html", user=user, values=dict.fromkeys(FIELDS, ""))


@router.post("/screen")
def screen(request: Request, checked: Checked) -> Response:
    user, form = checked
    values = {f: str(form.get(f) or "") for f in FIELDS}
    try:
        subject = vetting.subject_from_form(values)
        answer = vetting.screen(
            request.app,
            subject,
            context=vetting.CONTEXT,
            actor=user.actor,
            request_id=request.scope.get("state", {}).get("request_id"),
        )
    except ScreeningError as exc:
        return render(
            request, "screen.html", user=user, values=values, error=exc.detail, status=422
        )
    # Post/redirect/get: the answer has its own address, and a reload never screens twice.
    return redirect(f"{PREFIX}/screenings/{answer['screening_id']}")


def ownership_drawings(reasons: list[dict[str, Any]]) -> dict[int, Any]:
    drawings = {}
    for number, reason in enumerate(reasons):
        chains = (reason.get("evidence") or {}).get("chains")
        if chains:
            drawings[number] = svg.ownership_chains(
                chains, label=f"Ownership chains: {reason.get('rule')}", key=f"r{number}"
            )
    return drawings


@router.get("/screenings/{screening_id}")
def screening_page(request: Request, user: User, screening_id: ScreeningId) -> Response:
    with db_sessions(request)() as session:
        try:
            answer = recorder.recorded_answer(session, screening_id)
        except NotFoundError as exc:
            return render(request, "not_found.html", user=user, error=exc.detail, status=404)
        parties = vetting.listed_parties(session, answer.get("matches", []), answer["version_ids"])
    return render(
        request,
        "screening.html",
        user=user,
        answer=answer,
        parties=parties,
        drawings=ownership_drawings(answer.get("reasons", [])),
        pretty=vetting.pretty,
    )


@router.post("/screenings/{screening_id}/replay")
def replay_page(request: Request, checked: Checked, screening_id: ScreeningId) -> Response:
    user, _ = checked
    with db_sessions(request)() as session:
        try:
            result = replay(
                session,
                screening_id,
                today=request.app.state.index.snapshot(),
                engine_today=request.app.state.engine,
                on_today=datetime.now(UTC).date(),
            ).to_dict()
        except ScreeningError as exc:
            return render(request, "not_found.html", user=user, error=exc.detail, status=404)
    return render(request, "replay.html", user=user, result=result)
