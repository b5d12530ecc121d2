"""UK Sanctions List, published by the Foreign, Commonwealth & Development Office (CSV).

Format facts this parser relies on (from the FCDO's February 2022 format-change guidance and from
open-source readers of UK-Sanctions-List.csv, e.g. moov-io/watchman's UK reader tests):

- UTF-8 (a byte-order mark is tolerated). The first line is a preamble ("Report Date: 13-Feb-2026");
  the header follows. Columns are matched by header name, never by position, because the layout
  has changed before (an older export called "Designation Type" "Individual, Entity, Ship").
- ONE ROW PER NAME: every row of a designation repeats "Unique ID" (e.g. "RUS0251", the regime
  prefix plus a number), so rows are grouped by it into one party. Address, identifier and contact
  cells are not guaranteed to sit on the primary-name row, so they are read from every row.
- "Name 6" is the surname or the whole entity/ship name, "Name 1".."Name 5" the forenames.
- "Name type" is "Primary Name", "Primary Name Variation" (a spelling variant) or "Alias"; a few
  designations leave it blank on their first row, which is then taken as the primary name.
  "Alias strength" is "Good quality" / "Low quality" where given (mostly for UN designations).
- "Name non-latin script" holds the name in the party's own script (type/language columns are
  often blank, so the script is detected from the characters).
- "Designation Type" is Individual, Entity or Ship; "Regime Name" is the regulation's title.
- Dates are dd/mm/yyyy; birth dates may use "dd"/"mm" or "00" for an unknown day or month.
- A cell may hold several values; one enumerating them as "(1) ... (2) ..." is split on the
  numbers, and website / email cells are also split on separators. A ship's "Current believed
  flag of ship" is kept as its country.
- The file has no delisting marker: a revoked designation is simply absent from the next file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence

from screening.errors import ListParseError
from screening.listings.records import (
    Address,
    EntityKind,
    Identifier,
    ListEntry,
    Name,
    NameStrength,
)
from screening.listings.source import ListSource, ParseResult, SourceFile
from screening.names.countries import country_code
from screening.names.scripts import detect_script

SOURCE_ID = "gb_fcdo_sanctions"
FILE = SourceFile("https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.csv")

# Canonical column -> other spellings seen in published layouts (compared case-insensitively).
_VARIANTS: dict[str, tuple[str, ...]] = {
    "designation type": ("individual, entity, ship",),
    "regime name": ("regime",),
    "alias strength": ("alias quality",),
    "nationality(/ies)": ("nationality", "nationalities"),
    "business registration number (s)": ("business registration number(s)",),
}
_REQUIRED = ("unique id", "name 6", "name type", "designation type")
_KINDS = {
    "individual": EntityKind.PERSON,
    "entity": EntityKind.ORGANIZATION,
    "ship": EntityKind.VESSEL,
}
_IDENTIFIERS = (
    ("passport number", "Passport"),
    ("national identifier number", "National ID"),
    ("business registration number (s)", "Registration Number"),
    ("imo number", "IMO"),
    ("hull identification number (hin)", "HIN"),
)
_NAME_KINDS = {"alias": "aka", "primary name variation": "variant"}
_HEADER_SEARCH_LINES = 5
_SPACES = re.compile(r"\s+")
_NUMBERED = re.compile(r"\(\d+\)")
_DATE = re.compile(r"(\d{2}|dd)/(\d{2}|mm)/(\d{4})", re.IGNORECASE | re.ASCII)
_EMAIL_DOMAIN = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")


def _clean(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def _split(value: str) -> list[str]:
    """'(1) A (2) B' -> ['A', 'B']; anything else is one value."""
    if not value.startswith("(1)"):
        return [value] if value else []
    return [p for p in (part.strip(" ,;") for part in _NUMBERED.split(value)) if p]


def _date(value: str, *, partial: bool = False) -> str | None:
    """dd/mm/yyyy -> ISO; with `partial`, an unknown day or month gives "yyyy-mm" or "yyyy"."""
    match = _DATE.fullmatch(value)
    if not match:
        return None
    day, month, year = match.groups()
    known_month = month.isdigit() and month != "00"
    if day.isdigit() and day != "00" and known_month:
        return f"{year}-{month}-{day}"
    if not partial:
        return None
    return f"{year}-{month}" if known_month else year


class _Row:
    """One CSV row read through the header, so cells are looked up by column name."""

    def __init__(self, cells: Sequence[str], columns: Mapping[str, int], line: int) -> None:
        self.cells, self.columns, self.line = cells, columns, line

    def get(self, column: str) -> str:
        index = self.columns.get(column)
        return _clean(self.cells[index]) if index is not None and index < len(self.cells) else ""

    def full_name(self) -> str:
        return " ".join(p for p in (self.get(f"name {i}") for i in (1, 2, 3, 4, 5, 6)) if p)


def _columns(header: Sequence[str]) -> dict[str, int]:
    columns = {_clean(cell).lower().lstrip("\ufeff"): i for i, cell in enumerate(header)}
    for canonical, spellings in _VARIANTS.items():
        for spelling in spellings:
            if canonical not in columns and spelling in columns:
                columns[canonical] = columns[spelling]
    return columns


def _read(raw: bytes) -> tuple[list[_Row], int]:
    """Rows after the header and the header's width; raises ListParseError on malformed CSV."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListParseError(f"CSV is not UTF-8: {exc}", source=SOURCE_ID) from exc
    head = text[:1024].lstrip().lower()
    if head.startswith(("<!doctype html", "<html")) or "<html" in head:
        raise ListParseError("received an HTML page instead of the CSV list", source=SOURCE_ID)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[_Row] = []
    columns: dict[str, int] | None = None
    width = 0
    try:
        for cells in reader:
            if columns is not None:
                rows.append(_Row(cells, columns, reader.line_num))
            elif reader.line_num > _HEADER_SEARCH_LINES:
                break
            elif {"unique id", "name 6"} <= set(found := _columns(cells)):
                columns, width = found, len(cells)
    except csv.Error as exc:
        raise ListParseError(
            f"malformed CSV at line {reader.line_num} (truncated download?): {exc}",
            source=SOURCE_ID,
        ) from exc
    if columns is None:
        raise ListParseError(
            "no header row with 'Unique ID' and 'Name 6' columns near the top of the file",
            source=SOURCE_ID,
        )
    missing = [c for c in _REQUIRED if c not in columns]
    if missing:
        raise ListParseError(f"CSV header lacks columns: {', '.join(missing)}", source=SOURCE_ID)
    return rows, width


