"""Linked-accounts endpoints: signals from the signup and authentication callers, an account's
links, clusters and the analyst's decision on a whole cluster."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from api.http.auth import Credential, Permission
from api.http.monitoring import AccessOut
from api.http.responses import KEYED, IsoTime, problem_responses
from api.http.routes import SessionDep, needs
from screening.linking import access, decisions, service, views
from screening.linking.service import Context
from screening.linking.signals import Observation

router = APIRouter(tags=["linked accounts"])

AccountId = Annotated[str, Path(min_length=1, max_length=200, description="The account's id.")]
ClusterId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class BillingAddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line1: str | None = Field(default=None, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=200)
    region: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, max_length=40)
    country: str | None = Field(default=None, max_length=64)


class SignalsIn(BaseModel):
    """What a signup or login saw; any of the fields. Personal values are stored only as keyed
    hashes; the IP address only as its /24 (IPv4) or /48 (IPv6)."""

    model_config = ConfigDict(extra="forbid")

    email: str | None = Field(default=None, max_length=320, examples=["j.doe+ai@gmail.com"])
    payment_fingerprint: str | None = Field(
        default=None, max_length=200, description="the payment provider's card fingerprint"
    )
    device_id: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40, examples=["+44 20 7946 0018"])
    ip: str | None = Field(default=None, max_length=64, examples=["203.0.113.7"])
    asn: int | None = Field(default=None, ge=1, le=4_294_967_294, examples=[45102])
    organisation: str | None = Field(default=None, max_length=500)
    billing_address: Annotated[str, Field(max_length=500)] | BillingAddressIn | None = Field(
        default=None, description="one line of text, or its parts"
    )
    observed_at: datetime | None = Field(default=None, description="default: now")

    def observation(self) -> Observation:
        address = self.billing_address
        return Observation(
            email=self.email,
            payment_fingerprint=self.payment_fingerprint,
            device_id=self.device_id,
            phone=self.phone,
            ip=self.ip,
            asn=self.asn,
            organisation=self.organisation,
            billing_address=(
                address.model_dump(exclude_none=True)
                if isinstance(address, BillingAddressIn)
                else address
            ),
            observed_at=self.observed_at,
        )


class SignalsOut(BaseModel):
    account_id: str
    signals: int = Field(description="signals read from the observation")
    new: int = Field(description="of those, never seen on this account before")
    cluster_id: int | None = Field(description="the cluster the account is in, if any")
    linked_now: int = Field(description="accounts this observation sent to review by links")
    access: AccessOut


class SignalOut(BaseModel):
    kind: str
    value: str | None = Field(description="only for kinds that are not personal")
    accounts: int = Field(description="accounts that carry this value")
    links: bool
    why_not: str | None
    first_seen: IsoTime
    last_seen: IsoTime
    observations: int


class LinkOut(BaseModel):
    account_id: str
    customer_external_id: str
    score: float
    kinds: list[str]
    strong: bool
    cluster_id: int | None


class Step(BaseModel):
    account_id: str
    kinds: list[str]
    score: float
    denied_because: str | None = None


class AccountCluster(BaseModel):
    id: int
    role: Literal["root", "member"]
    state: str | None = None
    hops: int | None = None
    reason: str | None = None
    path: list[Step] | None = None


class LinksOut(BaseModel):
    account_id: str
    signals: list[SignalOut]
    links: list[LinkOut] = Field(description="strongest first, at most 200")
    links_total: int
    cluster: AccountCluster | None
    restricted_clouds: list[str]


class RootOut(BaseModel):
    account_id: str
    denied_because: str
    added_at: IsoTime


class MemberOut(BaseModel):
    account_id: str
    customer_external_id: str
    state: Literal["review", "denied", "dismissed"]
    hops: int
    score: float
    reason: str
    path: list[Step]
    alert_id: int | None
    added_at: IsoTime


class ClusterEventOut(BaseModel):
    id: int
    at: IsoTime
    actor: str
    kind: str
    reason: str
    details: dict[str, Any]


class ClusterOut(BaseModel):
    id: int
    status: Literal["open", "denied", "dismissed", "released", "merged"]
    merged_into: int | None
    truncated: bool
    proposed_status: str | None
    proposed_by: str | None
    decided_by: str | None
    decided_at: IsoTime | None
    created_at: IsoTime
    updated_at: IsoTime
    roots: list[RootOut]
    members_total: int
    members_by_state: dict[str, int]
    members: list[MemberOut] = Field(description="by account id; page with `after`")
    events: list[ClusterEventOut]


class ClusterDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["deny", "dismiss"]
    note: str = Field(min_length=1, max_length=4000, description="why")


def _context(request: Request) -> Context:
    found: Context = request.app.state.linking
    return found


@router.post(
    "/v1/accounts/{account_id}/signals",
    response_model=SignalsOut,
    responses=problem_responses(*KEYED, 404, 413, 422, described={404: "The account is unknown."}),
)
def post_signals(
    account_id: AccountId,
    body: SignalsIn,
    request: Request,
    credential: Annotated[Credential, needs(Permission.SEND_SIGNALS)],
) -> dict[str, Any]:
    """Record what a signup or login saw. An account that now shares strong signals (or enough
    weak ones) with a denied account, or with an account already linked to one, is sent to
    review at once; the answer carries the account's access after it."""
    with request.app.state.sessions.begin() as session:
        account = service.find_account(session, account_id)
        done = service.record(
            session, account, body.observation(), _context(request), actor=credential.key_id
        )
        return {
            "account_id": done.account_id,
            "signals": done.signals,
            "new": done.new,
            "cluster_id": done.cluster_id,
            "linked_now": done.added,
            "access": access.account_access(session, account_id),
        }


