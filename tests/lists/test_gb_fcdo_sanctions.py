"""UK Sanctions List parser: the fixture is a small file in the published CSV layout."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from lists import get_source
from lists.gb_fcdo_sanctions import FILE, SOURCE, parse
from screening.errors import ListParseError
from screening.listings.records import Address, EntityKind, Identifier, ListEntry, NameStrength

HEADER = [
    "Last Updated", "Unique ID", "OFSI Group ID", "UN Reference Number", "Name 6", "Name 1",
    "Name 2", "Name 3", "Name 4", "Name 5", "Name type", "Alias strength", "Title",
    "Name non-latin script", "Non-latin script type", "Non-latin script language", "Regime Name",
    "Designation Type", "Designation source", "Sanctions Imposed", "Other Information",
    "UK Statement of Reasons", "Address Line 1", "Address Line 2", "Address Line 3",
    "Address Line 4", "Address Line 5", "Address Line 6", "Address Postal Code", "Address Country",
    "Phone number", "Website", "Email address", "Date Designated", "D.O.B", "Nationality(/ies)",
]  # fmt: skip


def _csv(
    *rows: dict[str, str], header: list[str] = HEADER, preamble: str = "Report Date: x"
) -> bytes:
    out = io.StringIO()
    out.write(preamble + "\r\n")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode("utf-8")


def _row(uid: str, name: str, name_type: str = "Primary Name", **cells: str) -> dict[str, str]:
    return {"Unique ID": uid, "Name 6": name, "Name type": name_type, **cells}


@pytest.fixture
def entries(fixtures_dir: Path) -> dict[str, ListEntry]:
    raw = (fixtures_dir / "lists" / "gb_fcdo_sanctions" / "UK-Sanctions-List.csv").read_bytes()
    result = parse({FILE.name: raw})
    assert result.warnings == []
    return {entry.source_key: entry for entry in result.entries}


def test_source_declaration() -> None:
    assert get_source("gb_fcdo_sanctions") is SOURCE
    assert FILE.name == "UK-Sanctions-List.csv"
    assert (SOURCE.min_records, SOURCE.max_records) == (1_000, 100_000)


def test_rows_are_grouped_by_unique_id(entries: dict[str, ListEntry]) -> None:
    assert list(entries) == ["AFG0006", "RUS0254", "DPR0240", "IRN0134", "GHR0064"]
    kinds = {key: entry.kind for key, entry in entries.items()}
    assert kinds["AFG0006"] is EntityKind.PERSON
    assert kinds["RUS0254"] is EntityKind.ORGANIZATION
    assert kinds["DPR0240"] is EntityKind.VESSEL
    assert all(e.lists == ("UK",) for e in entries.values())


def test_person_names_strengths_and_details(entries: dict[str, ListEntry]) -> None:
    person = entries["AFG0006"]
    # Forenames (Name 1..5) before the surname (Name 6).
    assert person.name == "MOHAMMAD HASSAN AKHUND"
    aliases = {a.value: a for a in person.aliases}
    assert aliases["MOHAMMAD HASSAN AKHOND"].kind == "variant"
    assert aliases["HASSAN AKHUND"].strength is NameStrength.STRONG
    assert aliases["MULLAH HASSAN"].strength is NameStrength.WEAK
    original = aliases["محمد حسن آخوند"]
    assert (original.kind, original.script) == ("original_script", "Arab")
    assert person.programs == ("The Afghanistan (Sanctions) (EU Exit) Regulations 2020",)
    assert person.countries == ("AF",)
    assert person.listed_on == "2001-01-25"
    assert person.extra["birth_dates"] == "1958"  # "dd/mm/1958": day and month unknown
    assert person.extra["un_reference_number"] == "TAi.002"
    assert person.extra["title"] == "Mullah"
    assert person.remarks == (
        "Taliban member. Chairman of the Council of Ministers under the Taliban regime."
    )


def test_entity_collects_addresses_and_ids_from_every_row(entries: dict[str, ListEntry]) -> None:
    org = entries["RUS0254"]
    assert org.name == "JOINT STOCK COMPANY KALASHNIKOV CONCERN"
    assert [a.value for a in org.aliases] == [
        "АО «Концерн Калашников»",
        "KALASHNIKOV CONCERN",
        "JSC CONCERN KALASHNIKOV",
    ]
    assert org.aliases[0].script == "Cyrl"
    # The Izhevsk address is repeated on two rows: kept once.
    assert org.addresses == (
        Address(
            full="Derzhavina Street 3, Izhevsk, Udmurt Republic, 426006, Russia",
            postal_code="426006",
            country="RU",
        ),
        Address(
            full="Bolshaya Tatarskaya Street 35, Building 5, Moscow, 115184, Russia",
            postal_code="115184",
            country="RU",
        ),
    )
    assert org.identifiers == (
        Identifier("Registration Number", "1111832003018"),
        Identifier("Registration Number", "1832090230"),
    )
    assert org.websites == ("www.kalashnikovgroup.ru",)
    assert org.email_domains == ("kalashnikovconcern.ru",)
    assert org.extra["statement_of_reasons"].startswith("Kalashnikov Concern is")


def test_ship_imo_and_flag(entries: dict[str, ListEntry]) -> None:
    ship = entries["DPR0240"]
    assert ship.identifiers == (Identifier("IMO", "8660313"),)
    assert ship.countries == ("KP",)


def test_numbered_contacts_low_quality_alias_and_chinese_name(
    entries: dict[str, ListEntry],
) -> None:
    irgc = entries["IRN0134"]
    assert irgc.websites == ("www.sepahnews.com", "www.irgc.ir")
    assert irgc.email_domains == ("sepahnews.com", "irgc.ir")
    assert {a.value for a in irgc.aliases if a.strength is NameStrength.WEAK} == {"IRGC"}
    assert irgc.aliases[0].script == "Arab"
    bureau = entries["GHR0064"]
    assert ("新疆生产建设兵团公安局", "Hani") in {(a.value, a.script) for a in bureau.aliases}
    assert bureau.addresses[0].country == "CN"


def test_blank_name_type_row_is_taken_as_primary_with_warning() -> None:
    raw = _csv(
        _row("CYB0001", "EXAMPLE GROUP", "", **{"Designation Type": "Entity"}),
        _row("CYB0001", "EXAMPLE", "Alias", **{"Designation Type": "Entity"}),
    )
    result = parse({FILE.name: raw})
    assert [(e.name, [a.value for a in e.aliases]) for e in result.entries] == [
        ("EXAMPLE GROUP", ["EXAMPLE"])
    ]
    assert result.warnings == ["CYB0001: no 'Primary Name' row; line 3 used"]


def test_rows_without_id_or_name_and_unknown_types_are_reported() -> None:
    raw = _csv(
        _row("", "ORPHAN", **{"Designation Type": "Entity"}),
        _row("CYB0002", "", **{"Designation Type": "Entity"}),
        _row("CYB0003", "SOMETHING", **{"Designation Type": "Aircraft"}),
    )
    result = parse({FILE.name: raw})
    assert [(e.source_key, e.kind) for e in result.entries] == [("CYB0003", EntityKind.UNKNOWN)]
    assert len(result.warnings) == 3


def test_columns_are_matched_by_name_including_the_older_type_column() -> None:
    header = ["Unique ID", "Name type", "Name 1", "Name 6", "Individual, Entity, Ship", "Regime"]
    raw = _csv(
        {"Unique ID": "RUS0001", "Name type": "Primary Name", "Name 1": "Ivan", "Name 6": "PETROV"}
        | {"Individual, Entity, Ship": "Individual", "Regime": "Russia"},
        header=header,
    )
    (entry,) = parse({FILE.name: raw}).entries
    assert (entry.name, entry.kind, entry.programs) == (
        "Ivan PETROV",
        EntityKind.PERSON,
        ("Russia",),
    )


def test_byte_order_mark_and_no_preamble_are_accepted() -> None:
    body = _csv(_row("CYB0004", "ACME", **{"Designation Type": "Entity"}))
    without_preamble = b"\xef\xbb\xbf" + body.split(b"\r\n", 1)[1]
    (entry,) = parse({FILE.name: without_preamble}).entries
    assert entry.name == "ACME"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<!DOCTYPE html>\n<html><body>Service unavailable</body></html>", "HTML page"),
        (b"Report Date: x\r\nfoo,bar\r\n1,2\r\n", "no header row"),
        (b"", "no header row"),
        (b"Unique ID,Name 6\r\nRUS0001,X\r\n", "lacks columns: name type, designation type"),
        (b"\xff\xfeU\x00n\x00", "not UTF-8"),
    ],
)
def test_bad_input_raises_list_parse_error(raw: bytes, message: str) -> None:
    with pytest.raises(ListParseError, match=message) as caught:
        parse({FILE.name: raw})
    assert caught.value.source == "gb_fcdo_sanctions"


def test_truncated_download_raises() -> None:
    whole = _csv(
        _row("CYB0005", "FIRST", **{"Designation Type": "Entity", "Other Information": "a, b"}),
        _row("CYB0006", "SECOND", **{"Designation Type": "Entity", "Other Information": "c, d"}),
    )
    unterminated_quote = whole[: whole.rindex(b"c, d") + 2]
    with pytest.raises(ListParseError, match="truncated"):
        parse({FILE.name: unterminated_quote})
    short_last_row = whole[: whole.rindex(b"SECOND") + 6]
    with pytest.raises(ListParseError, match="truncated"):
        parse({FILE.name: short_last_row})
    assert len(parse({FILE.name: whole}).entries) == 2


def test_missing_file_raises() -> None:
    with pytest.raises(ListParseError, match="not fetched"):
        parse({})