def _names(rows: list[_Row], key: str, warnings: list[str]) -> tuple[str, tuple[Name, ...]]:
    named = [r for r in rows if r.full_name()]
    primary_rows = [r for r in named if r.get("name type").lower() == "primary name"]
    if not primary_rows:
        primary_rows = [r for r in named if not r.get("name type")] or named[:1]
        if primary_rows:
            warnings.append(f"{key}: no 'Primary Name' row; line {primary_rows[0].line} used")
    primary = primary_rows[0].full_name() if primary_rows else ""
    aliases: dict[str, Name] = {}
    for row in rows:
        value = row.full_name()
        if value and value != primary and value not in aliases:
            weak = "low" in row.get("alias strength").lower()
            kind = _NAME_KINDS.get(row.get("name type").lower(), "aka")
            aliases[value] = Name(value, NameStrength.WEAK if weak else NameStrength.STRONG, kind)
        original = row.get("name non-latin script")
        if original and original != primary and original not in aliases:
            script = detect_script(original)
            aliases[original] = Name(original, NameStrength.STRONG, "original_script", script)
    return primary, tuple(aliases.values())


def _address(row: _Row) -> Address | None:
    lines = [row.get(f"address line {i}") for i in range(1, 7)]
    postal, country = row.get("address postal code"), row.get("address country")
    full = ", ".join(p for p in (*lines, postal, country) if p)
    if not full:
        return None
    # The six lines are free text (street, district, city and region in no fixed order), so only
    # the whole address, the postal code and the country are mapped to fields.
    return Address(full, postal_code=postal or None, country=country_code(country))


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _entry(key: str, rows: list[_Row], warnings: list[str]) -> ListEntry | None:
    primary, aliases = _names(rows, key, warnings)
    if not primary:
        warnings.append(f"{key}: no name on any of its rows; skipped")
        return None
    kind_text = next((t for r in rows if (t := r.get("designation type"))), "")
    kind = _KINDS.get(kind_text.lower(), EntityKind.UNKNOWN)
    if kind is EntityKind.UNKNOWN:
        warnings.append(f"{key}: unknown designation type {kind_text!r}, kept as unknown")

    def cells(column: str) -> list[str]:
        return [v for r in rows for v in _split(r.get(column))]

    identifiers = [Identifier(label, v) for col, label in _IDENTIFIERS for v in cells(col)]
    designated = sorted(d for v in cells("date designated") if (d := _date(v)))
    websites = [w for v in cells("website") for w in re.split(r"[\s,;]+", v) if "." in w]
    emails = [d.lower() for v in cells("email address") for d in _EMAIL_DOMAIN.findall(v)]
    birth_dates = [_date(v, partial=True) or v for v in cells("d.o.b")]
    # A ship's flag ties it to a country the way nationality ties a person.
    countries = cells("nationality(/ies)") + cells("current believed flag of ship")
    extra = {
        "ofsi_group_id": _unique(cells("ofsi group id")),
        "un_reference_number": _unique(cells("un reference number")),
        "designation_source": _unique(cells("designation source")),
        "sanctions_imposed": _unique(cells("sanctions imposed")),
        "last_updated": _unique([_date(v) or v for v in cells("last updated")]),
        "birth_dates": _unique(birth_dates),
        "title": _unique(cells("title")),
        "position": _unique(cells("position")),
        "statement_of_reasons": _unique(cells("uk statement of reasons")),
    }
    return ListEntry(
        source=SOURCE_ID,
        source_key=key,
        kind=kind,
        name=primary,
        lists=("UK",),
        programs=_unique(cells("regime name")),
        aliases=aliases,
        addresses=tuple(dict.fromkeys(a for r in rows if (a := _address(r)) is not None)),
        identifiers=tuple(dict.fromkeys(identifiers)),
        countries=_unique([country_code(v) or "" for v in countries]),
        websites=_unique(websites),
        email_domains=_unique(emails),
        listed_on=designated[0] if designated else None,
        remarks="\n".join(_unique(cells("other information"))) or None,
        extra={name: "; ".join(values) for name, values in extra.items() if values},
    )


