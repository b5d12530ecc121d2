"""Request bodies of the HTTP API (responses: `api.http.responses`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from screening.policy.subject import MAX_ALIASES, MAX_IDENTIFIERS, Subject

MAX_NAME = 1000
MAX_BATCH = 1000
MAX_OWNERS = 100

Context = Literal["signup", "auth", "vetting", "rescreen"]
Kind = Literal["organization", "person", "vessel", "aircraft"]


class Owner(BaseModel):
    """A declared owner of the party, with its own owners (to any depth)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME)
    country: str | None = Field(default=None, min_length=2, max_length=2, examples=["CN"])
    percent: float = Field(gt=0, le=100, description="Share held, in percent.")
    id: str | None = Field(
        default=None,
        max_length=200,
        description="Optional: the same id in two places names one owner.",
    )
    owners: list[Owner] = Field(default_factory=list, max_length=MAX_OWNERS)


class ScreenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # What no JSON schema can say (a country that is no country, a website that names no host,
    # a blank name, an ownership cycle) is a 422 `invalid-query` problem from the core.
    name: str = Field(min_length=1, max_length=MAX_NAME, examples=["Huawei Technologies Co Ltd"])
    aliases: list[str] = Field(
        default_factory=list,
        max_length=MAX_ALIASES,
        description="Other names of the party (a brand, a former name, a name in Chinese).",
    )
    kind: Kind | None = Field(
        default=None,
        description="What the party is; by default organisations and persons are screened, "
        "vessels and aircraft only when asked for.",
    )
    country: str | None = Field(
        default=None,
        max_length=64,
        examples=["CN"],
        description="Where the party is headquartered: an ISO 3166-1 alpha-2 code or a name.",
    )
    address: str | None = Field(default=None, max_length=MAX_NAME)
    email: str | None = Field(
        default=None,
        max_length=320,
        examples=["ops@example.com"],
        description="An e-mail address; its registrable domain is compared with listed ones "
        "(mailbox providers never count).",
    )
    website: str | None = Field(
        default=None,
        max_length=2000,
        examples=["https://www.example.com"],
        description="A website or URL; its registrable domain is compared with listed ones.",
    )
    identifiers: list[str] = Field(
        default_factory=list,
        max_length=MAX_IDENTIFIERS,
        description="Registration, tax, LEI or IMO numbers; spacing and punctuation ignored.",
    )
    owners: list[Owner] = Field(
        default_factory=list,
        max_length=MAX_OWNERS,
        description="Declared owners, nested to any depth: "
        '`[{"name": ..., "country": "CN", "percent": 60, "owners": [...]}]`.',
    )
    context: Context = Field(default="signup", description="Which policy context applies.")
    limit: int = Field(default=5, ge=1, le=50, description="At most this many matches.")
    # Kept for existing clients: `domain` is read as `website`, `identifier` as one identifier.
    domain: str | None = Field(default=None, max_length=255, json_schema_extra={"deprecated": True})
    identifier: str | None = Field(
        default=None, max_length=100, json_schema_extra={"deprecated": True}
    )

    def to_subject(self) -> Subject:
        identifiers = [*self.identifiers, *([self.identifier] if self.identifier else [])]
        return Subject(
            name=self.name,
            aliases=tuple(a for a in self.aliases if a.strip()),
            kind=self.kind,
            country=self.country,
            address=self.address,
            email=self.email,
            website=self.website or self.domain,
            identifiers=tuple(i for i in identifiers if i.strip()),
            owners=tuple(o.model_dump(exclude_none=True) for o in self.owners),
        )


class BatchItem(ScreenRequest):
    id: str = Field(min_length=1, max_length=200)


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[BatchItem] = Field(min_length=1, max_length=MAX_BATCH)
