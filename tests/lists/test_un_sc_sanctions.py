from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lists.un_sc_sanctions import FILE_NAME, SOURCE, parse
from screening.errors import ListParseError
from screening.listings.records import Address, EntityKind, Identifier, ListEntry, NameStrength


@pytest.fixture
def entries(fixtures_dir: Path) -> dict[str, ListEntry]:
    raw = (fixtures_dir / "lists" / "un_sc_sanctions" / FILE_NAME).read_bytes()
    result = parse({FILE_NAME: raw})
    assert result.warnings == []
    return {e.source_key: e for e in result.entries}


def test_source_declaration() -> None:
    assert SOURCE.id == "un_sc_sanctions"
    assert [f.name for f in SOURCE.files] == [FILE_NAME]
    assert (SOURCE.min_records, SOURCE.max_records) == (500, 5_000)


def test_one_entry_per_individual_and_entity(entries: dict[str, ListEntry]) -> None:
    assert sorted(entries) == ["CDe.003", "IQi.001", "KPe.001", "QDi.006", "QDi.372"]
    assert all(e.lists == ("UN",) and e.source == "un_sc_sanctions" for e in entries.values())
    assert entries["QDi.006"].kind is EntityKind.PERSON
    assert entries["KPe.001"].kind is EntityKind.ORGANIZATION


def test_individual(entries: dict[str, ListEntry]) -> None:
    zawahiri = entries["QDi.006"]
    assert zawahiri.name == "AYMAN MUHAMMED RABI AL-ZAWAHIRI"
    assert zawahiri.programs == ("Al-Qaida",)
    assert zawahiri.listed_on == "2001-01-25"
    assert zawahiri.countries == ("EG",)
    assert [(a.value, a.strength, a.kind) for a in zawahiri.aliases] == [
        ("Ayman al-Zawahari", NameStrength.STRONG, "aka"),
        ("Ahmed Fuad Salim", NameStrength.STRONG, "aka"),
        ("Abu Mohammed", NameStrength.WEAK, "aka"),
        ("The Doctor", NameStrength.WEAK, "aka"),
        ("أيمن محمد ربيع الظواهري", NameStrength.STRONG, "original_script"),
    ]
    assert zawahiri.aliases[-1].script == "Arab"
    assert zawahiri.identifiers == (
        Identifier("Passport", "1084010", "EG"),
        # Whitespace the UN leaves inside values is collapsed.
        Identifier("Numéro de passeport", "19820215", None),
    )
    assert zawahiri.addresses == (
        Address(full="Afghanistan/Pakistan border area", state="Afghanistan/Pakistan border area"),
    )
    assert zawahiri.remarks is not None
    assert zawahiri.remarks.startswith("Former operational and military leader")
    assert "\n" not in zawahiri.remarks
    assert zawahiri.extra["titles"] == "Doctor"
    assert zawahiri.extra["dates_of_birth"] == "1951-06-19"
    assert zawahiri.extra["places_of_birth"] == "Giza, Egypt"
    assert zawahiri.party_key is None


def test_fka_cyrillic_script_and_odd_dates(entries: dict[str, ListEntry]) -> None:
    chataev = entries["QDi.372"]
    assert ("Ahmet Chataev", "fka") in {(a.value, a.kind) for a in chataev.aliases}
    original = [a for a in chataev.aliases if a.kind == "original_script"]
    assert [(a.value, a.script) for a in original] == [("Ахмед Ражапович Чатаев", "Cyrl")]
    # LISTED_ON sometimes carries a time-zone offset: "2015-10-02-04:00".
    assert chataev.listed_on == "2015-10-02"
    assert chataev.extra["dates_of_birth"] == "circa 1980; 1979-1981"
    assert chataev.addresses == (Address(full="Tbilisi, Georgia", city="Tbilisi", country="GE"),)
    assert chataev.countries == ("RU",)


def test_empty_address_and_alias_elements_are_skipped(entries: dict[str, ListEntry]) -> None:
    saddam = entries["IQi.001"]
    assert saddam.addresses == ()
    assert (saddam.aliases[0].value, saddam.aliases[0].strength) == ("Abu Ali", NameStrength.WEAK)


