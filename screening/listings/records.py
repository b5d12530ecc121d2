"""The common record every list parser yields: one `ListEntry` per listed party.

Records are frozen dataclasses (cheap, hashable, no validation cost on the hot path); they are
serialised to plain JSON for storage with `to_dict` / `from_dict`, and `fingerprint()` gives a
stable content hash so that two snapshots of a list can be diffed party by party.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class EntityKind(StrEnum):
    ORGANIZATION = "organization"
    PERSON = "person"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    # Entity List entries that name only an address ("Address 1", ...): screened by address.
    ADDRESS = "address"
    UNKNOWN = "unknown"


class NameStrength(StrEnum):
    # OFAC and the UN both grade aliases: a "weak" (low-quality) a.k.a. is too broad to block on
    # its own, so matchers cap what it can contribute instead of dropping it.
    STRONG = "strong"
    WEAK = "weak"


@dataclass(frozen=True, slots=True)
class Name:
    value: str
    strength: NameStrength = NameStrength.STRONG
    # aka, fka, nka, issuer (OFAC "Issuer Name"), original_script, affiliated, ...
    kind: str = "aka"
    # ISO 15924 script code ("Latn", "Hani", "Cyrl", "Arab") where the source tells us.
    script: str | None = None
    # False for a name that only a curated list's unchecked note gives: it may send a screen
    # to review, never deny it on its own.
    verified: bool = True


@dataclass(frozen=True, slots=True)
class Address:
    full: str = ""
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    # ISO 3166-1 alpha-2, upper case; None where the source gave no (recognisable) country.
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Identifier:
    type: str
    value: str
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    """A tie to another party that a list states: a parent, an owner, an operator.

    Curated lists carry their own evidence per tie (`source`, `verified`); government lists give
    ties in prose ("Linked To:"), which parsers may turn into relations with no percentage.
    """

    kind: str  # parent | owner | subsidiary | operator | affiliate
    name: str
    percent: float | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 of the related party's headquarters
    source: str | None = None
    verified: bool = True
    as_of: str | None = None  # ISO date the tie was true on


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One listed party as published by one source."""

    source: str  # source id, e.g. "us_ofac_sdn"
    source_key: str  # the list's own identifier: OFAC ent_num, CSL _id, UN reference number
    kind: EntityKind
    name: str
    # List / programme codes: CSL "EL", "SDN"; OFAC programmes like "CMIC-EO13959".
    lists: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    aliases: tuple[Name, ...] = ()
    addresses: tuple[Address, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    # Countries tied to the party other than by address: nationality, citizenship, incorporation.
    countries: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()
    email_domains: tuple[str, ...] = ()
    listed_on: str | None = None  # ISO date
    source_urls: tuple[str, ...] = ()
    federal_register: tuple[str, ...] = ()
    license_requirement: str | None = None
    license_policy: str | None = None
    remarks: str | None = None
    # A key shared by every source that republishes the same party, so that an OFAC entity reached
    # through the CSL and through the SDN files is one party: "ofac:<ent_num>". None = unshared.
    party_key: str | None = None
    # Where the party is headquartered (ISO 3166-1 alpha-2), where a list says so.
    headquarters: str | None = None
    relations: tuple[Relation, ...] = ()
    # Facts a curated list could not check, as "field:value" ("website:example.cn",
    # "headquarters:CN"): evidence for review, never a ground for deny on their own.
    unverified: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Identity of the party across sources."""
        return self.party_key or f"{self.source}:{self.source_key}"

    def all_names(self) -> tuple[Name, ...]:
        return (Name(self.name, NameStrength.STRONG, "primary"), *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListEntry:
        d = dict(data)
        d["kind"] = EntityKind(d["kind"])
        d["aliases"] = tuple(
            Name(
                a["value"],
                NameStrength(a["strength"]),
                a["kind"],
                a.get("script"),
                a.get("verified", True),
            )
            for a in d.get("aliases", ())
        )
        d["relations"] = tuple(Relation(**r) for r in d.get("relations", ()))
        d["addresses"] = tuple(Address(**a) for a in d.get("addresses", ()))
        d["identifiers"] = tuple(Identifier(**i) for i in d.get("identifiers", ()))
        for name in (
            "lists",
            "programs",
            "countries",
            "websites",
            "email_domains",
            "source_urls",
            "federal_register",
            "unverified",
        ):
            d[name] = tuple(d.get(name, ()))
        d["extra"] = dict(d.get("extra") or {})
        return cls(**d)

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON form: equal fingerprints mean an unchanged party."""
        blob = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()
