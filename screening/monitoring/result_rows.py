"""Customers' result rows written in bulk (a rescreen chunk's): plain values, no ORM objects.

A chunk of 500 customers used to load 500 `CustomerResult` objects, set their fields and let the
unit of work send one UPDATE per row (on PostgreSQL a statement and its parameters per row, a
tenth of a full rescreen's time there). Here the rows are values: SQLite takes them as one
executemany (in process, cheap); PostgreSQL takes them as one statement whose rows arrive as one
JSON parameter. Functions take a Session and never commit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from screening.db import in_lists
from screening.monitoring.models import CustomerResult

_TABLE = cast(Table, CustomerResult.__table__)


@dataclass(frozen=True, slots=True)
class Held:
    """What a stored result row says of access: a new screen keeps `since` if access stays."""

    access: str
    since: datetime


@dataclass(frozen=True, slots=True)
class ResultRow:
    customer_id: int
    decision: str
    screened_at: datetime
    policy_version: str
    version_ids: dict[str, int]
    screening_id: str
    data_hash: str
    access: str
    access_reason: str
    access_since: datetime
    near_miss: float | None
    # None when the kept readings (and their terms) are current: the stored ones stay.
    readings: dict[str, Any] | None
    terms: str | None


def held(session: Session, customer_ids: Iterable[int]) -> dict[int, Held]:
    """The stored access of these customers (those with a result row)."""
    table = _TABLE
    found: dict[int, Held] = {}
    for part in in_lists(customer_ids):
        for customer_id, access, since in session.execute(
            select(table.c.customer_id, table.c.access, table.c.access_since).where(
                table.c.customer_id.in_(part)
            )
        ):
            found[customer_id] = Held(access, since)
    return found


def write(session: Session, rows: Sequence[ResultRow], existing: set[int]) -> None:
    """Insert the rows of customers not in `existing`, update the others."""
    if not rows:
        return
    postgres = session.get_bind().dialect.name == "postgresql"
    fresh = [r for r in rows if r.customer_id not in existing]
    if fresh:
        if postgres:
            session.execute(_INSERT_POSTGRES, {"rows": _json_rows(fresh)})
        else:
            session.execute(insert(_TABLE), [asdict(r) for r in fresh])
    stale = [r for r in rows if r.customer_id in existing]
    if stale:
        if postgres:
            session.execute(_UPDATE_POSTGRES, {"rows": _json_rows(stale)})
        else:
            _update_each(session, stale)
    _expire(session, {r.customer_id for r in rows})


_FIELDS = (
    "decision",
    "screened_at",
    "policy_version",
    "version_ids",
    "screening_id",
    "data_hash",
    "access",
    "access_reason",
    "access_since",
    "near_miss",
)
_KEPT = ("readings", "terms")


def _update_each(session: Session, rows: Sequence[ResultRow]) -> None:
    table = _TABLE
    for keeps in (True, False):
        names = (*_FIELDS, *_KEPT) if keeps else _FIELDS
        chosen = [r for r in rows if (r.terms is not None) is keeps]
        if not chosen:
            continue
        statement = (
            update(table)
            .where(table.c.customer_id == bindparam("b_customer_id"))
            .values({name: bindparam(f"b_{name}") for name in names})
        )
        session.execute(
            statement,
            [
                {"b_customer_id": r.customer_id, **{f"b_{n}": getattr(r, n) for n in names}}
                for r in chosen
            ],
        )


# The rows arrive as one JSON array; `keeps` says whether the readings and terms are replaced.
_RECORDS = """
    jsonb_to_recordset(CAST(:rows AS jsonb)) AS v(
        customer_id integer, decision text, screened_at timestamptz, policy_version text,
        version_ids jsonb, screening_id text, data_hash text, access text, access_reason text,
        access_since timestamptz, near_miss double precision, readings jsonb, terms text,
        keeps boolean
    )
"""
# (`_RECORDS` is a constant of this module: no input reaches these strings.)
_UPDATE_POSTGRES = text(
    f"""
    UPDATE customer_results AS r SET
        decision = v.decision,
        screened_at = v.screened_at,
        policy_version = v.policy_version,
        version_ids = v.version_ids,
        screening_id = v.screening_id,
        data_hash = v.data_hash,
        access = v.access,
        access_reason = v.access_reason,
        access_since = v.access_since,
        near_miss = v.near_miss,
        readings = CASE WHEN v.keeps THEN v.readings ELSE r.readings END,
        terms = CASE WHEN v.keeps THEN v.terms ELSE r.terms END
    FROM {_RECORDS}
    WHERE r.customer_id = v.customer_id
    """  # noqa: S608
)
# A customer's first result (its first rescreen after an import writes every row this way).
_INSERT_POSTGRES = text(
    f"""
    INSERT INTO customer_results (
        customer_id, decision, screened_at, policy_version, version_ids, screening_id,
        data_hash, access, access_reason, access_since, near_miss, readings, terms
    )
    SELECT customer_id, decision, screened_at, policy_version, version_ids, screening_id,
        data_hash, access, access_reason, access_since, near_miss, readings, terms
    FROM {_RECORDS}
    """  # noqa: S608
)


def _json_rows(rows: Sequence[ResultRow]) -> str:
    return json.dumps(
        [
            {
                **asdict(r),
                "screened_at": r.screened_at.isoformat(),
                "access_since": r.access_since.isoformat(),
                "keeps": r.terms is not None,
            }
            for r in rows
        ]
    )


def _expire(session: Session, customer_ids: set[int]) -> None:
    """Result objects this session loaded earlier are stale now: read again when next used."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, CustomerResult) and obj.customer_id in customer_ids:
            session.expire(obj)
