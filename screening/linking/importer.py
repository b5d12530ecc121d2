"""`signals import`: a CSV of observations (header `account_id` and any of the signal columns),
checked whole before anything is written, then stored row by row in savepoints: a bad row is
reported with its line number and the good rows are kept.

A file that cannot be read as a whole (too large, not UTF-8, not CSV, no `account_id` or no
signal column, an unknown column) is refused before any write.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from screening.errors import InvalidQueryError, ScreeningError
from screening.linking import service
from screening.linking.service import Context
from screening.linking.signals import SIGNAL_FIELDS, Observation
from screening.monitoring.importer import read_text

COLUMNS = (*SIGNAL_FIELDS, "observed_at")


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    values: dict[str, str]
    extra_cells: int = 0


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    stored: int = 0
    new_signals: int = 0
    linked: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.rows} rows: {self.stored} stored ({self.new_signals} new signals, "
            f"{self.linked} accounts sent to review by links), {len(self.errors)} refused"
        )


def read_file(path: Path, *, max_bytes: int) -> list[Row]:
    text = read_text(path, max_bytes=max_bytes, setting="SCREENING_SIGNAL_IMPORT_MAX_MB")
    return parse_text(text, origin=str(path))


def parse_text(text: str, *, origin: str = "input") -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        unknown = [h for h in header if h != "account_id" and h not in COLUMNS]
        if "account_id" not in header or not set(header) & set(COLUMNS) or unknown:
            why = f"unknown columns: {', '.join(unknown)}; " if unknown else ""
            raise InvalidQueryError(
                f"{origin} needs a header with account_id and any of {', '.join(COLUMNS)} "
                f"({why}header: {','.join(header) or 'none'})"
            )
        if len(set(header)) != len(header):
            raise InvalidQueryError(f"{origin}: a column is named twice in the header")
        rows: list[Row] = []
        line = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                padded = cells + [""] * (len(header) - len(cells))
                extra = max(0, len(cells) - len(header))
                rows.append(Row(line, dict(zip(header, padded, strict=False)), extra))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidQueryError(f"{origin} line {reader.line_num}: not valid CSV: {exc}") from None
    return rows


def observation_of(row: Row) -> Observation:
    values = row.values
    if row.extra_cells:
        raise InvalidQueryError(f"{row.extra_cells} more cells than the header has columns")

    def cell(name: str) -> str | None:
        return values.get(name, "").strip() or None

    text = cell("billing_address")
    address: str | dict[str, object] | None = text
    if text is not None and text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise InvalidQueryError(f"billing_address is not valid JSON: {exc}") from None
        if not isinstance(parsed, dict):
            raise InvalidQueryError("billing_address JSON must be an object")
        address = parsed
    when = None
    raw_when = cell("observed_at")
    if raw_when is not None:
        try:
            when = datetime.fromisoformat(raw_when)
        except ValueError:
            raise InvalidQueryError(
                f"observed_at {raw_when[:40]!r} is not an ISO 8601 time"
            ) from None
    return Observation(
        email=cell("email"),
        payment_fingerprint=cell("payment_fingerprint"),
        device_id=cell("device_id"),
        phone=cell("phone"),
        ip=cell("ip"),
        asn=cell("asn"),
        organisation=cell("organisation"),
        billing_address=address,
        observed_at=when,
    )


def import_rows(
    session: Session,
    rows: list[Row],
    ctx: Context,
    *,
    actor: str,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport(rows=len(rows))
    for row in rows:
        try:
            with session.begin_nested():
                account_id = row.values.get("account_id", "").strip()
                if not account_id:
                    raise InvalidQueryError("account_id is empty")
                account = service.find_account(session, account_id)
                done = service.record(session, account, observation_of(row), ctx, actor=actor)
        except ScreeningError as exc:
            report.errors.append((row.line, exc.detail))
        else:
            report.stored += 1
            report.new_signals += done.new
            report.linked += done.added
        if progress is not None:
            progress(1)
    return report
