"""The strict loader of `cloud_networks.json`: networks (ASNs and address ranges) of restricted
companies' clouds -> a `NetworkTable` for the linking core.

The file is refused as a whole, naming the place, for an unknown key, a private or reserved ASN,
a range that is not a network address (`47.74.1.0/15`) or is not public, a range or ASN listed
twice (or under two companies), or a fact without an http(s) source page.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from lists.curated import DATA_DIR
from lists.curated import fields as f
from screening.errors import ListParseError
from screening.linking.networks import CloudNetwork, Network, NetworkTable

FILE_NAME = "cloud_networks.json"
FORMAT = 1
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NETWORK = ("key", "provider", "company", "country", "asns", "prefixes")


def load_file(path: str | None = None) -> NetworkTable:
    target = DATA_DIR / FILE_NAME if path is None else path
    with open(target, "rb") as handle:
        return load(handle.read())


def load(raw: bytes) -> NetworkTable:
    try:
        return _document(f.decode(raw))
    except f.Problem as exc:
        raise ListParseError(f"{FILE_NAME}: {exc}", source="cloud_networks") from None


def _document(data: Any) -> NetworkTable:
    top = f.fields(
        data, "top level", required=("format", "title", "as_of", "networks"), optional=("notes",)
    )
    if top["format"] != FORMAT or isinstance(top["format"], bool):
        f.fail("top level format", f"{top['format']!r} is not a known format (expected 1)")
    f.text(top["title"], "top level title")
    f.iso_date(top["as_of"], "top level as_of")
    for i, note in enumerate(f.array(top.get("notes", []), "top level notes")):
        f.text(note, f"top level notes[{i}]")
    networks: list[CloudNetwork] = []
    keys: set[str] = set()
    asn_owner: dict[int, str] = {}
    prefix_owner: list[tuple[Network, str]] = []
    for i, item in enumerate(f.array(top["networks"], "top level networks")):
        network = _network(item, f"networks[{i}]")
        if network.key in keys:
            f.fail(f"network {network.key!r}", "the key is used by an earlier network too")
        keys.add(network.key)
        for asn in network.asns:
            if asn in asn_owner:
                f.fail(f"network {network.key!r} asns", f"AS{asn} is {asn_owner[asn]}'s already")
            asn_owner[asn] = network.key
        for prefix in network.prefixes:
            for held, owner in prefix_owner:
                if prefix.version == held.version and prefix.overlaps(held):
                    f.fail(
                        f"network {network.key!r} prefixes", f"{prefix} overlaps {owner}'s {held}"
                    )
            prefix_owner.append((prefix, network.key))
        networks.append(network)
    return NetworkTable(networks)


def _evidence(item: dict[str, Any], where: str) -> tuple[str, bool]:
    return f.url(item["source"], f"{where} source"), f.boolean(
        item["verified"], f"{where} verified"
    )


def _network(data: Any, where: str) -> CloudNetwork:
    obj = f.fields(data, where, required=_NETWORK)
    key = f.pattern(obj["key"], f"{where} key", _KEY, "a key (lower-case-words)")
    at = f"network {key!r}"
    f.country(obj["country"], f"{at} country")
    sources: list[str] = []
    verified: list[bool] = []
    asns: list[int] = []
    for i, item in enumerate(f.array(obj["asns"], f"{at} asns")):
        spot = f"{at} asns[{i}]"
        fact = f.fields(item, spot, required=("asn", "holder", "source", "verified"))
        number = fact["asn"]
        if isinstance(number, bool) or not isinstance(number, int):
            f.fail(f"{spot} asn", f"expected a whole number, got {f.kind_of(number)}")
        private = 64512 <= number <= 65534 or 4_200_000_000 <= number <= 4_294_967_294
        if number <= 0 or number in (23456, 65535) or number >= 4_294_967_295 or private:
            f.fail(f"{spot} asn", f"{number} is reserved or private, not a network's")
        if number in asns:
            f.fail(f"{spot} asn", f"AS{number} is listed twice")
        f.text(fact["holder"], f"{spot} holder")
        source, checked = _evidence(fact, spot)
        asns.append(number)
        sources.append(source)
        verified.append(checked)
    prefixes: list[Network] = []
    for i, item in enumerate(f.array(obj["prefixes"], f"{at} prefixes")):
        spot = f"{at} prefixes[{i}]"
        fact = f.fields(item, spot, required=("prefix", "source", "verified"))
        raw = f.text(fact["prefix"], f"{spot} prefix")
        try:
            prefix = ipaddress.ip_network(raw, strict=True)
        except ValueError as exc:
            f.fail(f"{spot} prefix", f"{raw!r} is not a network address: {exc}")
        if not prefix.is_global:
            f.fail(f"{spot} prefix", f"{raw} is not a public range")
        source, checked = _evidence(fact, spot)
        prefixes.append(prefix)
        sources.append(source)
        verified.append(checked)
    if not asns and not prefixes:
        f.fail(at, "lists neither an ASN nor a range")
    return CloudNetwork(
        key=key,
        provider=f.text(obj["provider"], f"{at} provider"),
        company=f.text(obj["company"], f"{at} company"),
        asns=tuple(asns),
        prefixes=tuple(prefixes),
        sources=tuple(dict.fromkeys(sources)),
        verified=all(verified),
    )
