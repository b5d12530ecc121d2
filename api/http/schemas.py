"""Request bodies of the HTTP API (responses: `api.http.responses`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from screening.matching import Query

MAX_NAME = 1000
MAX_BATCH = 1000


class ScreenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # What no JSON schema can say (a country that is no country, a domain that names no host, a
    # blank name) is a 422 `invalid-query` problem from the core.
    name: str = Field(min_length=1, max_length=MAX_NAME, examples=["Huawei Technologies Co Ltd"])
    country: str | None = Field(
        default=None,
        max_length=64,
        examples=["CN"],
        description="An ISO 3166-1 alpha-2 code or a country name.",
    )
    domain: str | None = Field(
        default=None,
        max_length=255,
        examples=["huawei.com"],
        description="A website, URL or e-mail address; compared by registered host name.",
    )
    address: str | None = Field(default=None, max_length=MAX_NAME)
    identifier: str | None = Field(
        default=None,
        max_length=100,
        examples=["914403001922038216"],
        description="A registration, tax, LEI or IMO number; spacing and punctuation are ignored.",
    )
    limit: int = Field(default=5, ge=1, le=50, description="At most this many matches.")

    def to_query(self) -> Query:
        return Query.from_fields(self.model_dump(include=set(Query.FIELDS)))


class BatchItem(ScreenRequest):
    id: str = Field(min_length=1, max_length=200)


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[BatchItem] = Field(min_length=1, max_length=MAX_BATCH)
