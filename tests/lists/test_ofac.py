"""The shared OFAC legacy-CSV reader and the Remarks parser."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lists.ofac import parse_address, split_programs
from lists.ofac_csv import read_table
from lists.ofac_remarks import parse_remarks, split_remarks, website_host
from lists.us_ofac_sdn import parse
from screening.errors import ListParseError
from screening.listings.records import Address, Identifier, Name, NameStrength

EMPTY = "-0- "


def sdn_row(ent_num: int | str, name: str = "ACME TRADING LLC", remarks: str = EMPTY) -> str:
    quoted = remarks if remarks == EMPTY else f'"{remarks}"'
    return f'{ent_num},"{name}",{EMPTY},"SDGT",' + f"{EMPTY}," * 7 + quoted


def ofac_file(*lines: str, terminator: bool = True) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("ascii") + (b"\x1a" if terminator else b"")


def files(sdn: bytes) -> dict[str, bytes]:
    return {"SDN.CSV": sdn, "ALT.CSV": ofac_file(), "ADD.CSV": ofac_file()}


def test_reads_rows_and_maps_the_empty_marker_to_none() -> None:
    table = read_table(ofac_file(sdn_row(1), sdn_row(2)), name="SDN.CSV", columns=12, source="t")
    assert [ent for ent, _ in table.rows] == [1, 2]
    first = table.rows[0][1]
    assert first[0] == "ACME TRADING LLC"
    assert first[1] is None  # unquoted "-0- "
    assert first[2] == "SDGT"
    assert table.warnings == []


def test_quoted_empty_marker_bom_and_cp1252_are_tolerated() -> None:
    row = sdn_row(7).replace(f",{EMPTY},", ',"-0- ",', 1)
    raw = b"\xef\xbb\xbf" + ofac_file(row)
    table = read_table(raw, name="SDN.CSV", columns=12, source="t")
    assert table.rows[0][1][1] is None
    cp1252 = ofac_file(sdn_row(8)).replace(b"ACME", b"\xc9CME")
    assert (
        read_table(cp1252, name="SDN.CSV", columns=12, source="t").rows[0][1][0]
        == "\xc9CME TRADING LLC"
    )


def test_a_file_without_the_terminator_is_accepted_when_its_last_line_is_whole() -> None:
    table = read_table(
        ofac_file(sdn_row(1), terminator=False), name="SDN.CSV", columns=12, source="t"
    )
    assert len(table.rows) == 1


@pytest.mark.parametrize(
    "cut",
    [
        lambda raw: raw[: raw.rindex(b"SDGT")],  # mid-row: too few columns
        lambda raw: raw[:-12],  # inside the quoted Remarks: unterminated quote
    ],
)
def test_a_truncated_file_is_refused(cut: Callable[[bytes], bytes]) -> None:
    rows = [sdn_row(n, remarks="DOB 1970; nationality Iran.") for n in range(1, 4)]
    raw = ofac_file(*rows, terminator=False)
    with pytest.raises(ListParseError, match="truncated"):
        parse(files(cut(raw)))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<!DOCTYPE html><html><body>Service unavailable</body></html>", "HTML"),
        (b'{"error": "rate limited"}', "JSON"),
        (b"", "empty"),
        (b"\x00\x01\x02garbage", "binary"),
        (b"name,address\r\nfoo,bar\r\n", "columns"),
    ],
)
def test_content_that_is_not_an_ofac_file_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(ListParseError, match=message) as caught:
        parse(files(raw))
    assert caught.value.source == "us_ofac_sdn"


def test_a_rare_malformed_row_is_skipped_with_a_warning() -> None:
    rows = [sdn_row(n) for n in range(1, 201)]
    rows[50] = sdn_row("12X")
    result = parse(files(ofac_file(*rows)))
    assert len(result.entries) == 199
    assert any("SDN.CSV line 51" in warning for warning in result.warnings)


def test_many_malformed_rows_refuse_the_file() -> None:
    rows = [sdn_row(n) for n in range(1, 101)]
    rows[10] = "11,too,few,columns"
    rows[20] = sdn_row("abc")
    with pytest.raises(ListParseError, match="2 of 100 rows malformed"):
        parse(files(ofac_file(*rows)))


def test_a_missing_primary_file_is_refused() -> None:
    with pytest.raises(ListParseError, match=r"SDN\.CSV is missing"):
        parse({"ALT.CSV": ofac_file()})


def test_duplicate_ent_nums_are_merged_with_a_warning() -> None:
    raw = ofac_file(sdn_row(5, remarks="DOB 1970"), sdn_row(5, name="ACME TRADING FZE"))
    result = parse(files(raw))
    assert len(result.entries) == 1
    assert Name("ACME TRADING FZE", NameStrength.WEAK, "aka") in result.entries[0].aliases
    assert any("appears twice" in warning for warning in result.warnings)


def test_programs_are_split_on_the_bracket_separator() -> None:
    assert split_programs("SDGT] [IRGC] [IFSR") == ("SDGT", "IRGC", "IFSR")
    assert split_programs("[CUBA]") == ("CUBA",)
    assert split_programs(None) == ()


def test_weak_aliases_keep_inner_apostrophes_and_semicolons() -> None:
    facts = parse_remarks("a.k.a. 'ABU-'UMAR'; f.k.a. 'TURISMO; S.A.'; n.k.a. 'NEW NAME'.")
    assert facts.aliases == [
        Name("ABU-'UMAR", NameStrength.WEAK, "aka"),
        Name("TURISMO; S.A.", NameStrength.WEAK, "fka"),
        Name("NEW NAME", NameStrength.WEAK, "nka"),
    ]


def test_identifiers_keep_type_value_and_country() -> None:
    facts = parse_remarks(
        "Passport 27082171 (United States) issued 21 Jun 1992; alt. Passport M0887925 (Iraq); "
        "Registration Number HRA 738077 (Stuttgart) (Germany); SWIFT/BIC RUAGRUMM; "
        "Digital Currency Address - XBT 1Fz29BQp82pE3vXXcsZoMNQ3KSHfMzfMe3; "
        "Vessel Registration Identification IMO 7406784; Tax ID No. AABA 670850 Y; "
        "Afghan Money Service Provider License Number 044 (Afghanistan)."
    )
    assert facts.identifiers == [
        Identifier("Passport", "27082171", "US"),
        Identifier("Passport", "M0887925", "IQ"),
        Identifier("Registration Number", "HRA 738077 (Stuttgart)", "DE"),
        Identifier("SWIFT/BIC", "RUAGRUMM"),
        Identifier("Digital Currency Address - XBT", "1Fz29BQp82pE3vXXcsZoMNQ3KSHfMzfMe3"),
        Identifier("IMO", "7406784"),
        Identifier("Tax ID No.", "AABA 670850 Y"),
        Identifier("Afghan Money Service Provider License Number", "044", "AF"),
    ]


def test_countries_websites_emails_and_extra() -> None:
    facts = parse_remarks(
        "DOB 10 Apr 1960; POB Bloomington, Indiana USA; nationality Korea, North; "
        "citizen Russia; Website http://www.Example.ru/about/; "
        "alt. Website www.facebook.com/acme/; "
        "Email Address Info@Mail.EXAMPLE.ru; Gender Male; Linked To: ACME CO., LTD."
    )
    assert facts.countries == ["KP", "RU"]
    assert facts.websites == ["example.ru", "facebook.com/acme"]
    assert facts.email_domains == ["mail.example.ru"]
    assert facts.extra == {
        "dob": ["10 Apr 1960"],
        "pob": ["Bloomington, Indiana USA"],
        "gender": ["Male"],
        "linked_to": ["ACME CO., LTD."],
    }


def test_issuer_name_is_a_strong_alias() -> None:
    facts = parse_remarks("Issuer Name China Mobile Limited; alt. Issuer Name China Mobile Ltd.")
    assert facts.aliases == [
        Name("China Mobile Limited", NameStrength.STRONG, "issuer"),
        Name("China Mobile Ltd.", NameStrength.STRONG, "issuer"),
    ]


def test_free_text_statements_are_left_alone() -> None:
    facts = parse_remarks("Minister of Defense; F.K.A. in POB only; Major General.")
    assert facts.aliases == []
    assert facts.identifiers == []
    assert facts.extra == {}
    assert split_remarks("Minister of Defense; Major General.") == [
        "Minister of Defense",
        "Major General",
    ]


def test_website_host() -> None:
    assert website_host("HTTPS://www.Rshb.ru/") == "rshb.ru"
    assert website_host("t.me/some_channel") == "t.me/some_channel"
    assert website_host("localhost") is None


def test_address_city_state_and_postal_code() -> None:
    assert parse_address(["1", "Ibex House", "London EC3N 1DY", "United Kingdom", None]) == Address(
        full="Ibex House, London EC3N 1DY, United Kingdom",
        street="Ibex House",
        city="London",
        postal_code="EC3N 1DY",
        country="GB",
    )
    tijuana = parse_address(["2", None, "Tijuana, Baja California CP 22000", "Mexico", None])
    assert tijuana is not None
    assert (tijuana.city, tijuana.state, tijuana.postal_code) == (
        "Tijuana",
        "Baja California",
        "CP 22000",
    )
    assert parse_address(["3", None, None, None, None]) is None
