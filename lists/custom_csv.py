"""Custom lists: parties an organisation lists itself, loaded from a CSV file.

Header `key,name` (required) and any of `aliases`, `kind`, `country`, `website`,
`email_domain`, `identifiers`, `remarks`; list cells are `;`-separated. Every problem names its
line; a file with any bad row is refused whole (a custom list is small and hand-made: a
half-loaded one would hide the mistake).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

from screening.errors import ListParseError
from screening.listings.records import EntityKind, Identifier, ListEntry, Name, NameStrength
from screening.listings.source import ListSource, ParseResult, SourceFile
from screening.names.countries import country_code
from screening.names.hosts import hostname_of
from screening.names.scripts import detect_script

FILE_NAME = "list.csv"
REQUIRED = ("key", "name")
OPTIONAL = ("aliases", "kind", "country", "website", "email_domain", "identifiers", "remarks")
KINDS = {k.value for k in EntityKind} - {"address", "unknown"}
CUSTOM_ID = re.compile(r"^custom_[a-z0-9_]{1,48}$")
MAX_ROWS = 1_000_000


def list_code(source: str) -> str:
    """The list code a custom list's parties carry ("custom_partners" -> "CUSTOM_PARTNERS"), so
    a policy rule can name it."""
    return source.upper()


def _cells(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in value.split(";") if v.strip()))


def parse_custom(source: str, data: bytes) -> ParseResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListParseError(f"{FILE_NAME} is not UTF-8 text: {exc}", source=source) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        raise ListParseError(
            f"header needs {', '.join(REQUIRED)} (missing: {', '.join(missing) or 'none'}; "
            f"unknown: {', '.join(unknown) or 'none'}); optional: {', '.join(OPTIONAL)}",
            source=source,
        )
    reader.fieldnames = header
    entries: list[ListEntry] = []
    problems: list[str] = []
    seen: set[str] = set()
    try:
        for line, row in enumerate(reader, start=2):
            if len(entries) >= MAX_ROWS:
                raise ListParseError(f"more than {MAX_ROWS} rows", source=source)
            cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
            try:
                entry = _entry(source, cells)
            except ValueError as exc:
                problems.append(f"line {line}: {exc}")
                continue
            if entry.source_key in seen:
                problems.append(f"line {line}: key {entry.source_key!r} appears twice")
                continue
            seen.add(entry.source_key)
            entries.append(entry)
    except csv.Error as exc:
        raise ListParseError(f"not a readable CSV file: {exc}", source=source) from exc
    if problems:
        shown = "; ".join(problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise ListParseError(f"{len(problems)} bad rows: {shown}{more}", source=source)
    return ParseResult(entries)


def _entry(source: str, row: Mapping[str, str]) -> ListEntry:
    if any("\x00" in value for value in row.values()):
        raise ValueError("a cell holds a NUL character")
    key, name = row.get("key", ""), row.get("name", "")
    if not key or len(key) > 200:
        raise ValueError("key is required (at most 200 characters)")
    if not name or len(name) > 1000:
        raise ValueError("name is required (at most 1,000 characters)")
    kind = (row.get("kind") or "organization").lower()
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(sorted(KINDS))}")
    countries: tuple[str, ...] = ()
    if row.get("country"):
        code = country_code(row["country"])
        if code is None:
            raise ValueError(f"country {row['country']!r} is not a country")
        countries = (code,)
    for column in ("website", "email_domain"):
        if row.get(column) and hostname_of(row[column]) is None:
            raise ValueError(f"{column} {row[column]!r} names no host")
    return ListEntry(
        source=source,
        source_key=key,
        kind=EntityKind(kind),
        name=name,
        lists=(list_code(source),),
        aliases=tuple(
            Name(a, NameStrength.STRONG, "aka", detect_script(a))
            for a in _cells(row.get("aliases", ""))
        ),
        identifiers=tuple(Identifier("id", i) for i in _cells(row.get("identifiers", ""))),
        countries=countries,
        websites=(row["website"],) if row.get("website") else (),
        email_domains=(row["email_domain"],) if row.get("email_domain") else (),
        remarks=row.get("remarks") or None,
    )


def custom_source(source: str, title: str, file_url: str) -> ListSource:
    """The ListSource of one custom list, reading the file at `file_url` (the last load)."""
    if not CUSTOM_ID.match(source):
        raise ListParseError(
            f"custom list ids look like custom_<letters, digits, _>: {source!r}", source=source
        )

    def parse(files: Mapping[str, bytes]) -> ParseResult:
        return parse_custom(source, files[FILE_NAME])

    return ListSource(
        id=source,
        title=title,
        publisher="this organisation",
        files=(SourceFile(file_url, mirrored=False),),
        parse=parse,
        min_records=1,
        max_records=MAX_ROWS,
        # Loaded by an admin, never fetched on a schedule.
        refresh_interval_minutes=0,
    )
