"""The validated content of a curated data file: facts, each with its sources and whether any of
them was checked. `lists.curated.loader` builds these; `lists.curated.mapping` turns them into
`ListEntry` records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

SourceKind = Literal["document", "list", "report"]
ListingStatus = Literal["listed", "removed", "withheld"]


@dataclass(frozen=True, slots=True)
class Repository:
    repository: str  # owner/name on GitHub
    paths: tuple[str, ...] = ()
    commit: str | None = None

    def links(self) -> tuple[str, ...]:
        base = f"https://github.com/{self.repository}"
        if not self.paths:
            return (base,) if self.commit is None else (f"{base}/tree/{self.commit}",)
        # HEAD, not a guessed branch name, where the reference pins no commit.
        ref = self.commit or "HEAD"
        return tuple(f"{base}/blob/{ref}/{quote(path)}" for path in self.paths)


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    title: str
    kind: SourceKind = "document"
    urls: tuple[str, ...] = ()
    repositories: tuple[Repository, ...] = ()
    # Unchecked: the reference marks what rests on it "unverified" (general knowledge, or pages
    # nobody could read). A fact citing only unchecked sources is never verified.
    unchecked: bool = False

    def links(self) -> tuple[str, ...]:
        return self.urls + tuple(link for repo in self.repositories for link in repo.links())

    def citation(self) -> str:
        """How a relation names its evidence: a list by its key, anything else by its links."""
        if self.kind == "list" or not self.links():
            return self.key
        return " ".join(self.links())


@dataclass(frozen=True, slots=True)
class Fact:
    value: str
    sources: tuple[str, ...]
    verified: bool
    note: str | None = None


@dataclass(frozen=True, slots=True)
class NameFact:
    value: str
    kind: str
    weak: bool | None  # None: decided by the acronym convention (lists.curated.mapping)
    sources: tuple[str, ...]
    verified: bool
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PlaceFact:
    """A headquarters (country code, with the city where the reference gives it)."""

    country: str
    city: str | None
    sources: tuple[str, ...]
    verified: bool


@dataclass(frozen=True, slots=True)
class AddressFact:
    full: str
    country: str
    city: str | None
    sources: tuple[str, ...]
    verified: bool


@dataclass(frozen=True, slots=True)
class IdentifierFact:
    type: str
    value: str
    country: str | None
    sources: tuple[str, ...]
    verified: bool


@dataclass(frozen=True, slots=True)
class RelationFact:
    kind: str
    name: str  # the related party; for a tie to another entry of the file, that entry's name
    entry: str | None  # key of that entry
    percent: float | None
    percent_note: str | None
    country: str | None
    as_of: str | None
    sources: tuple[str, ...]
    verified: bool
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ListingFact:
    """What a government list says about the party: listed, removed, or held back."""

    list: str
    status: ListingStatus
    name: str | None  # the name as that list prints it, where it differs
    since: str | None
    effective: str | None
    until: str | None
    reported: str | None
    federal_register: tuple[str, ...]
    sources: tuple[str, ...]
    verified: bool
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CuratedEntry:
    key: str
    kind: str
    name: NameFact
    aliases: tuple[NameFact, ...] = ()
    countries: tuple[Fact, ...] = ()
    headquarters: PlaceFact | None = None
    addresses: tuple[AddressFact, ...] = ()
    identifiers: tuple[IdentifierFact, ...] = ()
    websites: tuple[Fact, ...] = ()
    email_domains: tuple[Fact, ...] = ()
    relations: tuple[RelationFact, ...] = ()
    listings: tuple[ListingFact, ...] = ()
    reports: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class CuratedDocument:
    list_code: str  # the list code every entry carries: "AI_LABS", "1260H"
    title: str
    version: int
    as_of: str
    sources: dict[str, Source]
    lists: dict[str, str]  # list codes a listing may name -> what they are
    remarks: str | None  # appended to every entry's remarks
    entries: tuple[CuratedEntry, ...]
