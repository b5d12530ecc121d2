"""EU FSF parser: the fixture is a small file in the published xmlFullSanctionsList_1_1 format."""

from __future__ import annotations

from pathlib import Path

import pytest

from lists import get_source
from lists.eu_fsf import FILE, SOURCE, parse
from screening.errors import ListParseError
from screening.listings.records import Address, EntityKind, Identifier, ListEntry, NameStrength

HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
EXPORT = '<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2024-12-11">'


def _doc(body: str) -> bytes:
    return f"{HEAD}{EXPORT}{body}</export>".encode()


@pytest.fixture
def entries(fixtures_dir: Path) -> dict[str, ListEntry]:
    raw = (fixtures_dir / "lists" / "eu_fsf" / "content").read_bytes()
    result = parse({FILE.name: raw})
    assert result.warnings == []
    return {entry.source_key: entry for entry in result.entries}


def test_source_declaration() -> None:
    assert get_source("eu_fsf") is SOURCE
    assert FILE.name == "content"
    assert "xmlFullSanctionsList_1_1" in FILE.url
    assert (SOURCE.min_records, SOURCE.max_records) == (1_000, 100_000)


def test_one_entry_per_sanction_entity_keyed_by_logical_id(entries: dict[str, ListEntry]) -> None:
    assert list(entries) == ["13", "17092", "135909", "131217", "201"]
    assert all(e.source == "eu_fsf" and e.lists == ("EU",) for e in entries.values())


def test_organisation_with_aliases_in_several_languages(entries: dict[str, ListEntry]) -> None:
    org = entries["17092"]
    assert org.kind is EntityKind.ORGANIZATION
    assert org.name == "Joint Stock Company Kalashnikov Concern"
    assert org.programs == ("UKR", "RUS")
    by_value = {a.value: a for a in org.aliases}
    russian = by_value["Акционерное общество «Концерн Калашников»"]
    assert (russian.script, russian.kind) == ("Cyrl", "original_script")
    # Bulgarian is an EU language: its Cyrillic name is a translation, not the party's own.
    bulgarian = by_value["Акционерно дружество „Концерн Калашников“"]
    assert (bulgarian.script, bulgarian.kind) == ("Cyrl", "aka")
    assert by_value["Aktiengesellschaft Kalaschnikow-Konzern"].script is None
    # "Kalashnikov Concern" is published twice (no language, ES): one alias.
    assert [a.value for a in org.aliases].count("Kalashnikov Concern") == 1
    # strong="true" but graded by its remark.
    assert by_value["Kalashnikov"].strength is NameStrength.WEAK


def test_organisation_address_contacts_and_identifier(entries: dict[str, ListEntry]) -> None:
    org = entries["17092"]
    assert org.addresses == (
        Address(
            full="Derzhavina Street 3, Izhevsk, Udmurt Republic, 426006, RUSSIAN FEDERATION",
            street="Derzhavina Street 3",
            city="Izhevsk",
            state="Udmurt Republic",
            postal_code="426006",
            country="RU",
        ),
    )
    assert org.websites == ("https://kalashnikovgroup.ru",)
    assert org.email_domains == ("kalashnikovconcern.ru", "kalashnikovgroup.ru")
    assert org.identifiers == (Identifier("Registration Number", "1111832003018", "RU"),)
    assert org.listed_on == "2014-09-12"
    assert len(org.source_urls) == 2
    assert org.extra == {"eu_reference_number": "EU.3713.69"}


