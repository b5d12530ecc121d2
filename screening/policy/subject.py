"""What a caller asks to screen: the party and what it says about itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from screening.errors import InvalidQueryError
from screening.matching import Query

MAX_ALIASES = 20
MAX_IDENTIFIERS = 20


@dataclass(frozen=True, slots=True)
class Subject:
    """A party to screen. `owners` is the caller's declaration, nested to any depth:
    `[{"name": ..., "country": "CN", "percent": 60, "owners": [...]}]`."""

    name: str
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    country: str | None = None
    address: str | None = None
    email: str | None = None
    website: str | None = None
    identifiers: tuple[str, ...] = ()
    owners: tuple[Mapping[str, Any], ...] = field(default=())
    # Built once: a rescreen asks for them three times (validation, the screen, kept readings).
    _queries: tuple[Query, ...] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.aliases) > MAX_ALIASES:
            raise InvalidQueryError(f"at most {MAX_ALIASES} aliases")
        if len(self.identifiers) > MAX_IDENTIFIERS:
            raise InvalidQueryError(f"at most {MAX_IDENTIFIERS} identifiers")

    def queries(self) -> list[Query]:
        """One Query for the name and one per alias; the secondary facts go with each.

        Built with Query.from_fields, the one place inputs become queries (and are validated).
        """
        if self._queries is not None:
            return list(self._queries)
        base: dict[str, object] = {
            "country": self.country,
            "domain": self.website or self.email,
            "address": self.address,
            "identifier": self.identifiers[0] if self.identifiers else None,
        }
        if self.kind is not None:
            base["kind"] = self.kind
        names = dict.fromkeys([self.name, *self.aliases])
        built = tuple(Query.from_fields({**base, "name": name}) for name in names)
        object.__setattr__(self, "_queries", built)
        return list(built)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "kind": self.kind,
            "country": self.country,
            "address": self.address,
            "email": self.email,
            "website": self.website,
            "identifiers": list(self.identifiers),
            "owners": [dict(o) for o in self.owners],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Subject:
        return cls(
            name=data["name"],
            aliases=tuple(data.get("aliases") or ()),
            kind=data.get("kind"),
            country=data.get("country"),
            address=data.get("address"),
            email=data.get("email"),
            website=data.get("website"),
            identifiers=tuple(data.get("identifiers") or ()),
            owners=tuple(data.get("owners") or ()),
        )
