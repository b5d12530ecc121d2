"""us_ofac_sdn: the SDN list from OFAC's legacy CSV files."""

from __future__ import annotations

from pathlib import Path

import pytest

from lists.us_ofac_sdn import SOURCE
from screening.listings.records import (
    Address,
    EntityKind,
    Identifier,
    ListEntry,
    Name,
    NameStrength,
)
from screening.listings.source import ParseResult


def read_dir(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def by_key(result: ParseResult) -> dict[str, ListEntry]:
    return {entry.source_key: entry for entry in result.entries}


@pytest.fixture
def entries(fixtures_dir: Path) -> dict[str, ListEntry]:
    return by_key(SOURCE.parse(read_dir(fixtures_dir / "lists" / "us_ofac_sdn")))


def test_source_declaration() -> None:
    assert SOURCE.id == "us_ofac_sdn"
    assert [(f.name, f.required) for f in SOURCE.files] == [
        ("SDN.CSV", True),
        ("ALT.CSV", True),
        ("ADD.CSV", True),
        ("SDN_COMMENTS.CSV", False),
    ]
    assert all(
        f.url.startswith(
            "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
        )
        for f in SOURCE.files
    )
    assert SOURCE.min_records < 8_976
    assert SOURCE.max_records > 14_965


def test_one_entry_per_primary_row_and_orphans_warned(fixtures_dir: Path) -> None:
    result = SOURCE.parse(read_dir(fixtures_dir / "lists" / "us_ofac_sdn"))
    assert [e.source_key for e in result.entries] == [
        "306", "4243", "4249", "15431", "7842", "11911", "28263", "36216",
    ]  # fmt: skip
    assert result.warnings == [
        "ALT.CSV: 1 rows refer to ent_nums absent from SDN.CSV (first 99999); ignored"
    ]


def test_common_fields(entries: dict[str, ListEntry]) -> None:
    bank = entries["306"]
    assert bank.source == "us_ofac_sdn"
    assert bank.kind is EntityKind.ORGANIZATION
    assert bank.name == "BANCO NACIONAL DE CUBA"
    assert bank.lists == ("SDN",)
    assert bank.programs == ("CUBA",)
    assert bank.party_key == "ofac:306"
    assert bank.key == "ofac:306"
    assert bank.source_urls == (SOURCE.homepage,)
    assert bank.aliases == (
        Name("NATIONAL BANK OF CUBA", NameStrength.STRONG, "aka"),
        Name("BNC", NameStrength.WEAK, "aka"),
    )
    assert bank.addresses[0] == Address(
        full="Zweierstrasse 35, Zurich CH-8022, Switzerland",
        street="Zweierstrasse 35",
        city="Zurich",
        postal_code="CH-8022",
        country="CH",
    )
    assert [a.city for a in bank.addresses] == ["Zurich", "Tokyo"]
    assert bank.remarks == "a.k.a. 'BNC'."


def test_vessel(entries: dict[str, ListEntry]) -> None:
    ebano = entries["4243"]
    assert ebano.kind is EntityKind.VESSEL
    assert ebano.identifiers == (Identifier("IMO", "7406784"), Identifier("MMSI", "352002185"))
    assert [a.value for a in ebano.aliases] == ["ANA I", "SAND SWAN"]
    assert {a.kind for a in ebano.aliases} == {"fka"}
    assert ebano.extra == {
        "vessel_type": "General Cargo",
        "tonnage": "2595",
        "grt": "1865",
        "vessel_flag": "Panama",
    }
    assert ebano.countries == ("PA",)
    assert ebano.addresses == ()  # the all-empty address row carries nothing
    assert entries["4249"].extra["call_sign"] == "CL2059"
    assert entries["4249"].extra["vessel_owner"] == "Samir de Navegacion S.A."


def test_aircraft(entries: dict[str, ListEntry]) -> None:
    plane = entries["15431"]
    assert plane.kind is EntityKind.AIRCRAFT
    assert Identifier("Aircraft Construction Number", "8401") in plane.identifiers
    assert plane.extra["aircraft_model"] == "IL76-TD"
    assert plane.extra["linked_to"] == "POUYA AIR"


def test_individual(entries: dict[str, ListEntry]) -> None:
    person = entries["7842"]
    assert person.kind is EntityKind.PERSON
    assert person.name == "MZOUDI, Abdelghani"  # as published: SURNAME, Given
    assert person.countries == ("MA",)
    assert person.identifiers[:2] == (
        Identifier("Passport", "M271392", "MA"),
        Identifier("Passport", "F 879567", "MA"),
    )
    assert person.extra["dob"] == "06 Dec 1972"
    assert person.extra["pob"] == "Marrakech, Morocco"


def test_website_email_and_phone(entries: dict[str, ListEntry]) -> None:
    tv = entries["11911"]
    assert tv.websites == ("aqsatv.ps", "aqsa.ps")
    assert tv.email_domains == ("aqsatv.ps",)
    assert Identifier("Phone Number", "0097282851500") in tv.identifiers
    assert Identifier("Fax", "0097282858208") in tv.identifiers


def test_comments_continue_the_remarks_mid_word(entries: dict[str, ListEntry]) -> None:
    tian = entries["28263"]
    assert tian.remarks is not None
    assert tian.remarks.endswith("'snowsjohn'; Linked To: LAZARUS GROUP.")
    assert [a.value for a in tian.aliases] == ["tianyinyin0404", "snowsjohn"]
    assert tian.extra["linked_to"] == "LAZARUS GROUP"
    assert tian.programs == ("DPRK3", "CYBER2")
    assert tian.email_domains == ("qq.com",)
    assert Identifier("Identification Number", "321284198607120616", "CN") in tian.identifiers
    assert tian.addresses[0].city == "Nanjing"
    assert tian.addresses[0].state == "Jiangsu"


def test_semicolon_inside_a_quoted_alias(entries: dict[str, ListEntry]) -> None:
    firm = entries["36216"]
    assert Name("TURISMO; S.A.", NameStrength.WEAK, "aka") in firm.aliases
    assert Identifier("Registration Number", "HRA 738077 (Stuttgart)", "DE") in firm.identifiers
    assert firm.programs == ("SDGT", "IRGC")


def test_lower_case_file_names_are_accepted(fixtures_dir: Path) -> None:
    files = read_dir(fixtures_dir / "lists" / "us_ofac_sdn")
    lower = SOURCE.parse({name.lower(): raw for name, raw in files.items()})
    assert len(lower.entries) == 8


@pytest.mark.shared_data
def test_real_2024_snapshot(shared_data: Path) -> None:
    result = SOURCE.parse(read_dir(shared_data / "mirror" / "us_ofac_sdn"))
    entries = by_key(result)
    assert len(result.entries) == 14_965
    assert len(entries) == 14_965
    assert SOURCE.min_records <= len(result.entries) <= SOURCE.max_records
    assert result.warnings == []
    kinds = [e.kind for e in result.entries]
    assert kinds.count(EntityKind.PERSON) == 6_854
    assert kinds.count(EntityKind.VESSEL) == 851
    assert kinds.count(EntityKind.AIRCRAFT) == 376
    assert Name("BNC", NameStrength.WEAK, "aka") in entries["306"].aliases
    assert entries["306"].lists == ("SDN",)
    tian = entries["28263"]  # Remarks continued in SDN_COMMENTS.CSV
    assert Name("snowsjohn", NameStrength.WEAK, "aka") in tian.aliases
    assert tian.kind is EntityKind.PERSON
    assert tian.countries == ("CN",)
    ebano = entries["4243"]
    assert ebano.kind is EntityKind.VESSEL
    assert Identifier("IMO", "7406784") in ebano.identifiers
    assert entries["10933"].websites == ("ramakdutyfree.net",)
    assert entries["10933"].email_domains == ("net.sy",)


@pytest.mark.shared_data
def test_real_2021_snapshot(shared_data: Path) -> None:
    result = SOURCE.parse(read_dir(shared_data / "mirror-2021" / "us_ofac_sdn"))
    assert len(result.entries) == 8_976
    assert result.warnings == []
    assert sum(e.kind is EntityKind.PERSON for e in result.entries) == 4_620
    # 12300's Remarks overflow into SDN_COMMENTS.CSV, which begins mid-word.
    entry = by_key(result)["12300"]
    assert entry.remarks is not None
    assert "S.A.S.; Linked To: RED MUNDIAL INMOBILIARIA" in entry.remarks
