"""us_ofac_cons: OFAC's Consolidated (non-SDN) list from its legacy CSV files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lists.us_ofac_cons import SOURCE, list_codes
from screening.listings.records import EntityKind, Identifier, ListEntry, Name, NameStrength


def read_dir(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


@pytest.fixture
def entries(fixtures_dir: Path) -> dict[str, ListEntry]:
    result = SOURCE.parse(read_dir(fixtures_dir / "lists" / "us_ofac_cons"))
    assert result.warnings == [
        "CONS_ADD.CSV: 1 rows refer to ent_nums absent from CONS_PRIM.CSV (first 9641); ignored"
    ]
    return {entry.source_key: entry for entry in result.entries}


def test_source_declaration() -> None:
    assert SOURCE.id == "us_ofac_cons"
    assert [f.name for f in SOURCE.files] == [
        "CONS_PRIM.CSV",
        "CONS_ALT.CSV",
        "CONS_ADD.CSV",
        "CONS_COMMENTS.CSV",
    ]
    assert SOURCE.min_records <= 442 <= SOURCE.max_records


def test_list_codes_come_from_the_programmes(entries: dict[str, ListEntry]) -> None:
    assert {key: entry.lists for key, entry in entries.items()} == {
        "9639": ("PLC",),
        "15268": ("CAP",),
        "17016": ("SSI", "MBS"),  # named by an EO 14024 directive
        "17255": ("SSI",),  # RUSSIA-EO14024 only as a second programme tag
        "30882": ("CMIC",),
        "31695": ("MBS",),
        "46072": ("MBS",),
    }


@pytest.mark.parametrize(
    ("programs", "expected"),
    [
        (("FSE-SY",), ("FSE",)),
        (("NS-MBS",), ("MBS",)),
        (("CAPTA",), ("CAP",)),
        (("SDGT", "NS-PLC"), ("PLC",)),
        (("UNKNOWN-PROGRAM",), ()),
    ],
)
def test_list_code_table(programs: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert list_codes(programs, None) == expected


def test_cmic_entry_with_issuer_names(entries: dict[str, ListEntry]) -> None:
    telecom = entries["30882"]
    assert telecom.kind is EntityKind.ORGANIZATION
    assert telecom.party_key == "ofac:30882"
    # "China Telecom Corp Ltd" is already a strong ALT alias; the other equals the primary name.
    assert telecom.aliases == (
        Name("CHINA TELECOM", NameStrength.STRONG, "aka"),
        Name("CHINA TELECOM CORP LTD", NameStrength.STRONG, "aka"),
    )
    assert telecom.identifiers == (
        Identifier("Equity Ticker", "CHA US"),
        Identifier("Equity Ticker", "0728 HK"),
        Identifier("ISIN", "US1694261033"),
        Identifier("ISIN", "CNE1000002V2"),
        Identifier("Target Type", "Public Company"),
        Identifier("Unified Social Credit Code (USCC)", "9111000071093019X7", "CN"),
    )
    assert telecom.addresses[0].postal_code == "100033"


def test_comments_complete_the_remarks(entries: dict[str, ListEntry]) -> None:
    bank = entries["17016"]
    assert Identifier("Registration Number", "1027700167110", "RU") in bank.identifiers
    assert Identifier("Legal Entity Number", "253400WSS48YWMBUA688") in bank.identifiers
    assert bank.websites == ("gazprombank.ru",)


def test_individual_and_weak_alias(entries: dict[str, ListEntry]) -> None:
    assert entries["9639"].kind is EntityKind.PERSON
    assert entries["9639"].name == "HANIYA, Ismail Abdul Salah"
    assert entries["9639"].addresses == ()
    assert Name("MOGE", NameStrength.WEAK, "aka") in entries["46072"].aliases


@pytest.mark.shared_data
def test_real_snapshot(shared_data: Path) -> None:
    result = SOURCE.parse(read_dir(shared_data / "mirror" / "us_ofac_cons"))
    assert len(result.entries) == 442
    assert result.warnings == []
    entries = {entry.source_key: entry for entry in result.entries}
    assert len(entries) == 442
    assert sum(e.kind is EntityKind.PERSON for e in result.entries) == 79
    assert Counter(code for e in result.entries for code in e.lists) == {
        "SSI": 286,
        "PLC": 78,
        "CMIC": 68,
        "MBS": 15,
        "CAP": 1,
    }
    mobile = entries["30923"]
    assert mobile.lists == ("CMIC",)
    assert any(alias.kind == "issuer" for alias in entries["30882"].aliases)
    assert Identifier("ISIN", "US16941M1099") in mobile.identifiers
    assert entries["17014"].websites == ("rshb.ru",)
    assert Name("RUSAG", NameStrength.WEAK, "aka") in entries["17014"].aliases
