"""What goes into a match and what comes out: `Query`, `Evidence`, `Match`, `MatchResult`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from screening.errors import InvalidQueryError
from screening.names.countries import country_code
from screening.names.hosts import hostname_of, normalize_host
from screening.names.identifiers import MIN_IDENTIFIER_LENGTH, normalize_identifier
from screening.names.normalize import strip_controls

# Longer inputs are rejected rather than truncated: a silently shortened name could clear a party
# whose identifying words were cut off. The longest listed names are ~400 characters.
MAX_NAME_LENGTH = 1000
MAX_FIELD_LENGTH = 1000

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _clean(value: str, what: str) -> str:
    if len(value) > MAX_FIELD_LENGTH:
        raise InvalidQueryError(f"{what} is longer than {MAX_FIELD_LENGTH} characters")
    return " ".join(strip_controls(value).split())


@dataclass(frozen=True, slots=True)
class Query:
    """One party to screen. Validated on construction.

    - `name`: required; control characters are stripped; empty or whitespace-only names and names
      longer than MAX_NAME_LENGTH characters raise InvalidQueryError.
    - `country`: ISO 3166-1 alpha-2 code (any case), or None.
    - `domain`: a website, URL or e-mail address; compared by registered host name.
    - `address`: free text, compared word by word with the party's listed addresses.
    - `identifier`: a registration, tax, LEI, IMO or similar number; compared with the party's
      listed identifiers ignoring spacing and punctuation.
    - `kind`: "organization", "person", "vessel", "aircraft", or None (an organisation or a
      person). Organisation and person queries never meet vessels or aircraft ("Sea Cliff
      Capital LLC" is not the tanker SEA CLIFF); a vessel or aircraft query meets only those.
    """

    name: str
    country: str | None = None
    domain: str | None = None
    address: str | None = None
    identifier: str | None = None
    kind: str | None = None
    # Invisible characters (zero-width, bidi controls) removed from the name, shown as evidence.
    hidden: int = field(default=0, init=False, compare=False)

    FIELDS: ClassVar[tuple[str, ...]] = (
        "name", "country", "domain", "address", "identifier", "kind",
    )  # fmt: skip
    KINDS: ClassVar[frozenset[str]] = frozenset({"organization", "person", "vessel", "aircraft"})

    @classmethod
    def from_fields(cls, fields: Mapping[str, object]) -> Query:
        """The one way a request, a CLI call or a CSV row becomes a Query: blank optional
        values mean "not given", anything not a string is refused, unknown keys are ignored
        (the caller validated its own shape)."""
        values: dict[str, str | None] = {}
        for key in cls.FIELDS:
            value = fields.get(key)
            if value is not None and not isinstance(value, str):
                raise InvalidQueryError(f"{key} must be text")
            values[key] = value if value is None or key == "name" else (value.strip() or None)
        name = values.pop("name")
        if name is None:
            raise InvalidQueryError("name is required")
        return cls(name, **values)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise InvalidQueryError("name must be a string")
        if len(self.name) > MAX_NAME_LENGTH:
            raise InvalidQueryError(
                f"name is {len(self.name)} characters long; the limit is {MAX_NAME_LENGTH}"
            )
        name = " ".join(strip_controls(self.name).split())
        if not name:
            raise InvalidQueryError("name is empty; give the name of the party to screen")
        hidden = sum(1 for ch in self.name if unicodedata.category(ch) == "Cf")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "hidden", hidden)
        if self.kind is not None:
            kind = self.kind.strip().casefold().replace("organisation", "organization")
            if kind not in self.KINDS:
                raise InvalidQueryError(
                    f"kind {self.kind!r} is not one of {', '.join(sorted(self.KINDS))}"
                )
            object.__setattr__(self, "kind", kind)
        if self.country is not None:
            # A code ("CN") or a name as people write it ("China", "Korea, North").
            country = country_code(_clean(self.country, "country"))
            if country is None or not _COUNTRY.match(country):
                raise InvalidQueryError(
                    f"country {self.country!r} is not a country name or an ISO 3166-1 code such "
                    "as 'CN'"
                )
            object.__setattr__(self, "country", country)
        if self.domain is not None:
            cleaned = _clean(self.domain, "domain")
            if hostname_of(cleaned) is None:
                raise InvalidQueryError(f"domain {self.domain!r} is not a host name")
            # None for a mailbox provider or a bare hosting site: they identify nobody.
            object.__setattr__(self, "domain", normalize_host(cleaned))
        if self.address is not None:
            object.__setattr__(self, "address", _clean(self.address, "address") or None)
        if self.identifier is not None:
            identifier = normalize_identifier(_clean(self.identifier, "identifier"))
            if len(identifier) < MIN_IDENTIFIER_LENGTH:
                raise InvalidQueryError(
                    f"identifier {self.identifier!r} is too short to identify anyone"
                )
            object.__setattr__(self, "identifier", identifier)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason for or against a match, with what it did to the score."""

    kind: str
    detail: str
    delta: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "detail": self.detail, "delta": round(self.delta, 4)}


@dataclass(frozen=True, slots=True)
class Match:
    """One listed party that the query may be."""

    party_key: str
    source: str
    sources: tuple[str, ...]
    source_key: str
    source_keys: tuple[str, ...]
    lists: tuple[str, ...]
    programs: tuple[str, ...]
    kind: str
    entity_name: str
    matched_name: str
    matched_name_kind: str
    query_name: str
    score: float
    match_type: str
    evidence: tuple[Evidence, ...]

    @property
    def explanation(self) -> str:
        """One line for a reviewer: which names met, how, and what moved the score."""
        reasons = "; ".join(
            f"{e.detail} ({e.delta:+.2f})" if e.delta else e.detail for e in self.evidence
        )
        listed = (
            repr(self.entity_name)
            if self.matched_name == self.entity_name
            else f"{self.matched_name_kind} name {self.matched_name!r} of {self.entity_name!r}"
        )
        return (
            f"{self.query_name!r} matched {listed} "
            f"[{', '.join(self.lists) or self.source}] as {self.match_type}, "
            f"score {self.score:.2f}: {reasons}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "party_key": self.party_key,
            "source": self.source,
            "sources": list(self.sources),
            "source_key": self.source_key,
            "source_keys": list(self.source_keys),
            # `list`: the list codes as one string ("EL", "CMIC;SDN"), for flat consumers.
            "list": ";".join(self.lists),
            "lists": list(self.lists),
            "programs": list(self.programs),
            "kind": self.kind,
            "entity_name": self.entity_name,
            "matched_name": self.matched_name,
            "matched_name_kind": self.matched_name_kind,
            "query_name": self.query_name,
            "score": round(self.score, 4),
            "match_type": self.match_type,
            "explanation": self.explanation,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class MatchResult:
    """What the index found for one query: matches best first and the list versions used.
    It explains; it does not decide (that is `screening.policy`)."""

    query: Query
    matches: list[Match]
    versions: dict[str, str] = field(default_factory=dict)
    # Set when the name held nothing distinctive (only legal forms or generic words).
    note: str | None = None

    @property
    def score(self) -> float:
        """The best match's score, or 0.0 when nothing matched."""
        return self.matches[0].score if self.matches else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": {
                "name": self.query.name,
                "country": self.query.country,
                "domain": self.query.domain,
                "identifier": self.query.identifier,
                "address": self.query.address,
            },
            "score": round(self.score, 4),
            "matches": [m.to_dict() for m in self.matches],
            "versions": dict(self.versions),
            "note": self.note,
        }