def test_entity_with_several_names_in_first_name(entries: dict[str, ListEntry]) -> None:
    cagl = entries["CDe.003"]
    assert cagl.name == "COMPAGNIE AERIENNE DES GRANDS LACS (CAGL)"
    assert [(a.value, a.strength) for a in cagl.aliases] == [
        ("GREAT LAKES BUSINESS COMPANY (GLBC)", NameStrength.STRONG)
    ]
    assert [a.country for a in cagl.addresses] == ["CD", "CD"]
    assert cagl.addresses[0].street == "Avenue President Mobutu"
    komid = entries["KPe.001"]
    assert {(a.value, a.kind) for a in komid.aliases} == {
        ("CHANGGWANG SINYONG CORPORATION", "aka"),
        ("NORTH KOREAN MINING DEVELOPMENT TRADING CORPORATION", "fka"),
        ("KOMID", "aka"),
    }
    assert komid.addresses[0].country == "KP"


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol2;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&xxe;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"""


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"<CONSOLIDATED_LIST><INDIVIDUALS>", "malformed"),
        (b"<!DOCTYPE html><html><body>503</body></html>", "unsafe"),
        (BOMB, "unsafe"),
        (EXTERNAL, "unsafe"),
        (b"<html><body>Service Unavailable</body></html>", "expected <CONSOLIDATED_LIST>"),
    ],
)
def test_bad_input_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(ListParseError, match=message) as info:
        parse({FILE_NAME: raw})
    assert info.value.source == "un_sc_sanctions"


def test_missing_file_is_refused() -> None:
    with pytest.raises(ListParseError, match="missing"):
        parse({})


def test_valid_list_with_no_entries_parses_to_nothing() -> None:
    # Refusing an empty list is the sanity layer's job (it knows min_records); the parser only
    # reports what the document holds.
    raw = b"<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>"
    assert parse({FILE_NAME: raw}).entries == []


def test_nameless_and_repeated_records_are_warned_about() -> None:
    raw = b"""<CONSOLIDATED_LIST><INDIVIDUALS>
    <INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME/><REFERENCE_NUMBER>QDi.900</REFERENCE_NUMBER>
    </INDIVIDUAL>
    <INDIVIDUAL><DATAID>2</DATAID><FIRST_NAME>A</FIRST_NAME><SECOND_NAME>B</SECOND_NAME>
    <REFERENCE_NUMBER>QDi.901</REFERENCE_NUMBER></INDIVIDUAL>
    <INDIVIDUAL><DATAID>3</DATAID><FIRST_NAME>A</FIRST_NAME><SECOND_NAME>B</SECOND_NAME>
    <REFERENCE_NUMBER>QDi.901</REFERENCE_NUMBER></INDIVIDUAL>
    <INDIVIDUAL><DATAID>4</DATAID><FIRST_NAME>C</FIRST_NAME></INDIVIDUAL>
    </INDIVIDUALS></CONSOLIDATED_LIST>"""
    result = parse({FILE_NAME: raw})
    assert [(e.source_key, e.name) for e in result.entries] == [
        ("QDi.901", "A B"),
        ("dataid:4", "C"),
    ]
    assert len(result.warnings) == 2


@pytest.mark.shared_data
def test_real_mirror_file(shared_data: Path) -> None:
    raw = (shared_data / "mirror" / "un_sc_sanctions" / FILE_NAME).read_bytes()
    result = parse({FILE_NAME: raw})
    assert len(result.entries) == 1_003
    assert result.warnings == []
    assert Counter(e.kind for e in result.entries) == {
        EntityKind.PERSON: 730,
        EntityKind.ORGANIZATION: 273,
    }
    programs = Counter(p for e in result.entries for p in e.programs)
    assert (programs["Al-Qaida"], programs["DPRK"], programs["Iran"]) == (341, 155, 121)
    weak = sum(a.strength is NameStrength.WEAK for e in result.entries for a in e.aliases)
    assert weak == 615
    scripts = Counter(a.script for e in result.entries for a in e.aliases if a.script)
    assert scripts["Arab"] > 300
    assert scripts["Cyrl"] > 5
    assert all(e.listed_on and len(e.listed_on) == 10 for e in result.entries)
    by_key = {e.source_key: e for e in result.entries}
    assert by_key["CDi.002"].name == "FRANK KAKOLELE BWAMBALE"
    assert by_key["IQi.001"].name == "SADDAM HUSSEIN AL-TIKRITI"
    assert by_key["IQi.001"].countries == ("IQ",)
