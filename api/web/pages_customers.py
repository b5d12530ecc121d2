"""Customers: search, and one customer's accounts, access, screens, alerts and decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.web import queries, queries_linking
from api.web.config import PREFIX
from api.web.security import User, db_sessions
from api.web.templating import render
from screening.audit import store as audit_store
from screening.errors import NotFoundError
from screening.monitoring import views

router = APIRouter(prefix=PREFIX, include_in_schema=False)
# Newest first; the audit page filters and exports the rest.
SCREENS_SHOWN = 50


@router.get("/customers")
def customers(
    request: Request, user: User, q: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    with db_sessions(request)() as session:
        # An account id is what a support ticket often quotes: one indexed lookup first.
        owner = queries.customer_of_account(session, q.strip()) if q.strip() else None
        if owner is not None:
            found = queries.find_customers(session, owner, limit=1)
        else:
            found = queries.find_customers(session, q)
    return render(request, "customers.html", user=user, q=q, found=found)


@router.get("/customers/{external_id:path}")
def customer(
    request: Request, user: User, external_id: Annotated[str, Path(max_length=200)]
) -> Response:
    with db_sessions(request)() as session:
        try:
            view = views.customer_view(session, external_id)
        except NotFoundError as exc:
            return render(request, "not_found.html", user=user, error=exc.detail, status=404)
        clusters = queries_linking.clusters_of_customer(session, external_id)
        screens = audit_store.screenings_of_customer(session, external_id, limit=SCREENS_SHOWN)
    history = sorted(
        ({**event, "alert": alert} for alert in view["alerts"] for event in alert["events"]),
        key=lambda e: (e["at"], e["id"]),
        reverse=True,
    )
    return render(
        request,
        "customer.html",
        user=user,
        c=view,
        history=history,
        clusters=clusters,
        screens=screens,
    )
