"""Recording an observation on PostgreSQL in two round trips instead of five: the values and
the account's rows are each written by one statement (data-modifying CTEs, which SQLite does
not have; `store` keeps the portable statements for it). Same rows, same degrees, same
conflict rules: the unique constraints still decide between two writers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.orm import Session

from screening.linking.signals import Signal

# Values never seen are inserted, the others read, in one statement. The SELECT does not see
# what the INSERT of the same statement wrote, so each value comes back once; a value another
# writer inserted after the statement began comes back from neither (the caller reads it).
_VALUES = text(
    """
    WITH given AS (
        SELECT g.kind, g.digest, g.display, g.counts
        FROM unnest(CAST(:kinds AS varchar[]), CAST(:digests AS varchar[]),
                    CAST(:displays AS varchar[]), CAST(:counts AS boolean[]))
             AS g(kind, digest, display, counts)
    ), fresh AS (
        INSERT INTO signal_values (kind, digest, display, counts, accounts)
        SELECT kind, digest, display, counts, 0 FROM given ORDER BY kind, digest
        ON CONFLICT (kind, digest) DO NOTHING
        RETURNING id, kind, digest
    )
    SELECT id, kind, digest FROM fresh
    UNION ALL
    SELECT v.id, v.kind, v.digest
    FROM signal_values AS v JOIN given AS g ON g.kind = v.kind AND g.digest = v.digest
    """
)

# The account's rows: new ones inserted (each raising its value's degree by one), the others
# counted once more. `again` only sees rows that existed when the statement began: a row
# another writer inserted meanwhile is in neither result, and the caller counts it.
_ROWS = text(
    """
    WITH given AS (
        SELECT unnest(CAST(:ids AS integer[])) AS signal_id
    ), fresh AS (
        INSERT INTO account_signals (account_pk, signal_id, first_seen, last_seen, observations)
        SELECT CAST(:pk AS integer), signal_id, CAST(:at AS timestamptz),
               CAST(:at AS timestamptz), 1
        FROM given ORDER BY signal_id
        ON CONFLICT (account_pk, signal_id) DO NOTHING
        RETURNING signal_id
    ), degree AS (
        UPDATE signal_values SET accounts = accounts + 1
        WHERE id IN (SELECT signal_id FROM fresh)
        RETURNING id, accounts, counts
    ), again AS (
        UPDATE account_signals AS s
        SET observations = s.observations + 1,
            last_seen = GREATEST(s.last_seen, CAST(:at AS timestamptz)),
            first_seen = LEAST(s.first_seen, CAST(:at AS timestamptz))
        WHERE s.account_pk = CAST(:pk AS integer)
          AND s.signal_id IN (SELECT signal_id FROM given)
        RETURNING s.signal_id
    )
    SELECT true AS new, id, counts AND accounts = CAST(:crossing AS integer) AS crossed
    FROM degree
    UNION ALL
    SELECT false, signal_id, false FROM again
    """
)


def values(session: Session, signals: Sequence[Signal]) -> dict[tuple[str, str], int]:
    """The id of each signal's value that this statement inserted or found."""
    given = list({(s.kind, s.digest): s for s in signals}.values())
    rows = session.execute(
        _VALUES,
        {
            "kinds": [s.kind for s in given],
            "digests": [s.digest for s in given],
            "displays": [s.display for s in given],
            "counts": [s.counts for s in given],
        },
    )
    return {(kind, digest): id_ for id_, kind, digest in rows}


@dataclass(frozen=True, slots=True)
class Written:
    inserted: set[int]
    crossed: tuple[int, ...]
    counted: set[int]  # rows that existed and were counted once more


def rows(
    session: Session, account_pk: int, ids: Sequence[int], at: datetime, *, max_degree: int
) -> Written:
    found = session.execute(
        _ROWS, {"ids": list(ids), "pk": account_pk, "at": at, "crossing": max_degree + 1}
    )
    inserted: set[int] = set()
    crossed: list[int] = []
    counted: set[int] = set()
    for new, signal_id, over in found:
        (inserted if new else counted).add(signal_id)
        if over:
            crossed.append(signal_id)
    return Written(inserted, tuple(sorted(crossed)), counted)


def insert_many(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str],
    returning: str,
) -> list[Any]:
    """INSERT ... SELECT FROM jsonb_to_recordset(:rows) ON CONFLICT DO NOTHING, returning one
    column of the rows inserted: thousands of rows as one statement of one parameter, encoded
    by json (a statement of thousands of placeholders, or arrays of escaped text, is parsed
    and dumped slowly by the driver, and anew each time)."""
    if not rows:
        return []
    dialect = session.get_bind().dialect
    names = list(rows[0])
    fields = ", ".join(f"{name} {table.c[name].type.compile(dialect=dialect)}" for name in names)
    # Names and types from the table's own metadata, never from a caller; the rows are bound.
    statement = text(
        f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608
        f"SELECT {', '.join(names)} FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({fields}) "
        f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING RETURNING {returning}"
    )
    document = json.dumps(list(rows), default=_json_value)
    return list(session.execute(statement, {"rows": document}).scalars())


def _json_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()  # an aware UTC time: timestamptz reads it as the same instant
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def set_many(
    session: Session, table: Table, key: str, column: str, pairs: Sequence[tuple[int, int | None]]
) -> None:
    """UPDATE ... FROM unnest(keys, values): each keyed row's column set, one statement."""
    if not pairs:
        return
    statement = text(
        f"UPDATE {table.name} AS t SET {column} = g.value "  # noqa: S608
        f"FROM unnest(CAST(:keys AS integer[]), CAST(:values AS integer[])) AS g(key, value) "
        f"WHERE t.{key} = g.key"
    )
    session.execute(statement, {"keys": [k for k, _ in pairs], "values": [v for _, v in pairs]})
