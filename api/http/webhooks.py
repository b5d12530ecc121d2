"""Webhook registration (admin): a URL and a shared secret; new alerts and access changes are
POSTed to it, signed. The secret is accepted (or generated and shown) once, never returned."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from api.http.auth import Credential, Permission
from api.http.responses import KEYED, IsoTime, problem_responses
from api.http.routes import SessionDep, needs
from api.http.routing import shared_path_route
from screening.monitoring import webhooks

router: APIRouter = APIRouter(
    tags=["webhooks"], route_class=shared_path_route(lambda: router.routes)
)

WebhookId = Annotated[int, Path(ge=1, le=2**31 - 1)]
EventKind = Literal["alert.opened", "alert.reopened", "access.changed"]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000, examples=["https://hooks.example.com/rps"])
    secret: str | None = Field(
        default=None,
        min_length=webhooks.MIN_SECRET,
        max_length=webhooks.MAX_SECRET,
        description="the shared signing key; omitted: one is generated and returned once",
    )
    events: list[EventKind] = Field(default_factory=list, description="empty: every event")


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    active: bool
    created_at: IsoTime
    created_by: str


class WebhookCreated(WebhookOut):
    secret: str | None = Field(
        description="the generated secret, shown this once; null when the caller gave one"
    )


class DeliveryOut(BaseModel):
    id: int
    event_id: int
    kind: str
    status: Literal["pending", "sending", "delivered", "failed", "cancelled"]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: IsoTime
    delivered_at: IsoTime | None
    created_at: IsoTime


@router.post(
    "/v1/webhooks",
    status_code=201,
    response_model=WebhookCreated,
    responses=problem_responses(*KEYED, 400, 413, 422),
)
def create_webhook(
    body: WebhookIn,
    request: Request,
    credential: Annotated[Credential, needs(Permission.MANAGE_WEBHOOKS)],
) -> dict[str, Any]:
    """Register a URL; events are signed `sha256=HMAC(secret, "{timestamp}.{body}")` in
    `X-Screening-Signature`, the Unix timestamp in `X-Screening-Timestamp`."""
    generated = webhooks.new_secret() if body.secret is None else None
    with request.app.state.sessions.begin() as session:
        hook = webhooks.register(
            session,
            body.url,
            body.secret or generated or "",
            events=body.events,
            actor=credential.key_id,
        )
        return {**webhooks.webhook_dict(hook), "secret": generated}


@router.get(
    "/v1/webhooks",
    response_model=list[WebhookOut],
    dependencies=[needs(Permission.MANAGE_WEBHOOKS)],
    responses=problem_responses(*KEYED),
)
def list_webhooks(db: SessionDep) -> list[dict[str, Any]]:
    return [webhooks.webhook_dict(h) for h in webhooks.webhooks(db)]


@router.delete(
    "/v1/webhooks/{webhook_id}",
    response_model=WebhookOut,
    dependencies=[needs(Permission.MANAGE_WEBHOOKS)],
    responses=problem_responses(*KEYED, 404, 422),
)
def delete_webhook(webhook_id: WebhookId, request: Request) -> dict[str, Any]:
    """Stop sending to it (its deliveries stay on record; pending ones are cancelled)."""
    with request.app.state.sessions.begin() as session:
        return webhooks.webhook_dict(webhooks.deactivate(session, webhook_id))


@router.get(
    "/v1/webhooks/{webhook_id}/deliveries",
    response_model=list[DeliveryOut],
    dependencies=[needs(Permission.MANAGE_WEBHOOKS)],
    responses=problem_responses(*KEYED, 404, 422),
)
def webhook_deliveries(webhook_id: WebhookId, db: SessionDep) -> list[dict[str, Any]]:
    """The latest 100 deliveries, newest first, with their outcome."""
    return webhooks.deliveries(db, webhook_id)
