"""What the HTTP API answers, as pydantic models: the OpenAPI document is built from them.

The models describe the JSON that the core's `to_dict()` forms and `api.http.status` already
build; the routes keep returning those dicts, and tests hold the two together. Field order
follows the dicts, so a route that serialises through its model sends keys in the same order.
Errors are RFC 9457 problems (`api.http.problems`); `problem_responses` declares them per route.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema

from api.http import problems
from api.http.middleware import MAX_BODY_BYTES
from screening.listings.records import EntityKind
from screening.policy.config import Verdict

# The views send `datetime.isoformat()` strings; a `datetime` field would re-serialise them
# (`+00:00` becomes `Z`), so the type stays `str` and only the schema says what it holds.
IsoTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class EvidenceOut(BaseModel):
    kind: str
    detail: str
    delta: float = Field(description="what this evidence did to the score")


class MatchOut(BaseModel):
    """One listed party the query may be."""

    party_key: str
    source: str
    sources: list[str]
    source_key: str = Field(description="the list's own key for the party")
    source_keys: list[str]
    list_: str = Field(alias="list", description="the list codes as one string, `;`-separated")
    lists: list[str]
    programs: list[str]
    kind: EntityKind
    entity_name: str
    matched_name: str
    matched_name_kind: str
    query_name: str
    score: float
    match_type: str
    explanation: str = Field(description="one line for a reviewer")
    evidence: list[EvidenceOut]


class ScreenedSubject(BaseModel):
    """The party as it was screened (the request's facts, as given)."""

    name: str
    aliases: list[str]
    kind: str | None
    country: str | None
    address: str | None
    email: str | None
    website: str | None
    identifiers: list[str]
    owners: list[dict[str, Any]]


class ReasonOut(BaseModel):
    """Why the decision is what it is: one rule, what it decided, and on what evidence."""

    rule: str = Field(
        description="list_match, domain, jurisdiction, owner_match, ofac_50_percent, "
        "bis_affiliates or restricted_jurisdiction_control"
    )
    decision: Verdict
    detail: str
    source: str | None = Field(description="the list source the reason rests on")
    version: str | None = Field(description="that source's version")
    evidence: dict[str, Any]


class ScreenResponse(BaseModel):
    screening_id: str | None = Field(description="the audit record of this answer")
    decision: Verdict
    reasons: list[ReasonOut]
    score: float = Field(description="the best match's score; 0 when nothing matched")
    query: ScreenedSubject
    context: str
    matches: list[MatchOut] = Field(description="best first")
    versions: dict[str, str] = Field(description="per source, the list version the answer used")
    policy_version: str = Field(description="sha256 of the policy file that decided")
    screened_on: str = Field(description="the date whose rules applied (ISO 8601)")
    note: str | None = Field(description="set when the name held nothing distinctive")


class _Identified(BaseModel):
    id: str = Field(description="the caller's id of the item")


# Bases in this order put `id` first, as the batch route has always sent it.
class BatchResult(ScreenResponse, _Identified):
    pass


class BatchResponse(BaseModel):
    results: list[BatchResult] = Field(description="one per item, in the order of the items")


class SourceStatus(BaseModel):
    source: str
    title: str
    active_version: int | None
    records: int | None
    fetched_at: IsoTime | None
    age_seconds: int | None
    content_sha256: str | None
    last_status: str | None
    last_attempt_at: IsoTime | None
    last_error: str | None
    last_error_at: IsoTime | None
    consecutive_failures: int


class DiffCounts(BaseModel):
    added: int
    removed: int
    changed: int


class DiffSample(BaseModel):
    source_key: str
    name: str | None


class ChangedSample(DiffSample):
    fields: list[str] = Field(description="the record fields that differ")


class DiffResponse(BaseModel):
    source: str
    version: int
    previous_version: int | None
    counts: DiffCounts
    added_samples: list[DiffSample]
    removed_samples: list[DiffSample]
    changed_samples: list[ChangedSample]


class RefreshResponse(BaseModel):
    source: str
    status: str = Field(description="`new_version`, `unchanged`, `failed` or `skipped`")
    detail: str
    version: int | None
    records: int | None
    diff: dict[str, int] = Field(description="added/removed/changed counts of a new version")


class Healthz(BaseModel):
    status: Literal["ok"]


class SourceReadiness(BaseModel):
    active_version: int | None
    loaded_version: int | None
    pending_version: int | None = Field(description="active, and being indexed right now")
    checked_seconds_ago: int | None
    stale: bool = Field(
        default=False, description="present, and true, when the list has gone unchecked too long"
    )


class Readiness(BaseModel):
    ready: bool
    problems: list[str]
    sources: dict[str, SourceReadiness]


class Problem(BaseModel):
    """An RFC 9457 problem, the body of every error this API returns."""

    type: str = Field(examples=["https://screening.invalid/problems/not-authenticated"])
    title: str
    status: int
    detail: str
    instance: str = Field(description="the request path")


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class InvalidRequestProblem(Problem):
    errors: list[ValidationIssue] = Field(
        default_factory=list,
        description="what failed validation; absent when a well-formed input cannot be screened",
    )


class InternalProblem(Problem):
    incident: str = Field(description="the id under which the error is logged")


_PROBLEM_MODELS: dict[int, type[Problem]] = {422: InvalidRequestProblem, 500: InternalProblem}

_DESCRIPTIONS = {
    400: "The request could not be parsed, or it holds a NUL character.",
    401: "No API key, or one that matches no configured key.",
    403: "The key's role may not do this.",
    404: "Not found.",
    409: "It exists already.",
    413: f"The request body is over {MAX_BODY_BYTES} bytes; it was not read.",
    422: "The body or a parameter is not valid, or the input cannot be screened.",
    429: "Too many requests with an invalid key from this client; retry after `Retry-After`.",
    500: "Unexpected error; it is logged under `incident`.",
    503: "No match index is loaded yet.",
}

_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "the accepted schemes: Bearer, or the `X-API-Key` header",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "seconds to wait",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}

# Every route behind the key gate can answer these.
KEYED = (400, 401, 403, 429, 500)


def problem_responses(
    *statuses: int, described: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for problem statuses, as `application/problem+json`.

    Not FastAPI's `model=`: it files every model under the route's own media type
    (`application/json`), which is not what these responses are. The schemas are written inline
    instead, nested models included, since only `model=` gets a component registered.
    """
    described = described or {}
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted(statuses):
        model = _PROBLEM_MODELS.get(status, Problem)
        response: dict[str, Any] = {
            "description": described.get(status, _DESCRIPTIONS[status]),
            "content": {problems.MEDIA_TYPE: {"schema": _inline_schema(model)}},
        }
        if status in _HEADERS:
            response["headers"] = _HEADERS[status]
        out[status] = response
    return out


def _inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization")
    definitions: dict[str, Any] = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    result: dict[str, Any] = resolve(schema)
    return result
