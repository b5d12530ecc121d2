"""The hand-written evaluation sets in bench/eval/, split into tune and test halves.

Positives are split by a hash of `listed_name` (every variant of one organisation falls in one
half), negatives by a hash of `query`. Only the tune half may be inspected while tuning; the test
half is reported as aggregate figures per category, never row by row.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parent / "eval"
SETS = ("chinese", "affiliate_evasion")


@dataclass(frozen=True, slots=True)
class EvalRow:
    query: str
    listed_name: str  # empty for a negative
    category: str
    note: str
    split: str  # "tune" or "test"


def split_of(listed_name: str, query: str) -> str:
    """tune if the first byte of sha1(listed_name) (positives) or sha1(query) is even."""
    key = listed_name or query
    return (
        "tune"
        if hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).digest()[0] % 2 == 0
        else "test"
    )


def load_set(name: str) -> list[EvalRow]:
    """Every row of bench/eval/{name}.tsv with its split."""
    path = EVAL_DIR / f"{name}.tsv"
    rows: list[EvalRow] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        for r in reader:
            listed = r["listed_name"] or ""
            rows.append(
                EvalRow(
                    r["query"], listed, r["category"], r["note"] or "", split_of(listed, r["query"])
                )
            )
    return rows


def tune_rows(name: str) -> list[EvalRow]:
    """The tune half only: the rows that may be read while tuning."""
    return [r for r in load_set(name) if r.split == "tune"]
