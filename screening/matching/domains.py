"""Listed parties by the domains of their websites and e-mail addresses.

The name index answers "who is called this?"; this one answers "whose domain is this?". Both are
built from the same active entries and swapped together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from screening.listings.records import ListEntry
from screening.names.domains import Domain, domain_of
from screening.priority import FOREGROUND


@dataclass(frozen=True, slots=True)
class DomainHit:
    """A listed party whose website or e-mail domain is the screened one's."""

    party_key: str
    source: str
    source_key: str
    entity_name: str
    lists: tuple[str, ...]
    listed: str  # the listed website or e-mail domain, as the list gives it
    registrable: str
    screened: str  # the screened host
    role: str  # website | email (of the screened value)
    verified: bool


class DomainIndex:
    def __init__(self, entries: Iterable[ListEntry]) -> None:
        by_unit: defaultdict[str, list[tuple[ListEntry, str, bool]]] = defaultdict(list)
        # Built in the service process during a rebuild: steps aside for requests in flight.
        for entry in FOREGROUND.courteous(entries, 64):
            unverified = set(entry.unverified)
            for field, values in (("website", entry.websites), ("email", entry.email_domains)):
                for value in values:
                    # A listed e-mail domain is read as a website host: the list says the
                    # party owns it (a listed mailbox provider is dropped by domain_of).
                    found = domain_of(value, "website" if field == "website" else "email")
                    if found is None:
                        continue
                    verified = f"{field}:{value}" not in unverified and (
                        f"email_domain:{value}" not in unverified
                    )
                    by_unit[found.registrable].append((entry, value, verified))
        self._by_unit = dict(by_unit)

    def __len__(self) -> int:
        return len(self._by_unit)

    def lookup(self, domain: Domain) -> list[DomainHit]:
        """Parties whose listed domain is the screened domain's registrable one (which also
        covers every subdomain of it, and nothing that merely ends with the same letters)."""
        return [
            DomainHit(
                party_key=entry.key,
                source=entry.source,
                source_key=entry.source_key,
                entity_name=entry.name,
                lists=entry.lists,
                listed=listed,
                registrable=domain.registrable,
                screened=domain.host,
                role=domain.role,
                verified=verified,
            )
            for entry, listed, verified in self._by_unit.get(domain.registrable, ())
        ]
