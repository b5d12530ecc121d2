"""DoD Section 1260H list: "Chinese military companies" operating in the United States.

DoD publishes the list as a PDF once a year or so; there is no machine-readable edition. The
editions are transcribed into this project's own JSON format in `lists/curated/`
(from the project reference dod-1260h.md). The source's official file, `dod_1260h.json`, holds
the newest edition (2026-06-08), under a name that stays put so that a mirror can serve a newer
one; earlier editions are kept as `dod_1260h_<edition date>.json`. Refreshing one edition after
another gives the ordinary diff: who an edition added, dropped, or changed.

One entry per printed name, keyed by a slug of the name without its parenthesised short name;
an entry printed under a parent carries a "parent" relation to that listed parent (DoD's
grouping, not checked ownership). A listing is a risk flag that prohibits nothing by itself;
each file's `remarks` carry the contracting bar of NDAA FY2024 Section 805 and its dates.
"""

from __future__ import annotations

from collections.abc import Mapping

from lists.curated import packaged_url
from lists.curated.loader import load
from lists.curated.mapping import to_list_entry
from screening.errors import ListParseError
from screening.listings.source import ListSource, ParseResult, SourceFile

SOURCE_ID = "us_dod_1260h"
LIST_CODE = "1260H"
FILE_NAME = "dod_1260h.json"
URL = packaged_url(FILE_NAME)
# Every packaged edition, oldest first; the newest is the official file itself.
EDITIONS = ("dod_1260h_2025-01-07.json", FILE_NAME)


def parse(files: Mapping[str, bytes]) -> ParseResult:
    if FILE_NAME not in files:
        raise ListParseError(f"{FILE_NAME} is missing", source=SOURCE_ID)
    document = load(files[FILE_NAME], source=SOURCE_ID, list_code=LIST_CODE)
    # Every party of an edition is listed as of the edition's date.
    return ParseResult(
        [
            to_list_entry(e, document, source=SOURCE_ID, listed_on=document.as_of)
            for e in document.entries
        ]
    )


SOURCE = ListSource(
    id=SOURCE_ID,
    title="DoD Section 1260H Chinese military companies",
    publisher="US Department of Defense (transcribed by this project)",
    files=(SourceFile(URL, packaged=True),),
    parse=parse,
    # The 2025-01-07 edition names 133 parties, the 2026-06-08 edition 188.
    min_records=100,
    max_records=1_000,
    refresh_interval_minutes=24 * 60,
    homepage=(
        "https://www.war.gov/News/Releases/Release/Article/4511232/dow-releases-list-of-"
        "chinese-military-companies-in-accordance-with-section-1260/"
    ),
)