def test_person_with_weak_aliases_and_original_script(entries: dict[str, ListEntry]) -> None:
    person = entries["13"]
    assert person.kind is EntityKind.PERSON
    assert person.name == "Saddam Hussein Al-Tikriti"
    weak = {a.value for a in person.aliases if a.strength is NameStrength.WEAK}
    assert weak == {"Abu Ali", "Abou Ali"}
    arabic = person.aliases[-1]
    assert (arabic.value, arabic.script, arabic.kind) == (
        "صدام حسين التكريتي",
        "Arab",
        "original_script",
    )
    assert person.countries == ("IQ",)
    assert person.identifiers == (Identifier("Passport", "H0003489", "IQ"),)
    assert person.remarks == "UNSC RESOLUTION 1483"
    assert person.source_urls[0].startswith("http://eur-lex.europa.eu/")
    # No designationDate: the regulation's entry into force stands in.
    assert person.listed_on == "2003-07-07"
    assert person.extra["un_reference_number"] == "IQi.001"
    assert person.extra["birth_dates"] == "1937-04-28"


def test_primary_prefers_the_untranslated_latin_name(entries: dict[str, ListEntry]) -> None:
    person = entries["135909"]
    assert person.name == "Vladimir Vladimirovich PUTIN"
    assert person.aliases[0].value == "Vladimir Vladimirovitj PUTIN"
    assert {a.script for a in person.aliases} == {None, "Cyrl", "Grek"}
    greek = next(a for a in person.aliases if a.script == "Grek")
    assert greek.kind == "aka"


def test_chinese_name_and_unknown_address_country(entries: dict[str, ListEntry]) -> None:
    bureau = entries["131217"]
    assert ("新疆生产建设兵团公安局", "Hani") in {(a.value, a.script) for a in bureau.aliases}
    assert bureau.addresses[0].country == "CN"
    # An address given only as "00"/"UNKNOWN" carries nothing and is dropped.
    ano = entries["201"]
    assert ano.addresses == (Address(full="LEBANON", country="LB"),)
    assert ano.programs == ("TERR",)
    assert ano.listed_on == "2002-06-19"


def test_fingerprints_are_stable_across_parses(fixtures_dir: Path) -> None:
    raw = (fixtures_dir / "lists" / "eu_fsf" / "content").read_bytes()
    first, second = parse({FILE.name: raw}), parse({FILE.name: raw})
    assert [e.fingerprint() for e in first.entries] == [e.fingerprint() for e in second.entries]
    assert all(ListEntry.from_dict(e.to_dict()) == e for e in first.entries)


def test_skips_nameless_entity_and_warns_on_unknown_subject_type() -> None:
    body = (
        '<sanctionEntity logicalId="1"><subjectType code="person"/></sanctionEntity>'
        '<sanctionEntity logicalId="2"><subjectType code="vessel"/>'
        '<nameAlias wholeName="" firstName="Ada" lastName="King" strong="true"/></sanctionEntity>'
        '<sanctionEntity><nameAlias wholeName="No Key" strong="true"/></sanctionEntity>'
    )
    result = parse({FILE.name: _doc(body)})
    assert [(e.source_key, e.name, e.kind) for e in result.entries] == [
        ("2", "Ada King", EntityKind.UNKNOWN)
    ]
    assert len(result.warnings) == 3
    assert any("no name" in w for w in result.warnings)


def test_empty_export_parses_to_no_entries() -> None:
    assert parse({FILE.name: _doc("")}).entries == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<export><sanctionEntity></export>", "malformed XML"),
        (b"", "empty"),
        (b'<?xml version="1.0"?><CONSOLIDATED_LIST/>', "expected <export>"),
        (b"<!DOCTYPE html><html><body>Maintenance</body></html>", "HTML page"),
        (b"\n  <html><head><title>Login</title></head></html>", "HTML page"),
        (
            b'<?xml version="1.0"?><!DOCTYPE export [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<export>&b;</export>",
            "unsafe XML",
        ),
    ],
)
def test_bad_input_raises_list_parse_error(raw: bytes, message: str) -> None:
    with pytest.raises(ListParseError, match=message) as caught:
        parse({FILE.name: raw})
    assert caught.value.source == "eu_fsf"


def test_missing_file_raises() -> None:
    with pytest.raises(ListParseError, match="not fetched"):
        parse({})
