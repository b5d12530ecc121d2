"""Operator endpoints: Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.http.auth import Permission
from api.http.responses import KEYED, problem_responses
from api.http.routes import needs

router = APIRouter()


@router.get(
    "/metrics",
    tags=["service"],
    dependencies=[needs(Permission.READ_METRICS)],
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}},
        **problem_responses(*KEYED),
    },
)
def metrics(request: Request) -> Response:
    """Prometheus text format: screens by context and decision, latency histograms, and per
    list source its age, record count and last refresh result. Admin key or the metrics token."""
    body = generate_latest(request.app.state.metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
