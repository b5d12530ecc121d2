"""Custom lists: an admin creates one and loads its parties from CSV; each load is a version
with a diff, like any other list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.http.auth import Credential, Permission
from api.http.responses import KEYED, RefreshResponse, problem_responses
from api.http.routes import needs
from api.wiring import load_custom_list
from lists.custom_csv import CUSTOM_ID
from screening.errors import InvalidQueryError
from screening.listings import store

router = APIRouter()

CustomSource = Annotated[
    str, Path(pattern=CUSTOM_ID.pattern, description="A custom list id: custom_<name>.")
]


class NewCustomList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(pattern=CUSTOM_ID.pattern, examples=["custom_partner_blocklist"])
    # No control characters: a title is shown to people, and PostgreSQL refuses NUL.
    title: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")


class CustomListOut(BaseModel):
    source: str
    title: str


@router.post(
    "/v1/lists/custom",
    tags=["lists"],
    status_code=201,
    response_model=CustomListOut,
    responses=problem_responses(*KEYED, 400, 409, 413, 422),
)
def create_custom_list(
    body: NewCustomList,
    request: Request,
    credential: Annotated[Credential, needs(Permission.MANAGE_LISTS)],
) -> dict[str, Any]:
    """Create an empty custom list; load its parties with PUT /v1/lists/{source}/entries."""
    with request.app.state.sessions.begin() as session:
        store.add_custom_list(session, body.source, body.title, credential.key_id)
    return {"source": body.source, "title": body.title}


@router.put(
    "/v1/lists/{source}/entries",
    tags=["lists"],
    response_model=RefreshResponse,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "Header `key,name` and any of aliases, kind, country, website, "
            "email_domain, identifiers, remarks (list cells `;`-separated).",
        }
    },
    responses=problem_responses(*KEYED, 404, 413, 422),
)
async def load_entries(
    source: CustomSource,
    request: Request,
    _: Annotated[Credential, needs(Permission.MANAGE_LISTS)],
) -> dict[str, Any]:
    """Replace the list's parties with the CSV body: a new version with its diff, or a refusal
    that leaves the active version as it was."""
    data = await request.body()
    if not data:
        raise InvalidQueryError("the body is empty: send the list as CSV")
    outcome = await run_in_threadpool(
        load_custom_list,
        request.app.state.settings,
        request.app.state.sessions,
        source,
        data,
        events=request.app.state.events,
    )
    result: dict[str, Any] = outcome.to_dict()
    return result
