"""Listed parties merged across sources, and the secondary evidence they offer.

The same OFAC entity reaches us from the SDN files and from the trade.gov CSL with one party_key;
it is one party with the union of names, lists, countries and domains, so a screen returns it once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from screening.listings.records import EntityKind, ListEntry, NameStrength
from screening.matching.model import Evidence, Query
from screening.names.hosts import host_from_key, normalize_host
from screening.names.identifiers import MIN_IDENTIFIER_LENGTH, normalize_identifier
from screening.names.normalize import words

# Which source names the party when several publish it: the publisher's own list beats a
# republication (the CSL copies OFAC's SDN rows).
SOURCE_PRIORITY: Final = (
    "us_ofac_sdn",
    "us_ofac_cons",
    "un_sc_sanctions",
    "eu_fsf",
    "gb_fcdo_sanctions",
    "us_trade_csl",
)

COUNTRY_MATCH: Final = 0.03
COUNTRY_CONFLICT: Final = -0.05
DOMAIN_MATCH: Final = 0.10
ADDRESS_MATCH: Final = 0.02
IDENTIFIER_MATCH: Final = 0.10
# What each secondary fact adds when it agrees; candidate pruning must allow for it.
BONUS: Final = MappingProxyType(
    {
        "country": COUNTRY_MATCH,
        "domain": DOMAIN_MATCH,
        "address": ADDRESS_MATCH,
        "identifier": IDENTIFIER_MATCH,
    }
)
MAX_BONUS: Final = sum(BONUS.values())


def max_bonus(query: Query) -> float:
    """The most the query's secondary facts can add to a score (the facts it has)."""
    return sum(value for key, value in BONUS.items() if getattr(query, key))


@dataclass(frozen=True, slots=True)
class Party:
    key: str
    name: str
    kind: EntityKind
    sources: tuple[str, ...]
    source_keys: tuple[str, ...]
    lists: tuple[str, ...]
    programs: tuple[str, ...]
    countries: frozenset[str]
    domains: frozenset[str]
    address_words: frozenset[str]
    identifiers: frozenset[str]


@dataclass(frozen=True, slots=True)
class PartyName:
    value: str
    kind: str  # primary, aka, fka, issuer, original_script, ...
    strength: NameStrength


def _priority(entry: ListEntry) -> int:
    try:
        return SOURCE_PRIORITY.index(entry.source)
    except ValueError:
        return len(SOURCE_PRIORITY)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def merge_party(entries: list[ListEntry]) -> tuple[Party, list[PartyName]]:
    """One party from all entries that share a key; names keep their strongest reading."""
    ordered = sorted(entries, key=_priority)
    first = ordered[0]
    names: dict[str, PartyName] = {}
    for entry in ordered:
        for name in entry.all_names():
            value = name.value.strip()
            if not value:
                continue
            seen = names.get(value.casefold())
            # A name published as strong anywhere is strong: one source's caution does not
            # weaken another's listing.
            if seen is None or (
                seen.strength is NameStrength.WEAK and name.strength is NameStrength.STRONG
            ):
                names[value.casefold()] = PartyName(value, name.kind, name.strength)
    kind = next((e.kind for e in ordered if e.kind is not EntityKind.UNKNOWN), first.kind)
    party = Party(
        key=first.key,
        name=first.name,
        kind=kind,
        sources=_unique(e.source for e in ordered),
        source_keys=_unique(e.source_key for e in ordered),
        lists=_unique(x for e in ordered for x in e.lists),
        programs=_unique(x for e in ordered for x in e.programs),
        countries=frozenset(
            [c.upper() for e in ordered for c in e.countries]
            + [a.country for e in ordered for a in e.addresses if a.country]
        ),
        # Mailbox providers and bare hosting sites identify nobody: parse_host drops them.
        domains=frozenset(
            host
            for e in ordered
            for d in (*e.websites, *e.email_domains)
            if d and (host := normalize_host(d)) is not None
        ),
        identifiers=frozenset(
            value
            for e in ordered
            for i in e.identifiers
            if len(value := normalize_identifier(i.value)) >= MIN_IDENTIFIER_LENGTH
        ),
        address_words=frozenset(
            w
            for e in ordered
            for a in e.addresses
            for w in words(" ".join(x for x in (a.full, a.city or "", a.state or "") if x))
            if len(w) > 3 and not w.isdigit()
        ),
    )
    return party, list(names.values())


def secondary_evidence(query: Query, party: Party, *, contained: bool = False) -> list[Evidence]:
    """Country, domain and address agreement or conflict between the query and the party.

    `contained`: the listed name sits inside a longer query name with places or business words
    added, the way a group's foreign operators are named ("Rosneft Trading Singapore"). Such an
    affiliate is elsewhere than its group's list says by what it is, so another country is shown
    but is no conflict: it neither lowers the score nor, in the policy, raises the review bar."""
    out: list[Evidence] = []
    if query.country and party.countries:
        if query.country in party.countries:
            out.append(Evidence("country_match", f"country {query.country} agrees", COUNTRY_MATCH))
        else:
            listed = ", ".join(sorted(party.countries))
            differs = f"country {query.country} differs from listed {listed}"
            if contained:
                elsewhere = f"{differs}: expected of an affiliate abroad"
                out.append(Evidence("country_elsewhere", elsewhere))
            else:
                out.append(Evidence("country_conflict", differs, COUNTRY_CONFLICT))
    if query.domain and party.domains:
        screened = host_from_key(query.domain)
        hit = next((d for d in party.domains if screened.meets(host_from_key(d))), None)
        if hit:
            out.append(Evidence("domain_match", f"domain {query.domain} is listed", DOMAIN_MATCH))
        else:
            out.append(Evidence("domain_differs", f"domain {query.domain} is not a listed one"))
    if query.identifier and query.identifier in party.identifiers:
        out.append(
            Evidence(
                "identifier_match", f"identifier {query.identifier} is listed", IDENTIFIER_MATCH
            )
        )
    if query.address and party.address_words:
        shared = sorted({w for w in words(query.address) if len(w) > 3} & party.address_words)
        if shared:
            out.append(
                Evidence("address_match", "address shares " + ", ".join(shared[:5]), ADDRESS_MATCH)
            )
    return out