@router.get(
    "/v1/accounts/{account_id}/links",
    response_model=LinksOut,
    dependencies=[needs(Permission.READ_LINKS)],
    responses=problem_responses(*KEYED, 404, 422),
)
def account_links(account_id: AccountId, request: Request, db: SessionDep) -> dict[str, Any]:
    """The account's signals (kinds and degrees; personal values never), the accounts it links
    to now with what they share, and its cluster with the path to the denied account."""
    return views.account_links(db, account_id, _context(request).rules)


@router.get(
    "/v1/clusters/{cluster_id}",
    response_model=ClusterOut,
    dependencies=[needs(Permission.READ_LINKS)],
    responses=problem_responses(*KEYED, 404, 422),
)
def get_cluster(
    cluster_id: ClusterId,
    db: SessionDep,
    after: Annotated[str, Query(max_length=200, description="the last account id seen")] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> dict[str, Any]:
    """A cluster: its denied roots, its members with their paths, and every event."""
    return views.cluster_view(db, cluster_id, after=after, limit=limit)


@router.post(
    "/v1/clusters/{cluster_id}/decision",
    response_model=ClusterOut,
    responses=problem_responses(
        *KEYED,
        404,
        409,
        413,
        422,
        described={
            403: "Not permitted (four-eyes: self-approval).",
            409: "The cluster is merged, dismissed or released.",
        },
    ),
)
def decide_cluster(
    cluster_id: ClusterId,
    body: ClusterDecisionIn,
    request: Request,
    credential: Annotated[Credential, needs(Permission.REVIEW_ALERTS)],
) -> dict[str, Any]:
    """Deny (or dismiss) every member still in review, in one decision; with four-eyes on, the
    first call proposes and a second key approves."""
    with request.app.state.sessions.begin() as session:
        decisions.decide(
            session,
            cluster_id,
            body.decision,
            actor=credential.key_id,
            note=body.note,
            four_eyes=request.app.state.settings.four_eyes,
        )
        return views.cluster_view(session, cluster_id)
