"""Reading OFAC's legacy "CSV" files (SDN.CSV, ALT.CSV, ... and the CONS_* twins) into rows.

The format predates RFC 4180: no header, CRLF lines, a `-0- ` placeholder for every empty field and
a 0x1A (SUB) byte after the last line. That byte is the only completeness signal the files carry,
so a file without it is accepted only if its last line is itself whole.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from screening.errors import ListParseError

EMPTY = "-0-"
_SUB = "\x1a"
# Above this share of malformed rows the file is treated as broken rather than merely untidy.
MAX_BAD_SHARE = 0.01
# First characters of documents that a misbehaving server returns in place of the file.
_NOT_CSV_STARTS = ("<", "{", "[")


@dataclass(slots=True)
class Table:
    """The well-formed rows of one file, by ent_num, in file order."""

    name: str
    rows: list[tuple[int, list[str | None]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def decode(raw: bytes, *, name: str, source: str) -> str:
    """Text of a file; OFAC publishes ASCII, but mirrors have re-encoded it as UTF-8 or cp1252."""
    if b"\x00" in raw:
        raise ListParseError(
            f"{name}: binary content (NUL bytes), not an OFAC CSV file", source=source
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    # latin-1 maps every byte, so this cannot fail: the bytes cp1252 leaves undefined end up here.
    return raw.decode("latin-1")


def read_table(
    raw: bytes, *, name: str, columns: int, source: str, may_be_empty: bool = False
) -> Table:
    """Rows of one file; malformed rows are skipped with a warning unless there are too many.

    `may_be_empty`: a file holding only the end-of-file marker is a complete, empty table (OFAC
    publishes the comments file that way when no Remarks overflow); a 0-byte file never is.
    """
    text = decode(raw, name=name, source=source).lstrip("\ufeff")
    complete = text.rstrip().endswith(_SUB)
    text = text.rstrip().rstrip(_SUB).rstrip("\r\n \t")
    if not text:
        if may_be_empty and complete:
            return Table(name)
        raise ListParseError(f"{name}: file is empty", source=source)
    if text.lstrip().startswith(_NOT_CSV_STARTS):
        raise ListParseError(
            f"{name}: content looks like an HTML, XML or JSON document, not an OFAC CSV file",
            source=source,
        )
    lines = text.splitlines()
    table = Table(name)
    bad: list[int] = []
    reader = csv.reader(lines)
    last_bad = False
    for row in reader:
        parsed = _row(row, columns)
        last_bad = parsed is None
        if parsed is None:
            bad.append(reader.line_num)
        else:
            table.rows.append(parsed)
    if not table.rows:
        raise ListParseError(
            f"{name}: no row has the {columns} columns of an OFAC CSV file", source=source
        )
    if not complete and (last_bad or _open_quote(lines[-1])):
        raise ListParseError(
            f"{name}: truncated (no end-of-file marker and the last line is incomplete)",
            source=source,
        )
    if len(bad) > MAX_BAD_SHARE * len(lines):
        raise ListParseError(
            f"{name}: {len(bad)} of {len(lines)} rows malformed (first at line {bad[0]}); "
            "not an OFAC CSV file or a damaged download",
            source=source,
        )
    table.warnings.extend(
        f"{name} line {number}: skipped (not {columns} columns with a numeric ent_num)"
        for number in bad
    )
    return table


def _row(row: list[str], columns: int) -> tuple[int, list[str | None]] | None:
    if len(row) != columns:
        return None
    ent_num = row[0].strip()
    if not (ent_num.isascii() and ent_num.isdigit()):  # "²" is a digit to isdigit(), not int()
        return None
    # `-0- ` is OFAC's empty field, quoted or not; inline because it runs for every field.
    return int(ent_num), [
        None if (text := value.strip()) == EMPTY or not text else text for value in row[1:]
    ]


def _open_quote(line: str) -> bool:
    # Fields never contain line breaks, so an odd number of quotes means the line was cut short.
    return line.count('"') % 2 == 1
