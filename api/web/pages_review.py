"""The review queue, one alert with its history, "assign to me" and decisions (four-eyes when
configured: the person who proposed may not approve)."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.web import queries
from api.web.config import PREFIX
from api.web.security import Checked, User, config, db_sessions, redirect
from api.web.templating import render
from screening.errors import NotFoundError, ScreeningError
from screening.monitoring import service, views
from screening.monitoring.alerts import DECISIONS, STATUSES

router = APIRouter(prefix=PREFIX, include_in_schema=False)
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MESSAGES: Final = {
    "assigned": "Assigned to you.",
    "unassigned": "Unassigned.",
    "proposed": "Decision proposed; a second analyst must approve it (four-eyes).",
    "decided": "Decision recorded.",
    "status": "Status changed.",
}
STATUS_FILTERS: Final = ("pending", *STATUSES, "")


@router.get("/review")
def review_queue(
    request: Request,
    user: User,
    status: Annotated[str, Query(max_length=20)] = "pending",
    decision: Annotated[str, Query(max_length=10)] = "",
    source: Annotated[str, Query(max_length=64)] = "",
    assignee: Annotated[str, Query(max_length=10)] = "",
    customer: Annotated[str, Query(max_length=200)] = "",
    offset: Annotated[int, Query(ge=0, le=queries.MAX_OFFSET)] = 0,
) -> Response:
    flt = queries.QueueFilter(
        status=status if status in STATUS_FILTERS else "pending",
        decision=decision if decision in ("deny", "review") else "",
        source=source,
        assignee=assignee if assignee in ("me", "none") else "",
        customer=customer.strip(),
        offset=offset,
    )
    with db_sessions(request)() as session:
        rows, total = queries.review_queue(session, flt, me=user.actor)
        sources = queries.alert_sources(session)
    return render(
        request,
        "review.html",
        user=user,
        rows=rows,
        total=total,
        flt=flt,
        sources=sources,
        statuses=STATUS_FILTERS,
        page=queries.PAGE,
    )


def _alert_page(
    request: Request, user: User, alert_id: int, *, error: str | None = None, status: int = 200
) -> Response:
    with db_sessions(request)() as session:
        try:
            alert = views.alert_view(session, alert_id)
        except NotFoundError as exc:
            return render(request, "not_found.html", user=user, error=exc.detail, status=404)
        customer = views.customer_view(session, alert["customer_external_id"])
    message = MESSAGES.get(request.query_params.get("done", ""))
    return render(
        request,
        "alert.html",
        user=user,
        alert=alert,
        customer=customer,
        four_eyes=config(request).four_eyes,
        statuses=STATUSES,
        decisions=DECISIONS,
        error=error,
        message=message,
        status=status,
    )


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, user: User, alert_id: AlertId) -> Response:
    return _alert_page(request, user, alert_id)


@router.post("/alerts/{alert_id}/assign")
def assign(request: Request, checked: Checked, alert_id: AlertId) -> Response:
    user, form = checked
    to_me = form.get("assignee") != "nobody"
    note = str(form.get("note") or "")
    try:
        with db_sessions(request).begin() as session:
            service.assign(
                session, alert_id, user.actor if to_me else None, actor=user.actor, note=note
            )
    except ScreeningError as exc:
        return _alert_page(request, user, alert_id, error=exc.detail, status=422)
    done = "assigned" if to_me else "unassigned"
    return redirect(f"{PREFIX}/alerts/{alert_id}?done={done}")


@router.post("/alerts/{alert_id}/decision")
def decide(request: Request, checked: Checked, alert_id: AlertId) -> Response:
    user, form = checked
    status = str(form.get("status") or "")
    note = str(form.get("note") or "")
    four_eyes = config(request).four_eyes
    try:
        with db_sessions(request).begin() as session:
            result = service.decide(
                session, alert_id, status, actor=user.actor, note=note, four_eyes=four_eyes
            )
    except ScreeningError as exc:
        return _alert_page(request, user, alert_id, error=exc.detail, status=422)
    if result.get("proposed_status"):
        done = "proposed"
    else:
        done = "decided" if status in DECISIONS else "status"
    return redirect(f"{PREFIX}/alerts/{alert_id}?done={done}")
