from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest

from lists.us_trade_csl import FILE_NAME, SOURCE, parse
from screening.errors import ListParseError
from screening.listings.records import EntityKind, Identifier, ListEntry, NameStrength


@pytest.fixture
def fixture_bytes(fixtures_dir: Path) -> bytes:
    return (fixtures_dir / "lists" / "us_trade_csl" / FILE_NAME).read_bytes()


@pytest.fixture
def entries(fixture_bytes: bytes) -> dict[str, ListEntry]:
    return {e.name: e for e in parse({FILE_NAME: fixture_bytes}).entries}


def _rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8"))))


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_source_declaration() -> None:
    assert SOURCE.id == "us_trade_csl"
    assert [f.name for f in SOURCE.files] == [FILE_NAME]
    assert SOURCE.files[0].required
    assert (SOURCE.min_records, SOURCE.max_records) == (2_000, 100_000)


def test_fixture_skips_repeated_header_and_merges_repeated_id(fixture_bytes: bytes) -> None:
    result = parse({FILE_NAME: fixture_bytes})
    assert len(result.entries) == 19
    assert len({e.source_key for e in result.entries}) == 19
    assert any("repeated header" in w for w in result.warnings)
    (bank,) = [e for e in result.entries if e.source_key == "17014"]
    # The sample row (Menu-Based list) and the SSI row are one party listed twice.
    assert bank.lists == ("MBS", "SSI")
    assert bank.party_key == "ofac:17014"
    assert any("17014" in w and "merged" in w for w in result.warnings)


def test_every_source_title_maps_to_its_code(entries: dict[str, ListEntry]) -> None:
    codes = {code for e in entries.values() for code in e.lists}
    assert codes == {
        "MBS",
        "SSI",
        "CMIC",
        "EL",
        "ISN",
        "DPL",
        "DTC",
        "UVL",
        "MEU",
        "SDN",
        "FSE",
        "PLC",
        "CAP",
    }


def test_affiliate_entry_keeps_party_name_and_weak_parent(entries: dict[str, ListEntry]) -> None:
    cloud = entries["Huawei Cloud Beijing"]
    assert cloud.kind is EntityKind.ORGANIZATION
    (parent,) = cloud.aliases
    assert (parent.value, parent.kind, parent.strength) == (
        "Huawei Technologies Co., Ltd.",
        "affiliated",
        NameStrength.WEAK,
    )
    assert cloud.extra["published_name"].startswith("Huawei Cloud Beijing, Affiliated Entity:")
    assert cloud.listed_on == "2020-08-20"
    assert cloud.federal_register == ("85 FR 51603",)
    assert cloud.license_policy == "Presumption of denial."
    assert cloud.party_key is None


def test_address_only_entity_list_entry(entries: dict[str, ListEntry]) -> None:
    address = entries["Address 1"]
    assert address.kind is EntityKind.ADDRESS
    assert address.addresses[0].country == "HK"
    assert "Yue Fung Industrial Building" in address.addresses[0].full


def test_aliases_written_into_the_name_cell(entries: dict[str, ListEntry]) -> None:
    telekom = entries["Gazprom Telekom, OOO"]
    assert [(a.value, a.kind) for a in telekom.aliases] == [
        ("Zakrytoe Aktsionernoe Obshchestvo Gaztelekom", "fka"),
        ("Gazprom Telecom", "aka"),
        # "; and X" in alt_names: the "and" belongs to the list, not to the name.
        ("Obshchestvo S Ogranichennoi Otvetstvennostyu Gazprom Telekom", "aka"),
    ]
    chitron = entries["Chitron Electronics Company Ltd."]
    assert [a.value for a in chitron.aliases] == [
        "Chi-Chung Electronics Company Ltd. (Chitron-Shenzhen)"
    ]


def test_successor_boilerplate_is_not_part_of_the_name(entries: dict[str, ListEntry]) -> None:
    sinobright = entries["Sinobright Import and Export Company"]
    assert sinobright.lists == ("ISN",)
    assert sinobright.programs == ("INKSNA",)
    assert sinobright.kind is EntityKind.ORGANIZATION
    assert "any successor" in sinobright.extra["published_name"]


