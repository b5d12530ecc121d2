"""trade.gov Consolidated Screening List (CSL): a dozen US export and sanctions lists in one CSV.

The file merges Commerce (BIS), State and Treasury lists; each row names its list in `source`.
Treasury rows repeat OFAC parties, so they carry `party_key = "ofac:<ent_num>"` and merge with the
same party read from OFAC's own files.

Refused (ListParseError): anything that is not the CSV (HTML error page, JSON), a header without
the essential columns, and a truncated download (the last record stops short). Repaired with a
warning: repeated header lines, rows without a name, and rows repeating an `_id` already seen
(the same OFAC party on two Treasury lists: merged, both list codes kept).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import replace

from lists.csl_fields import (
    OFAC_LISTS,
    clean,
    list_code,
    parse_address,
    parse_ids,
    split_cell,
    split_name,
)
from lists.csl_kind import infer_kind
from screening.errors import ListParseError
from screening.listings.records import ListEntry, Name, NameStrength
from screening.listings.source import ListSource, ParseResult, SourceFile
from screening.names.countries import country_code

SOURCE_ID = "us_trade_csl"
URL = "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"
FILE_NAME = "consolidated.csv"

ESSENTIAL_COLUMNS = ("_id", "source", "name")
# Cells kept verbatim in `extra`: useful to a reviewer, not used for matching.
EXTRA_COLUMNS = (
    "entity_number",
    "title",
    "end_date",
    "standard_order",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "dates_of_birth",
    "places_of_birth",
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _fail(detail: str) -> ListParseError:
    return ListParseError(detail, source=SOURCE_ID)


def _read_rows(raw: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(f"{FILE_NAME} is not UTF-8: {exc}") from exc
    head = text.lstrip()[:1]
    if not head:
        raise _fail(f"{FILE_NAME} is empty")
    if head in "<{[":
        raise _fail(f"{FILE_NAME} is not CSV (starts with {head!r}: an HTML or JSON document)")
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise _fail(f"{FILE_NAME} is not valid CSV: {exc}") from exc
    header = [h.strip().lower() for h in records[0]]
    missing = [c for c in ESSENTIAL_COLUMNS if c not in header]
    if missing:
        raise _fail(f"{FILE_NAME} header lacks column(s) {', '.join(missing)}: not the CSL format")
    rows = [(n, r) for n, r in enumerate(records[1:], start=2) if any(c.strip() for c in r)]
    for index, (line, row) in enumerate(rows):
        if len(row) == len(header):
            continue
        if index == len(rows) - 1 and len(row) < len(header):
            raise _fail(
                f"{FILE_NAME} is truncated: its last record (row {line}) has {len(row)} of "
                f"{len(header)} fields"
            )
        # Mid-file, a wrong field count means broken quoting: every later cell could be shifted
        # into the wrong column, so nothing from this file is trustworthy.
        raise _fail(f"row {line} has {len(row)} fields, the header has {len(header)}")
    return header, rows


def parse(files: Mapping[str, bytes]) -> ParseResult:
    if FILE_NAME not in files:
        raise _fail(f"{FILE_NAME} is missing")
    header, rows = _read_rows(files[FILE_NAME])
    warnings: list[str] = []
    entries: dict[str, ListEntry] = {}
    for line, values in rows:
        row = dict(zip(header, values, strict=True))
        if [v.strip().lower() for v in values] == header:
            warnings.append(f"row {line}: repeated header line skipped")
            continue
        entry = _entry(row)
        if entry is None:
            warnings.append(f"row {line}: no name, skipped")
            continue
        seen = entries.get(entry.source_key)
        if seen is None:
            entries[entry.source_key] = entry
            continue
        entries[entry.source_key] = _merge(seen, entry)
        warnings.append(
            f"row {line}: _id {entry.source_key} repeats an earlier record "
            f"({'/'.join(seen.lists)} and {'/'.join(entry.lists)}): merged"
        )
    return ParseResult(list(entries.values()), warnings)


def _merge(first: ListEntry, again: ListEntry) -> ListEntry:
    """One party, two rows (e.g. on both the SSI and the Menu-Based list): keep every list code."""
    known = {n.value.casefold() for n in first.all_names()}
    extra_names = tuple(n for n in again.all_names() if n.value.casefold() not in known)
    return replace(
        first,
        lists=tuple(dict.fromkeys(first.lists + again.lists)),
        programs=tuple(dict.fromkeys(first.programs + again.programs)),
        aliases=first.aliases
        + tuple(
            Name(n.value, n.strength, "aka" if n.kind == "primary" else n.kind, n.script)
            for n in extra_names
        ),
        addresses=tuple(dict.fromkeys(first.addresses + again.addresses)),
        identifiers=tuple(dict.fromkeys(first.identifiers + again.identifiers)),
        countries=tuple(dict.fromkeys(first.countries + again.countries)),
        websites=tuple(dict.fromkeys(first.websites + again.websites)),
        email_domains=tuple(dict.fromkeys(first.email_domains + again.email_domains)),
        source_urls=tuple(dict.fromkeys(first.source_urls + again.source_urls)),
    )


def _entry(row: Mapping[str, str]) -> ListEntry | None:
    def cell(column: str) -> str:
        return clean(row.get(column, ""))

    split = split_name(row.get("name", ""))
    if not split.name:
        return None
    source_title = cell("source")
    code = list_code(source_title) or source_title or "CSL"
    ids = parse_ids(row.get("ids", ""))

    aliases: dict[str, Name] = {}
    candidates = [*split.aliases]
    for alt in split_cell(row.get("alt_names", "")):
        alt_split = split_name(alt)
        candidates += [Name(alt_split.name), *alt_split.aliases]
    candidates += [Name(v, NameStrength.STRONG, "issuer") for v in ids.issuer_names]
    for alias in candidates:
        folded = alias.value.casefold()
        if folded != split.name.casefold() and folded not in aliases:
            aliases[folded] = alias

    countries = [
        code_
        for value in split_cell(row.get("citizenships", ""))
        + split_cell(row.get("nationalities", ""))
        if (code_ := country_code(value))
    ]
    extra = {column: cell(column) for column in EXTRA_COLUMNS if cell(column)}
    extra.update({k: "; ".join(v) for k, v in ids.info.items()})
    if split.changed:
        extra["published_name"] = clean(row.get("name", ""))
    start = cell("start_date")[:10]
    entity_number = cell("entity_number")

    return ListEntry(
        source=SOURCE_ID,
        source_key=cell("_id") or _fallback_key(row),
        kind=infer_kind(
            split.name,
            code,
            cell("type"),
            has_birth_date=bool(cell("dates_of_birth")),
            has_gender="Gender" in ids.info,
            is_affiliate=any(a.kind == "affiliated" for a in split.aliases),
        ),
        name=split.name,
        lists=(code,),
        programs=tuple(split_cell(row.get("programs", ""))),
        aliases=tuple(aliases.values()),
        addresses=tuple(parse_address(a) for a in split_cell(row.get("addresses", ""))),
        identifiers=tuple(ids.identifiers),
        countries=tuple(dict.fromkeys(countries + ids.countries)),
        websites=tuple(dict.fromkeys(ids.websites)),
        email_domains=tuple(dict.fromkeys(ids.email_domains)),
        listed_on=start if _ISO_DATE.fullmatch(start) else None,
        source_urls=tuple(
            dict.fromkeys(u for u in (cell("source_list_url"), cell("source_information_url")) if u)
        ),
        federal_register=tuple(split_cell(row.get("federal_register_notice", ""))),
        license_requirement=cell("license_requirement") or None,
        license_policy=cell("license_policy") or None,
        remarks=cell("remarks") or None,
        party_key=f"ofac:{entity_number}" if code in OFAC_LISTS and entity_number else None,
        extra=extra,
    )


def _fallback_key(row: Mapping[str, str]) -> str:
    # Stable across refreshes as long as the row's list, name and addresses do not change.
    blob = "\x1f".join(row.get(c, "") for c in ("source", "name", "addresses"))
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


SOURCE = ListSource(
    id=SOURCE_ID,
    title="Consolidated Screening List (trade.gov)",
    publisher="US International Trade Administration (Commerce, State and Treasury lists)",
    files=(SourceFile(URL),),
    parse=parse,
    min_records=2_000,
    max_records=100_000,
    homepage="https://www.trade.gov/consolidated-screening-list",
)
