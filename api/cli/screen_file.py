"""Bulk screening of a CSV file into JSONL or CSV, row by row, without losing a row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from screening.errors import InvalidQueryError, ScreeningError
from screening.matching import MatchIndex, Query
from screening.policy import decision as policy

REQUIRED = ("id", "name")
OPTIONAL = ("country", "domain", "address", "identifier")
CSV_COLUMNS = (
    "id", "decision", "score", "source", "source_key", "list", "entity_name", "matched_name",
    "match_score", "explanation", "error",
)  # fmt: skip
BATCH = 256


@dataclass(slots=True)
class FileSummary:
    rows: int = 0
    errors: int = 0
    review: int = 0


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


def _result(index: MatchIndex, row: dict[str, str]) -> dict[str, Any]:
    try:
        query = Query.from_fields(row)
        result = policy.screen(index, query, limit=5).to_dict()
    except ScreeningError as exc:
        return {"id": row.get("id", ""), "decision": None, "error": exc.detail, "matches": []}
    return {"id": row.get("id", ""), **result}


def screen_rows(index: MatchIndex, rows: Iterator[dict[str, str]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        yield _result(index, row)


def write_jsonl(out: IO[str], result: dict[str, Any]) -> None:
    out.write(json.dumps(result, ensure_ascii=False) + "\n")


def csv_row(result: dict[str, Any]) -> dict[str, Any]:
    """One CSV line per input row: the best match flattened (all matches are in JSONL)."""
    best = result["matches"][0] if result.get("matches") else {}
    return {
        "id": result["id"],
        "decision": result.get("decision"),
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