def parse(files: Mapping[str, bytes]) -> ParseResult:
    raw = files.get(FILE.name)
    if raw is None:
        raise ListParseError(f"file {FILE.name!r} was not fetched", source=SOURCE_ID)
    rows, width = _read(raw)
    warnings: list[str] = []
    groups: dict[str, list[_Row]] = {}
    for index, row in enumerate(rows):
        if not any(c.strip() for c in row.cells):
            continue
        if len(row.cells) < width:
            if index == len(rows) - 1:
                raise ListParseError(
                    f"last row (line {row.line}) has {len(row.cells)} of {width} columns: "
                    "the file looks truncated",
                    source=SOURCE_ID,
                )
            warnings.append(f"line {row.line}: {len(row.cells)} of {width} columns; read as is")
        key = row.get("unique id")
        if not key:
            warnings.append(f"line {row.line}: no Unique ID; row skipped")
            continue
        groups.setdefault(key, []).append(row)
    entries = [e for key, group in groups.items() if (e := _entry(key, group, warnings))]
    return ParseResult(entries, warnings)


SOURCE = ListSource(
    id=SOURCE_ID,
    title="UK Sanctions List",
    publisher="Foreign, Commonwealth & Development Office (UK)",
    files=(FILE,),
    parse=parse,
    min_records=1_000,
    max_records=100_000,
    homepage="https://www.gov.uk/government/publications/the-uk-sanctions-list",
)
