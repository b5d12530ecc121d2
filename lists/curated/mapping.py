"""Curated entries -> `ListEntry` records: the same mapping for every curated source.

Verification travels with each fact: an alias keeps its own flag (`Name.verified`), a relation its
own (`Relation.verified`), and every other unchecked fact is named in `ListEntry.unverified` as
"field:value", so the matcher and the policy can use it for review and never for deny alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lists.curated.model import CuratedDocument, CuratedEntry, ListingFact, NameFact
from screening.listings.records import (
    Address,
    EntityKind,
    Identifier,
    ListEntry,
    Name,
    NameStrength,
    Relation,
)
from screening.names.scripts import detect_script

# An acronym of up to five capitals ("BYD", "SMIC", "CNCEC") names too many unrelated firms to
# identify anyone alone: weak, as OFAC grades such aliases (and OpenSanctions reads the 1260H
# list's short names). A file can say otherwise per alias with "strength".
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]{0,4}")


def to_list_entry(
    entry: CuratedEntry, document: CuratedDocument, *, source: str, listed_on: str | None = None
) -> ListEntry:
    return ListEntry(
        source=source,
        source_key=entry.key,
        kind=EntityKind(entry.kind),
        name=entry.name.value,
        lists=(document.list_code,),
        programs=_unique(x.list for x in entry.listings if x.status == "listed"),
        aliases=tuple(_name(alias) for alias in entry.aliases),
        addresses=tuple(Address(a.full, city=a.city, country=a.country) for a in entry.addresses),
        identifiers=tuple(Identifier(i.type, i.value, i.country) for i in entry.identifiers),
        countries=tuple(c.value for c in entry.countries),
        websites=tuple(w.value for w in entry.websites),
        email_domains=tuple(e.value for e in entry.email_domains),
        listed_on=listed_on,
        source_urls=_links(entry, document),
        federal_register=_unique(c for x in entry.listings for c in x.federal_register),
        remarks=_remarks(entry, document),
        headquarters=entry.headquarters.country if entry.headquarters else None,
        relations=tuple(
            Relation(
                kind=r.kind,
                name=r.name,
                percent=r.percent,
                country=r.country,
                source="; ".join(document.sources[k].citation() for k in r.sources),
                verified=r.verified,
                as_of=r.as_of,
            )
            for r in entry.relations
        ),
        unverified=_unverified(entry),
        extra=_extra(entry),
    )


def _name(fact: NameFact) -> Name:
    weak = fact.weak if fact.weak is not None else bool(_ACRONYM.fullmatch(fact.value))
    script = detect_script(fact.value)
    return Name(
        fact.value,
        NameStrength.WEAK if weak else NameStrength.STRONG,
        fact.kind,
        # Latin is the default every other parser leaves unsaid.
        script if script != "Latn" else None,
        fact.verified,
    )


def _unverified(entry: CuratedEntry) -> tuple[str, ...]:
    out: list[str] = []
    if not entry.name.verified:
        out.append(f"name:{entry.name.value}")
    out += [f"country:{c.value}" for c in entry.countries if not c.verified]
    hq = entry.headquarters
    if hq is not None and not hq.verified:
        out.append(f"headquarters:{hq.country}")
    out += [f"address:{a.full}" for a in entry.addresses if not a.verified]
    out += [f"identifier:{i.type}:{i.value}" for i in entry.identifiers if not i.verified]
    out += [f"website:{w.value}" for w in entry.websites if not w.verified]
    out += [f"email_domain:{e.value}" for e in entry.email_domains if not e.verified]
    out += [f"listing:{x.list}:{x.status}" for x in entry.listings if not x.verified]
    return tuple(out)


def _links(entry: CuratedEntry, document: CuratedDocument) -> tuple[str, ...]:
    """The links of every checked source the entry cites, in the order first cited."""
    cited = [
        *entry.name.sources,
        *(k for a in entry.aliases for k in a.sources),
        *(k for c in entry.countries for k in c.sources),
        *(entry.headquarters.sources if entry.headquarters else ()),
        *(k for a in entry.addresses for k in a.sources),
        *(k for i in entry.identifiers for k in i.sources),
        *(k for w in (*entry.websites, *entry.email_domains) for k in w.sources),
        *(k for r in entry.relations for k in r.sources),
        *(k for x in entry.listings for k in x.sources),
        *entry.reports,
    ]
    sources = [document.sources[key] for key in dict.fromkeys(cited)]
    return _unique(link for s in sources if not s.unchecked for link in s.links())


def _remarks(entry: CuratedEntry, document: CuratedDocument) -> str | None:
    """One line: why the party is here, with the lists and report keys behind it."""
    parts = [entry.note] if entry.note else []
    if entry.listings:
        parts.append("Lists: " + "; ".join(_listing(x) for x in entry.listings))
    elif document.lists:
        # A file that records listings says so when it found none.
        parts.append("Lists: none found")
    if entry.reports:
        keys = [
            k + (" (unverified)" if document.sources[k].unchecked else "") for k in entry.reports
        ]
        parts.append("Reports: " + ", ".join(keys))
    if document.remarks:
        parts.append(document.remarks)
    return " ".join(p if p.endswith(".") else f"{p}." for p in parts) or None


def _listing(fact: ListingFact) -> str:
    text = fact.list
    if fact.name:
        text += f" as {fact.name!r}"
    if fact.status == "withheld":
        return f"{text} addition held back (reported {fact.reported})"
    if fact.status == "removed":
        span = f"{fact.since} to {fact.until}" if fact.since else f"until {fact.until}"
        return f"{text} {span} (removed)"
    if fact.since:
        text += f" since {fact.since}"
    if fact.effective:
        text += f" (effective {fact.effective})"
    if fact.federal_register:
        text += f" ({'; '.join(fact.federal_register)})"
    return text


def _extra(entry: CuratedEntry) -> dict[str, str]:
    """Notes the record has no field for, keyed by what they qualify."""
    extra: dict[str, str] = {}
    if entry.headquarters and entry.headquarters.city:
        extra["headquarters_city"] = entry.headquarters.city
    for name in (entry.name, *entry.aliases):
        if name.note:
            extra[f"name:{name.value}"] = name.note
    for relation in entry.relations:
        notes = [n for n in (relation.percent_note, relation.note) if n]
        if notes:
            extra[f"relation:{relation.kind}:{relation.name}"] = "; ".join(notes)
    for listing in entry.listings:
        if listing.note:
            extra[f"listing:{listing.list}:{listing.status}"] = listing.note
    return extra


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
