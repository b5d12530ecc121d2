"""Monitoring endpoints: the customer registry, the precomputed access of an account (the
authentication path), alerts and their review, and the audit export."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.http.access_reader import AccessReader
from api.http.auth import Credential, Permission
from api.http.responses import KEYED, IsoTime, problem_responses
from api.http.routes import SessionDep, needs
from api.http.routing import shared_path_route
from api.http.schemas import MAX_NAME, MAX_OWNERS, Owner
from api.linking import audit_records
from screening.errors import IndexNotReadyError
from screening.monitoring import export, service, views
from screening.monitoring.alerts import STATUSES
from screening.monitoring.customers import CustomerData, customers_page
from screening.monitoring.results import Screener

router: APIRouter = APIRouter(
    tags=["monitoring"], route_class=shared_path_route(lambda: router.routes)
)

ExternalId = Annotated[str, Path(min_length=1, max_length=200, description="The customer's id.")]
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Status = Literal["open", "in_review", "true_match", "false_positive", "escalated"]


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)


class CustomerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME, examples=["Apple Inc."])
    aliases: list[str] = Field(default_factory=list, max_length=20)
    country: str | None = Field(default=None, max_length=64, examples=["US"])
    address: str | None = Field(default=None, max_length=MAX_NAME)
    website: str | None = Field(default=None, max_length=2000)
    email_domain: str | None = Field(default=None, max_length=320, examples=["example.com"])
    owners: list[Owner] = Field(default_factory=list, max_length=MAX_OWNERS)
    accounts: list[AccountIn] = Field(
        default_factory=list, max_length=1000, description="Accounts added (never removed)."
    )

    def data(self) -> CustomerData:
        return CustomerData(
            name=self.name,
            aliases=tuple(a for a in self.aliases if a.strip()),
            country=self.country,
            address=self.address,
            website=self.website,
            email_domain=self.email_domain,
            owners=tuple(o.model_dump(exclude_none=True) for o in self.owners),
        )


class CustomerIn(CustomerUpdate):
    external_id: str = Field(min_length=1, max_length=200, examples=["cust-001"])


class AccountOut(BaseModel):
    account_id: str
    email: str | None
    status: str


class ResultOut(BaseModel):
    decision: str
    screened_at: IsoTime
    policy_version: str
    version_ids: dict[str, int]
    screening_id: str
    access: str
    access_reason: str
    access_since: IsoTime


class MatchedParty(BaseModel):
    """A listed party (or `rule:<rule>` for a reason with no party) and its content hash."""

    party_key: str
    source: str | None
    source_key: str | None
    entity_name: str | None
    score: float | None
    decision: str
    fingerprint: str | None


class AlertOut(MatchedParty):
    id: int
    customer_external_id: str
    status: Status
    assignee: str | None
    proposed_status: str | None
    proposed_by: str | None
    created_at: IsoTime
    updated_at: IsoTime


class AlertEventOut(BaseModel):
    id: int
    alert_id: int
    at: IsoTime
    actor: str
    kind: str
    from_status: str | None
    to_status: str | None
    reason: str
    details: dict[str, Any]


class AlertDetail(AlertOut):
    events: list[AlertEventOut]


class CustomerSummary(BaseModel):
    external_id: str
    name: str
    aliases: list[str]
    country: str | None
    address: str | None
    website: str | None
    email_domain: str | None
    owners: list[dict[str, Any]]
    created_at: IsoTime
    updated_at: IsoTime


class CustomerOut(CustomerSummary):
    accounts: list[AccountOut]
    result: ResultOut | None = Field(description="the latest screen; null until screened")
    matches: list[MatchedParty]
    alerts: list[AlertDetail]


class AccessOut(BaseModel):
    account_id: str
    access: Literal["allow", "review", "deny"]
    reason: str
    since: IsoTime | None = Field(description="when the access became what it is")
    customer_external_id: str


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee: str | None = Field(max_length=200, description="null: unassign")
    note: str = Field(default="", max_length=4000)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status
    note: str = Field(default="", max_length=4000, description="why; required for a decision")


def _screener(request: Request) -> Screener | None:
    try:
        snapshot = request.app.state.index.snapshot()
    except IndexNotReadyError:
        return None  # stored unscreened; its access says so until the next rescreen
    return Screener(snapshot, request.app.state.engine)


def _save(
    request: Request, credential: Credential, external_id: str, body: CustomerUpdate, new: bool
) -> dict[str, Any]:
    with request.app.state.sessions.begin() as session:
        saved = service.save_customer(
            session,
            external_id,
            body.data(),
            accounts=[(a.account_id, a.email) for a in body.accounts],
            screener=_screener(request),
            actor=credential.key_id,
            must_be_new=new,
        )
        return views.customer_view(session, saved.customer.external_id)


@router.post(
    "/v1/customers",
    status_code=201,
    response_model=CustomerOut,
    responses=problem_responses(*KEYED, 400, 409, 413, 422),
)
def create_customer(
    body: CustomerIn,
    request: Request,
    credential: Annotated[Credential, needs(Permission.MANAGE_CUSTOMERS)],
) -> dict[str, Any]:
    """Register a customer and its accounts; it is screened at once (context `rescreen`)."""
    return _save(request, credential, body.external_id, body, True)


@router.put(
    "/v1/customers/{external_id}",
    response_model=CustomerOut,
    responses=problem_responses(*KEYED, 400, 409, 413, 422),
)
def put_customer(
    external_id: ExternalId,
    body: CustomerUpdate,
    request: Request,
    credential: Annotated[Credential, needs(Permission.MANAGE_CUSTOMERS)],
) -> dict[str, Any]:
    """Create or update a customer; changed data is rescreened at once."""
    return _save(request, credential, external_id, body, False)


@router.get(
    "/v1/customers",
    response_model=list[CustomerSummary],
    dependencies=[needs(Permission.MANAGE_CUSTOMERS)],
    responses=problem_responses(*KEYED, 422),
)
def list_customers(
    db: SessionDep,
    after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Customers by internal order; page with `after` = the last id seen."""
    return [views.customer_summary(c) for c in customers_page(db, after_id=after, limit=limit)]


