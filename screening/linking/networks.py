"""Networks of restricted companies' clouds (ranges and ASNs), as a signal source.

The data is curated in `lists/curated/cloud_networks.json` and loaded (validated) by the shell;
the core only receives a `NetworkTable`. An address inside a listed range (or an ASN listed) gives
the account a `cloud` signal naming the company, and the links view shows it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class CloudNetwork:
    key: str
    provider: str  # "Alibaba Cloud"
    company: str  # "Alibaba Group"
    asns: tuple[int, ...]
    prefixes: tuple[Network, ...]
    sources: tuple[str, ...]
    verified: bool

    @property
    def label(self) -> str:
        return f"{self.provider} ({self.company})"


class NetworkTable:
    """Longest-prefix lookup of an address, and lookup by ASN."""

    def __init__(self, networks: Iterable[CloudNetwork] = ()) -> None:
        self.networks = tuple(networks)
        self._by_asn = {asn: n for n in self.networks for asn in n.asns}
        # (prefix length, network, owner), longest first: the first hit is the most specific.
        self._prefixes = sorted(
            ((p.prefixlen, p, n) for n in self.networks for p in n.prefixes),
            key=lambda item: -item[0],
        )

    def by_address(self, address: Address) -> CloudNetwork | None:
        for _, prefix, owner in self._prefixes:
            if prefix.version == address.version and address in prefix:
                return owner
        return None

    def by_asn(self, asn: int) -> CloudNetwork | None:
        return self._by_asn.get(asn)

    def __len__(self) -> int:
        return len(self.networks)
