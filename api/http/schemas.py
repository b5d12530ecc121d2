"""Request bodies of the HTTP API (responses are the core's own `to_dict()` forms)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from screening.matching import Query

MAX_NAME = 1000
MAX_BATCH = 1000


class ScreenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME, examples=["Huawei Technologies Co Ltd"])
    country: str | None = Field(default=None, max_length=64, examples=["CN"])
    domain: str | None = Field(default=None, max_length=255, examples=["huawei.com"])
    address: str | None = Field(default=None, max_length=MAX_NAME)
    identifier: str | None = Field(default=None, max_length=100, examples=["914403001922038216"])
    limit: int = Field(default=5, ge=1, le=50)

    def to_query(self) -> Query:
        return Query.from_fields(self.model_dump(include=set(Query.FIELDS)))


class BatchItem(ScreenRequest):
    id: str = Field(min_length=1, max_length=200)


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[BatchItem] = Field(min_length=1, max_length=MAX_BATCH)
