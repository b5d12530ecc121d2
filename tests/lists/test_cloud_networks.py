"""The curated cloud networks file loads, and a bad one is refused whole, naming the place."""

from __future__ import annotations

import copy
import ipaddress
import json
from typing import Any

import pytest

from lists.curated import DATA_DIR
from lists.curated.cloud_networks import FILE_NAME, load, load_file
from screening.errors import ListParseError

SHIPPED: dict[str, Any] = json.loads((DATA_DIR / FILE_NAME).read_text("utf-8"))


def test_the_shipped_file_loads_and_claims_nothing_verified() -> None:
    table = load_file()
    assert {n.company for n in table.networks} >= {"Alibaba Group", "Tencent Holdings", "Baidu"}
    assert not any(n.verified for n in table.networks)
    found = table.by_address(ipaddress.ip_address("180.76.3.4"))
    assert found is not None
    assert found.key == "baidu-ai-cloud"
    assert table.by_address(ipaddress.ip_address("8.8.8.8")) is None
    for network in table.networks:
        assert network.sources
        assert all(s.startswith("https://") for s in network.sources)


def _broken(change: Any) -> bytes:
    doc = copy.deepcopy(SHIPPED)
    change(doc)
    return json.dumps(doc).encode()


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def change(doc: Any) -> None:
        for key in path[:-1]:
            doc = doc[key]
        doc[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set(("networks", 0, "asns", 0, "asn"), 64512), "reserved or private"),
        (_set(("networks", 0, "prefixes", 0, "prefix"), "8.208.1.0/12"), "not a network address"),
        (_set(("networks", 0, "prefixes", 0, "prefix"), "10.0.0.0/8"), "not a public range"),
        (_set(("networks", 0, "prefixes", 0, "source"), "bgp.he.net"), "not an http(s) URL"),
        (_set(("networks", 0, "asns", 0, "verified"), "no"), "expected true or false"),
        (_set(("networks", 0, "colour"), "red"), "unknown key 'colour'"),
        (_set(("networks", 1, "asns", 0, "asn"), 45102), "AS45102 is alibaba-cloud's already"),
        (_set(("networks", 1, "prefixes", 0, "prefix"), "47.88.0.0/16"), "overlaps alibaba-cloud"),
        (_set(("networks", 1, "key"), "alibaba-cloud"), "used by an earlier network"),
        (_set(("networks", 0, "country"), "China"), "alpha-2"),
    ],
)
def test_a_bad_file_is_refused_naming_the_place(change: Any, message: str) -> None:
    with pytest.raises(ListParseError, match=r"cloud_networks\.json") as raised:
        load(_broken(change))
    assert message in str(raised.value)
