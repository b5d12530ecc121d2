"""Lists: every source's active version, age, size and last error; one source's latest diff,
its size over time and its recent refreshes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from api.http import status as status_view
from api.web import svg
from api.web.config import PREFIX
from api.web.security import User, db_sessions
from api.web.templating import render
from screening.errors import ScreeningError
from screening.listings import store

router = APIRouter(prefix=PREFIX, include_in_schema=False)
HISTORY = 100


@router.get("/lists")
def lists(request: Request, user: User) -> Response:
    with db_sessions(request)() as session:
        rows = status_view.source_status(session, now=datetime.now(UTC))
        for row in rows:
            version = (
                store.get_version(session, row["active_version"]) if row["active_version"] else None
            )
            row["counts"] = ((version.diff or {}).get("counts") if version else None) or {}
    return render(request, "lists.html", user=user, rows=rows)


@router.get("/lists/{source}")
def list_source(
    request: Request, user: User, source: Annotated[str, Path(max_length=64)]
) -> Response:
    with db_sessions(request)() as session:
        titles = status_view.titles(session)
        if source not in titles:
            return render(
                request, "not_found.html", user=user, error=f"no list {source!r}", status=404
            )
        rows = {r["source"]: r for r in status_view.source_status(session, now=datetime.now(UTC))}
        try:
            diff = status_view.source_diff(session, source, samples=25)
        except ScreeningError:
            diff = None
        history = list(reversed(store.versions(session, source, limit=HISTORY)))
        attempts = list(store.attempts(session, source, limit=15))
    chart = svg.size_chart(
        [(v.fetched_at, v.record_count) for v in history],
        label=f"Records per version of {titles[source]}",
    )
    return render(
        request,
        "list.html",
        user=user,
        source=source,
        title=titles[source],
        row=rows[source],
        diff=diff,
        history=history,
        attempts=attempts,
        chart=chart,
    )