@router.get(
    "/v1/customers/{external_id}",
    response_model=CustomerOut,
    dependencies=[needs(Permission.MANAGE_CUSTOMERS)],
    responses=problem_responses(*KEYED, 404, 422),
)
def get_customer(external_id: ExternalId, db: SessionDep) -> dict[str, Any]:
    """A customer with its accounts, latest result and access, matches and alert history."""
    return views.customer_view(db, external_id)


@router.get(
    "/v1/accounts/{account_id}/access",
    response_model=AccessOut,
    dependencies=[needs(Permission.READ_ACCESS)],
    responses=problem_responses(*KEYED, 404, 422, described={404: "The account is unknown."}),
)
async def account_access(
    account_id: Annotated[str, Path(min_length=1, max_length=200)], request: Request
) -> dict[str, Any]:
    """What the authentication path needs: `allow`, `review` or `deny`, why and since when.
    Precomputed: one read, never a screen. An unknown account is a 404, never an allow."""
    # Asked on every login, so it pays for one statement on a connection of its own, not a
    # session and a thread hop per dependency (`api.http.access_reader`). With links: an
    # account linked to a denied one answers review, with the path.
    reader: AccessReader = request.app.state.access_reader
    return await reader.read(account_id)


@router.get(
    "/v1/alerts",
    response_model=list[AlertOut],
    dependencies=[needs(Permission.REVIEW_ALERTS)],
    responses=problem_responses(*KEYED, 404, 422),
)
def list_alerts(
    db: SessionDep,
    # Plain strings, empty meaning "any": a nullable query parameter cannot be told apart from
    # an absent one, so its schema would promise a refusal the API cannot give.
    status: Annotated[str, Query(pattern=f"^({'|'.join(STATUSES)})?$")] = "",
    customer: Annotated[str, Query(max_length=200, description="an external id")] = "",
) -> list[dict[str, Any]]:
    """Alerts, oldest first, by status and/or customer external id."""
    return views.alert_list(db, status=status or None, external_id=customer or None)


@router.get(
    "/v1/alerts/{alert_id}",
    response_model=AlertDetail,
    dependencies=[needs(Permission.REVIEW_ALERTS)],
    responses=problem_responses(*KEYED, 404, 422),
)
def get_alert(alert_id: AlertId, db: SessionDep) -> dict[str, Any]:
    """One alert with every event: who changed what, when and why."""
    return views.alert_view(db, alert_id)


@router.post(
    "/v1/alerts/{alert_id}/assign",
    response_model=AlertDetail,
    responses=problem_responses(*KEYED, 400, 404, 413, 422),
)
def assign_alert(
    alert_id: AlertId,
    body: AssignIn,
    request: Request,
    credential: Annotated[Credential, needs(Permission.REVIEW_ALERTS)],
) -> dict[str, Any]:
    with request.app.state.sessions.begin() as session:
        return service.assign(
            session, alert_id, body.assignee, actor=credential.key_id, note=body.note
        )


@router.post(
    "/v1/alerts/{alert_id}/decision",
    response_model=AlertDetail,
    responses=problem_responses(
        *KEYED, 400, 404, 413, 422, described={403: "Not permitted (four-eyes: self-approval)."}
    ),
)
def decide_alert(
    alert_id: AlertId,
    body: DecisionIn,
    request: Request,
    credential: Annotated[Credential, needs(Permission.REVIEW_ALERTS)],
) -> dict[str, Any]:
    """Set an alert's status. `true_match` and `false_positive` need a note; with four-eyes
    on, the first such call proposes and a second key approves."""
    with request.app.state.sessions.begin() as session:
        return service.decide(
            session,
            alert_id,
            body.status,
            actor=credential.key_id,
            note=body.note,
            four_eyes=request.app.state.settings.four_eyes,
        )


@router.get(
    "/v1/audit/export",
    tags=["audit"],
    dependencies=[needs(Permission.READ_SCREENINGS)],
    responses={
        200: {
            "description": "Every screen and alert change of the period, oldest first.",
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
        **problem_responses(*KEYED, 422),
    },
)
def audit_export(
    db: SessionDep,
    since: datetime,
    until: datetime,
    format: Literal["json", "csv"] = "json",
) -> Response:
    rows = audit_records(db, since, until)
    media = "text/csv" if format == "csv" else "application/json"
    return Response(export.render(rows, format), media_type=f"{media}; charset=utf-8")
