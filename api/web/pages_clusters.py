"""Linked accounts: the clusters (open first, by size), one cluster with its denied roots, its
members and the path that links each to a root, its events, and the decision on the whole
cluster (four-eyes when configured: the person who proposed may not approve)."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.web import queries_linking
from api.web.config import PREFIX
from api.web.queries_linking import ClusterFilter
from api.web.security import Checked, User, config, db_sessions, redirect
from api.web.templating import render
from screening.errors import NotFoundError, ScreeningError
from screening.linking import decisions, views
from screening.linking.clusters import ACTIVE
from screening.linking.kinds import LABEL

router = APIRouter(prefix=PREFIX, include_in_schema=False)
ClusterId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MEMBERS_PAGE: Final = 200
MESSAGES: Final = {
    "proposed": "Decision proposed; a second analyst must approve it (four-eyes).",
    "decided": "Decision recorded for every member still in review.",
}


def kind_labels(kinds: list[str]) -> list[str]:
    return [LABEL.get(kind, kind) for kind in kinds]


@router.get("/clusters")
def cluster_list(
    request: Request,
    user: User,
    status: Annotated[str, Query(max_length=20)] = "",
    offset: Annotated[int, Query(ge=0, le=queries_linking.MAX_OFFSET)] = 0,
) -> Response:
    flt = ClusterFilter(status=status if status in queries_linking.STATUSES else "", offset=offset)
    with db_sessions(request)() as session:
        rows, total = queries_linking.cluster_rows(session, flt)
    return render(
        request,
        "clusters.html",
        user=user,
        rows=rows,
        total=total,
        flt=flt,
        statuses=queries_linking.STATUSES,
        page=queries_linking.PAGE,
    )


def _cluster_page(
    request: Request,
    user: User,
    cluster_id: int,
    *,
    after: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    with db_sessions(request)() as session:
        try:
            cluster = views.cluster_view(session, cluster_id, after=after, limit=MEMBERS_PAGE)
        except NotFoundError as exc:
            return render(request, "not_found.html", user=user, error=exc.detail, status=404)
        root_customers = queries_linking.root_customers(session, cluster_id)
    members: list[dict[str, Any]] = []
    shared: set[str] = set()
    for member in cluster["members"]:
        first = member["path"][0] if member["path"] else {"kinds": []}
        for one in member["path"]:
            shared.update(one.get("kinds") or [])
        members.append({**member, "shares": kind_labels(list(first.get("kinds") or []))})
    more = len(cluster["members"]) == MEMBERS_PAGE
    return render(
        request,
        "cluster.html",
        user=user,
        cluster=cluster,
        members=members,
        root_customers=root_customers,
        shared=sorted(kind_labels(sorted(shared))),
        decidable=cluster["status"] in ACTIVE,
        decisions=tuple(decisions.DECISIONS),
        four_eyes=config(request).four_eyes,
        after=after,
        next_after=cluster["members"][-1]["account_id"] if more else None,
        message=MESSAGES.get(request.query_params.get("done", "")),
        error=error,
        status=status,
    )


@router.get("/clusters/{cluster_id}")
def cluster_page(
    request: Request,
    user: User,
    cluster_id: ClusterId,
    after: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    return _cluster_page(request, user, cluster_id, after=after)


@router.post("/clusters/{cluster_id}/decision")
def decide(request: Request, checked: Checked, cluster_id: ClusterId) -> Response:
    user, form = checked
    decision = str(form.get("decision") or "")
    note = str(form.get("note") or "")
    try:
        with db_sessions(request).begin() as session:
            # The same decision the API makes; the person signed in is the actor.
            cluster = decisions.decide(
                session,
                cluster_id,
                decision,
                actor=user.actor,
                note=note,
                four_eyes=config(request).four_eyes,
            )
            proposed = cluster.proposed_status is not None
    except ScreeningError as exc:
        return _cluster_page(request, user, cluster_id, error=exc.detail, status=422)
    done = "proposed" if proposed else "decided"
    return redirect(f"{PREFIX}/clusters/{cluster_id}?done={done}")