def test_kind_inference_for_lists_without_type(entries: dict[str, ListEntry]) -> None:
    assert entries["Sergey Koynov"].kind is EntityKind.PERSON
    assert entries["JORGE SANTANA, JR."].kind is EntityKind.PERSON
    assert entries["Cesareo Estanislao Benitez"].kind is EntityKind.PERSON
    assert entries["A & C International Trade, Inc."].kind is EntityKind.ORGANIZATION
    # Unverified List parties are end users even when the name reads like a person's.
    assert entries["Atlas Sanatgaran"].kind is EntityKind.ORGANIZATION


def test_treasury_rows_trust_the_type_column(entries: dict[str, ListEntry]) -> None:
    assert entries["RIM, Ryong Nam"].kind is EntityKind.PERSON
    assert entries["HAVIN BANK LIMITED"].kind is EntityKind.ORGANIZATION
    vessel = entries["ABADEH"]
    assert vessel.kind is EntityKind.VESSEL
    assert vessel.extra["call_sign"] == "9HMW9"
    assert vessel.extra["vessel_flag"] == "Malta"


def test_cmic_issuer_names_become_strong_issuer_aliases(entries: dict[str, ListEntry]) -> None:
    mobile = entries["China Mobile Limited"]
    issuers = [a for a in mobile.aliases if a.kind == "issuer"]
    # "Issuer Name, China Mobile Limited" repeats the primary name and is not kept twice.
    assert [(a.value, a.strength) for a in issuers] == [
        ("China Mobile Hong Kong Co Ltd", NameStrength.STRONG)
    ]
    assert Identifier("ISIN", "HK0941009539") in mobile.identifiers
    assert mobile.extra["Listing Date (CMIC)"] == "2021-06-03"
    assert mobile.party_key == "ofac:30923"


def test_ids_split_into_identifiers_websites_and_email_domains(
    entries: dict[str, ListEntry],
) -> None:
    bank = entries["HAVIN BANK LIMITED"]
    assert bank.identifiers == (
        Identifier("Company Number", "01074897", "GB"),
        Identifier("SWIFT/BIC", "HAVIGB2L"),
    )
    assert bank.websites == ("www.havanaintbank.co.uk",)
    assert bank.email_domains == ("havanaintbank.co.uk",)
    rim = entries["RIM, Ryong Nam"]
    assert rim.identifiers == (Identifier("Passport", "836238033", "KP"),)
    assert rim.countries == ("KP",)
    assert rim.extra["Gender"] == "Male"
    assert rim.extra["dates_of_birth"] == "1978-12-05"
    assert [a.country for a in rim.addresses] == ["CN", "KP"]


def test_citizenship_and_cp1252_repair(entries: dict[str, ListEntry]) -> None:
    assert entries["Evren KAYAKIRAN"].countries == ("TR",)
    # BIS data carries U+0092 where cp1252 meant a right single quote.
    assert "XAIC Tech (Xi\u2019an) Industrial Co., Ltd." in entries


def test_column_order_and_extra_columns_are_tolerated(fixture_bytes: bytes) -> None:
    rows = _rows(fixture_bytes)
    shuffled = [[*reversed(row), "extra"] for row in rows]
    result = parse({FILE_NAME: _csv(shuffled)})
    assert {e.name for e in result.entries} == {
        e.name for e in parse({FILE_NAME: fixture_bytes}).entries
    }


def test_bom_is_stripped(fixture_bytes: bytes) -> None:
    assert len(parse({FILE_NAME: b"\xef\xbb\xbf" + fixture_bytes}).entries) == 19


def test_truncated_last_record_is_refused(fixture_bytes: bytes) -> None:
    # Cut inside a quoted cell of the last record, as a broken download does.
    cut = fixture_bytes[: fixture_bytes.rindex(b"3 Gagarinsky") + 5]
    with pytest.raises(ListParseError, match="truncated") as info:
        parse({FILE_NAME: cut})
    assert info.value.source == "us_trade_csl"


def test_short_row_inside_the_file_is_refused(fixture_bytes: bytes) -> None:
    rows = _rows(fixture_bytes)
    rows[5] = rows[5][:10]
    with pytest.raises(ListParseError, match="row 6 has 10 fields"):
        parse({FILE_NAME: _csv(rows)})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><body>Service Unavailable</body></html>", "not CSV"),
        (b'{"results": [], "total": 0}', "not CSV"),
        (b'"id","name","country"\n"1","ACME","US"\n', "lacks column"),
        (b"\xff\xfe_\x00i\x00d\x00", "not UTF-8"),
    ],
)
def test_not_a_csl_file_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(ListParseError, match=message):
        parse({FILE_NAME: raw})


