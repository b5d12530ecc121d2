"""Audit: the latest records of a period, filtered, and the export of the whole period."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.linking import audit_records
from api.web import queries
from api.web.config import PREFIX
from api.web.headers import PAGE_HEADERS
from api.web.security import User, db_sessions
from api.web.templating import render
from screening.errors import ScreeningError
from screening.monitoring import export

router = APIRouter(prefix=PREFIX, include_in_schema=False)
DateText = Annotated[str, Query(max_length=10)]


def _period(since: str, until: str) -> tuple[date, date]:
    """Whole UTC days, both ends included; a week to today by default."""
    today = datetime.now(UTC).date()
    try:
        last = date.fromisoformat(until) if until else today
        first = date.fromisoformat(since) if since else last - timedelta(days=6)
    except ValueError:
        raise ValueError("dates are written YYYY-MM-DD") from None
    if last < first:
        raise ValueError("the end date is before the start date")
    return first, last


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(first, time(), UTC),
        datetime.combine(last + timedelta(days=1), time(), UTC),
    )


@router.get("/audit")
def audit(
    request: Request,
    user: User,
    since: DateText = "",
    until: DateText = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    actor: Annotated[str, Query(max_length=200)] = "",
    decision: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    try:
        first, last = _period(since, until)
    except ValueError as exc:
        first, last = _period("", "")
        error: str | None = str(exc)
    else:
        error = None
    start, end = _bounds(first, last)
    flt = queries.AuditFilter(
        since=start,
        until=end,
        kind=kind if kind in queries.AUDIT_KINDS else "",
        actor=actor.strip(),
        decision=decision if decision in ("clear", "review", "deny") else "",
    )
    with db_sessions(request)() as session:
        rows = queries.audit_rows(session, flt)
    return render(
        request,
        "audit.html",
        user=user,
        rows=rows,
        flt=flt,
        first=first.isoformat(),
        last=last.isoformat(),
        error=error,
        status=422 if error else 200,
    )


@router.get("/audit/export")
def audit_export(
    request: Request,
    user: User,
    since: DateText = "",
    until: DateText = "",
    format: Annotated[str, Query(pattern="^(csv|json)$")] = "csv",
    kind: Annotated[str, Query(max_length=20)] = "",
    actor: Annotated[str, Query(max_length=200)] = "",
    decision: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    try:
        first, last = _period(since, until)
        start, end = _bounds(first, last)
        with db_sessions(request)() as session:
            rows = audit_records(session, start, end)
        # The page's filters, applied to the export's own records (same fields, same order).
        rows = [
            r
            for r in rows
            if (not kind or r["kind"] == kind)
            and (not actor or r.get("actor") == actor.strip())
            and (not decision or (r["kind"] == "screening" and r.get("decision") == decision))
        ]
        body = export.render(rows, format)
    except (ValueError, ScreeningError) as exc:
        detail = getattr(exc, "detail", str(exc))
        return render(request, "not_found.html", user=user, error=detail, status=422)
    media = "text/csv" if format == "csv" else "application/json"
    return Response(
        body,
        media_type=f"{media}; charset=utf-8",
        headers={
            **PAGE_HEADERS,
            "Content-Disposition": f'attachment; filename="audit-{first}-{last}.{format}"',
        },
    )
