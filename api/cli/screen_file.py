"""Bulk screening of a CSV file into JSONL or CSV, row by row, without losing a row."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from screening.errors import InvalidQueryError, ScreeningError
from screening.policy.subject import Subject

REQUIRED = ("id", "name")
OPTIONAL = (
    "aliases", "kind", "country", "address", "email", "website", "domain", "identifiers",
    "identifier", "owners", "context",
)  # fmt: skip
CSV_COLUMNS = (
    "id", "decision", "reasons", "score", "source", "source_key", "list", "entity_name",
    "matched_name", "match_score", "explanation", "screening_id", "error",
)  # fmt: skip
BATCH = 256


@dataclass(slots=True)
class FileSummary:
    rows: int = 0
    errors: int = 0
    review: int = 0
    deny: int = 0


def _header(fieldnames: Sequence[str] | None) -> list[str]:
    header = [h.strip().lower() for h in (fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidQueryError(
            f"input CSV needs a header with {', '.join(REQUIRED)} (missing: {', '.join(missing)}); "
            f"optional: {', '.join(OPTIONAL)}"
        )
    return header


def check_file(path: Path) -> int:
    """Validate the header before any work is done; returns the number of data rows."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            _header(next(reader, None))
            return sum(1 for _ in reader)
    except UnicodeDecodeError as exc:
        raise InvalidQueryError(f"{path} is not UTF-8 text: {exc}") from exc
    except csv.Error as exc:
        raise InvalidQueryError(f"{path} is not a readable CSV file: {exc}") from exc


def read_rows(handle: IO[str]) -> Iterator[dict[str, str]]:
    reader = csv.DictReader(handle)
    reader.fieldnames = _header(reader.fieldnames)
    for row in reader:
        yield {k: (v or "").strip() for k, v in row.items() if k is not None}


Screener = Callable[[Subject, str], dict[str, Any]]


def subject_of(row: dict[str, str]) -> tuple[Subject, str]:
    """A row's party and context; list cells are `;`-separated, `owners` is JSON."""

    def items(column: str) -> tuple[str, ...]:
        return tuple(v.strip() for v in row.get(column, "").split(";") if v.strip())

    owners: tuple[dict[str, Any], ...] = ()
    if row.get("owners"):
        try:
            parsed = json.loads(row["owners"])
        except (ValueError, RecursionError) as exc:
            raise InvalidQueryError(f"owners is not valid JSON: {exc}") from None
        if not isinstance(parsed, list):
            raise InvalidQueryError("owners must be a JSON list of owner objects")
        owners = tuple(parsed)
    subject = Subject(
        name=row.get("name", ""),
        aliases=items("aliases"),
        kind=row.get("kind") or None,
        country=row.get("country") or None,
        address=row.get("address") or None,
        email=row.get("email") or None,
        website=row.get("website") or row.get("domain") or None,
        identifiers=items("identifiers") + items("identifier"),
        owners=owners,
    )
    return subject, row.get("context") or "signup"


def _result(screen: Screener, row: dict[str, str]) -> dict[str, Any]:
    try:
        subject, context = subject_of(row)
        result = screen(subject, context)
    except ScreeningError as exc:
        return {"id": row.get("id", ""), "decision": None, "error": exc.detail, "matches": []}
    return {"id": row.get("id", ""), **result}


def screen_rows(screen: Screener, rows: Iterator[dict[str, str]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield _result(screen, row)


def write_jsonl(out: IO[str], result: dict[str, Any]) -> None:
    out.write(json.dumps(result, ensure_ascii=False) + "\n")


def csv_row(result: dict[str, Any]) -> dict[str, Any]:
    """One CSV line per input row: the best match flattened (all matches are in JSONL)."""
    best = result["matches"][0] if result.get("matches") else {}
    return {
        "id": result["id"],
        "decision": result.get("decision"),
        "reasons": " | ".join(r["detail"] for r in result.get("reasons", ())),
        "screening_id": result.get("screening_id"),
        "score": result.get("score"),
        "source": best.get("source"),
        "source_key": best.get("source_key"),
        "list": best.get("list"),
        "entity_name": best.get("entity_name"),
        "matched_name": best.get("matched_name"),
        "match_score": best.get("score"),
        "explanation": best.get("explanation"),
        "error": result.get("error"),
    }