def test_missing_file_is_refused() -> None:
    with pytest.raises(ListParseError, match="missing"):
        parse({})


# --- real public snapshots ---------------------------------------------------------------------


@pytest.mark.shared_data
def test_real_mirror_file(shared_data: Path) -> None:
    raw = (shared_data / "mirror" / "us_trade_csl" / FILE_NAME).read_bytes()
    result = parse({FILE_NAME: raw})
    assert len(result.entries) == 4_219
    assert result.warnings == []
    assert Counter(code for e in result.entries for code in e.lists) == {
        "SDN": 1_735,
        "EL": 919,
        "DPL": 577,
        "SSI": 283,
        "UVL": 186,
        "ISN": 144,
        "DTC": 142,
        "PLC": 78,
        "MEU": 71,
        "CMIC": 68,
        "MBS": 14,
        "FSE": 1,
        "CAP": 1,
    }
    by_key = {e.source_key: e for e in result.entries}
    telecom = by_key["30882"]
    assert telecom.name == "China Telecom Corporation Limited"
    assert telecom.party_key == "ofac:30882"
    assert ("China Telecom Corporation Limited.Co.Ltd", "issuer") in {
        (a.value, a.kind) for a in telecom.aliases
    }
    ofac = [e for e in result.entries if e.party_key]
    assert len(ofac) == 1_735 + 283 + 78 + 68 + 14 + 1 + 1
    assert all(e.party_key == f"ofac:{e.source_key}" for e in ofac)
    kinds = Counter(e.kind for e in result.entries if e.lists == ("SDN",))
    assert kinds == {EntityKind.PERSON: 1_043, EntityKind.ORGANIZATION: 689, EntityKind.VESSEL: 3}
    names = {e.name: e for e in result.entries}
    assert names["PEARL LI"].aliases[0].value == "NEI-CHIEN CHU"
    assert names["Poly Technologies Incorporated (PTI)"].lists == ("ISN",)
    assert names["Sergey Koynov"].kind is EntityKind.PERSON
    assert all(e.kind is EntityKind.ORGANIZATION for e in result.entries if e.lists == ("MEU",))


@pytest.mark.shared_data
def test_real_truncated_download_is_refused(shared_data: Path) -> None:
    raw = (shared_data / "trade_gov_csl" / "2023-11-16_truncated" / "csl.csv").read_bytes()
    with pytest.raises(ListParseError, match="truncated"):
        parse({FILE_NAME: raw})


@pytest.mark.shared_data
def test_real_truncated_download_minus_its_cut_record(shared_data: Path) -> None:
    """Everything before the cut: repeated header skipped, the seven repeated _ids merged."""
    raw = (shared_data / "trade_gov_csl" / "2023-11-16_truncated" / "csl.csv").read_bytes()
    whole = raw[: raw.rindex(b'\n"11476"') + 1]
    result = parse({FILE_NAME: whole})
    assert len(result.entries) == 4_219
    assert sum("merged" in w for w in result.warnings) == 7
    assert by_lists(result.entries)[("MBS", "SSI")] == 5
    assert by_lists(result.entries)[("PLC", "SDN")] == 2


def by_lists(entries: list[ListEntry]) -> Counter[tuple[str, ...]]:
    return Counter(e.lists for e in entries)


@pytest.mark.shared_data
def test_real_2025_sample_with_hash_ids(shared_data: Path) -> None:
    raw = (shared_data / "trade_gov_csl" / "2025-06-25_sample" / FILE_NAME).read_bytes()
    result = parse({FILE_NAME: raw})
    assert len(result.entries) == 13
    by_key = {e.source_key: e for e in result.entries}
    cetc = by_key["99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be"]
    assert cetc.lists == ("EL",)
    assert cetc.kind is EntityKind.ORGANIZATION
    assert cetc.federal_register == ("83 FR 37423", "87 FR 77505")
    assert "CETC Research Institute 13" in {a.value for a in cetc.aliases}
    sinobright = by_key["233a4d725770c81fb561ffe3842c14010c2201971d6be62eca1e613b"]
    assert sinobright.name == "Sinobright Import and Export Company"
    assert by_key["18283"].email_domains == ()
    assert by_key["18283"].websites == ("mspbank.ru",)
    assert by_key["18300"].email_domains == ("rosneft-sh.com.cy",)
