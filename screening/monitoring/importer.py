"""`customers import`: a CSV of customers, checked whole before anything is written, then
stored row by row: a bad row is reported with its line number and the good rows are kept.

A file that cannot be read as a whole (too large, not UTF-8, not CSV, no required header) is
refused before any write, so nothing already stored is ever lost or half-changed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from screening.errors import InvalidQueryError, ScreeningError
from screening.monitoring import customers
from screening.monitoring.customers import CustomerData
from screening.monitoring.models import Customer

REQUIRED = ("external_id", "name")
OPTIONAL = ("aliases", "country", "address", "website", "email_domain", "owners", "account_ids")


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    values: dict[str, str]

    @property
    def external_id(self) -> str:
        return self.values.get("external_id", "").strip()


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.rows} rows: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.errors)} refused"
        )


def read_file(path: Path, *, max_bytes: int) -> list[Row]:
    """Every data row of the file, or an error that names what is wrong with the file."""
    text = read_text(path, max_bytes=max_bytes, setting="SCREENING_CUSTOMER_IMPORT_MAX_MB")
    return parse_text(text, origin=str(path))


def read_text(path: Path, *, max_bytes: int, setting: str) -> str:
    """An uploaded CSV file's text (UTF-8, a BOM allowed), refused with a message that says what
    to do when it is unreadable, larger than `max_bytes` (raised with `setting`) or not UTF-8."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidQueryError(f"{path}: cannot read: {exc.strerror}") from None
    if size > max_bytes:
        raise InvalidQueryError(
            f"{path} is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit "
            f"({setting}): split it"
        )
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidQueryError(
            f"{path} is not UTF-8 text (byte {exc.start}): save it as UTF-8 and try again"
        ) from None


def parse_text(text: str, *, origin: str = "input") -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InvalidQueryError(
                f"{origin} needs a header with {', '.join(REQUIRED)} (missing: "
                f"{', '.join(missing)}); optional: {', '.join(OPTIONAL)}"
            )
        rows: list[Row] = []
        line = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                padded = cells + [""] * (len(header) - len(cells))
                rows.append(Row(line, dict(zip(header, padded, strict=False))))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidQueryError(f"{origin} line {reader.line_num}: not valid CSV: {exc}") from None
    return rows


def duplicates(rows: list[Row]) -> dict[str, list[int]]:
    """external_ids on more than one line, with those lines."""
    lines: dict[str, list[int]] = {}
    for row in rows:
        lines.setdefault(row.external_id, []).append(row.line)
    return {key: found for key, found in lines.items() if key and len(found) > 1}


def _owners(text: str) -> tuple[dict[str, Any], ...]:
    if not text.strip():
        return ()
    try:
        parsed = json.loads(text)
    except RecursionError:
        raise InvalidQueryError("owners is nested too deeply to read") from None
    except ValueError as exc:
        raise InvalidQueryError(f"owners is not valid JSON: {exc}") from None
    if not isinstance(parsed, list) or not all(isinstance(o, dict) for o in parsed):
        raise InvalidQueryError("owners must be a JSON list of owner objects")
    return tuple(parsed)


def data_of_row(row: Row) -> tuple[CustomerData, list[str]]:
    values = row.values

    def optional(name: str) -> str | None:
        return values.get(name, "").strip() or None

    def items(name: str) -> list[str]:
        return [v.strip() for v in values.get(name, "").split(";") if v.strip()]

    data = CustomerData(
        name=values.get("name", "").strip(),
        aliases=tuple(items("aliases")),
        country=optional("country"),
        address=optional("address"),
        website=optional("website"),
        email_domain=optional("email_domain"),
        owners=_owners(values.get("owners", "")),
    )
    if not data.name:
        raise InvalidQueryError("name is empty")
    return data, items("account_ids")


ChangeHook = Callable[[Session, Customer], None]


def import_row(
    session: Session, row: Row, report: ImportReport, *, on_change: ChangeHook | None
) -> None:
    """One row inside a savepoint: all of it is stored (customer, accounts, its screen) or
    none of it."""
    try:
        with session.begin_nested():
            data, account_ids = data_of_row(row)
            accounts = [(a, None) for a in account_ids]
            existed = customers.find_customer(session, row.external_id) is not None
            customer, changed = customers.upsert(session, row.external_id, data)
            customers.attach_accounts(session, customer, accounts)
            if changed and on_change is not None:
                on_change(session, customer)
    except ScreeningError as exc:
        report.errors.append((row.line, exc.detail))
        return
    if not changed:
        report.unchanged += 1
    elif existed:
        report.updated += 1
    else:
        report.created += 1


def import_rows(
    session: Session,
    rows: list[Row],
    *,
    on_change: ChangeHook | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport(rows=len(rows))
    repeated = duplicates(rows)
    for row in rows:
        if row.external_id in repeated:
            on = ", ".join(str(n) for n in repeated[row.external_id])
            report.errors.append(
                (row.line, f"external_id {row.external_id!r} is on lines {on}: keep one")
            )
        else:
            import_row(session, row, report, on_change=on_change)
        if progress is not None:
            progress(1)
    report.errors.sort()
    return report
