"""OFAC Consolidated Sanctions List (non-SDN lists: SSI, PLC, CMIC, NS-MBS, FSE, CAPTA), legacy CSV.

The CONS files do not say which non-SDN list a row belongs to; the programme tags do, and the codes
below are those the trade.gov CSL uses for the same lists, so both sources label a party alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from lists.ofac import OfacLayout, parse_ofac
from screening.listings.source import ListSource, ParseResult, SourceFile

SOURCE_ID = "us_ofac_cons"
BASE_URL = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
LIST_PAGE = "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists"

# Programme tag (exact, or the prefix before a "-") -> CSL list code.
PROGRAM_LISTS: dict[str, str] = {
    "UKRAINE-EO13662": "SSI",
    "NS-PLC": "PLC",
    "CMIC-EO13959": "CMIC",
    "FSE": "FSE",
    "NS-MBS": "MBS",
    "MBS": "MBS",
    "CAPTA": "CAP",
    "561-Related": "CAP",  # the Part 561 list, renamed CAPTA in 2017
    "CAATSA - RUSSIA": "MBS",
    "BURMA-EO14014": "MBS",
    "ILLICIT-DRUGS-EO14059": "MBS",
}
# On the SSI list, RUSSIA-EO14024 is a second programme tag; a party is on the Menu-Based
# Sanctions list under EO 14024 only when a directive of that order names it.
_EO14024 = "RUSSIA-EO14024"
_EO14024_DIRECTIVE = re.compile(
    r"Executive Order 14024 Directive Information[^;]*Subject to Directive"
)


def list_codes(programs: tuple[str, ...], remarks: str | None) -> tuple[str, ...]:
    codes: list[str] = []
    for program in programs:
        code = PROGRAM_LISTS.get(program) or PROGRAM_LISTS.get(program.split("-", 1)[0])
        if program == _EO14024:
            on_ssi = "UKRAINE-EO13662" in programs
            if not on_ssi or _EO14024_DIRECTIVE.search(remarks or ""):
                code = "MBS"
        if code and code not in codes:
            codes.append(code)
    return tuple(codes)


LAYOUT = OfacLayout(
    source=SOURCE_ID,
    primary="CONS_PRIM.CSV",
    alt="CONS_ALT.CSV",
    add="CONS_ADD.CSV",
    comments="CONS_COMMENTS.CSV",
    source_url=LIST_PAGE,
    list_codes=list_codes,
)


def parse(files: Mapping[str, bytes]) -> ParseResult:
    return parse_ofac(files, LAYOUT)


SOURCE = ListSource(
    id=SOURCE_ID,
    title="OFAC Consolidated Sanctions List (non-SDN)",
    publisher="U.S. Department of the Treasury, Office of Foreign Assets Control",
    files=(
        SourceFile(BASE_URL + "CONS_PRIM.CSV"),
        SourceFile(BASE_URL + "CONS_ALT.CSV"),
        SourceFile(BASE_URL + "CONS_ADD.CSV"),
        SourceFile(BASE_URL + "CONS_COMMENTS.CSV", required=False),
    ),
    parse=parse,
    # 442 entries at the end of 2025; a few hundred for years.
    min_records=100,
    max_records=10_000,
    homepage=LIST_PAGE,
)
