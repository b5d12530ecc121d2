"""OFAC Specially Designated Nationals and Blocked Persons List (SDN), legacy CSV files."""

from __future__ import annotations

from collections.abc import Mapping

from lists.ofac import OfacLayout, parse_ofac
from screening.listings.source import ListSource, ParseResult, SourceFile

SOURCE_ID = "us_ofac_sdn"
BASE_URL = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
LIST_PAGE = "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists"


def _list_codes(programs: tuple[str, ...], remarks: str | None) -> tuple[str, ...]:
    # Every row of SDN.CSV is on the SDN list, whatever its programmes.
    return ("SDN",)


LAYOUT = OfacLayout(
    source=SOURCE_ID,
    primary="SDN.CSV",
    alt="ALT.CSV",
    add="ADD.CSV",
    comments="SDN_COMMENTS.CSV",
    source_url=LIST_PAGE,
    list_codes=_list_codes,
)


def parse(files: Mapping[str, bytes]) -> ParseResult:
    return parse_ofac(files, LAYOUT)


SOURCE = ListSource(
    id=SOURCE_ID,
    title="OFAC Specially Designated Nationals and Blocked Persons List (SDN)",
    publisher="U.S. Department of the Treasury, Office of Foreign Assets Control",
    files=(
        SourceFile(BASE_URL + "SDN.CSV"),
        SourceFile(BASE_URL + "ALT.CSV"),
        SourceFile(BASE_URL + "ADD.CSV"),
        # Published only while some Remarks overflow their field; absent otherwise.
        SourceFile(BASE_URL + "SDN_COMMENTS.CSV", required=False),
    ),
    parse=parse,
    # 2021: ~9,000 entries; 2024: ~15,000; today ~18,000. Far outside this is a broken download.
    min_records=5_000,
    max_records=60_000,
    homepage=LIST_PAGE,
)
