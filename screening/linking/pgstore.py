"""Linking on PostgreSQL in fewer round trips (data-modifying CTEs, arrays and JSON, which
SQLite does not have; the portable modules keep the statements for it): an observation's
values and rows written, and what its links need read, by one statement; the members and
alerts of a growth by two statements sent in one round trip (psycopg's pipeline mode). Same
rows, same degrees, same conflict rules: the unique constraints still decide between two
writers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import psycopg
from sqlalchemy import Dialect, Table, TextClause, text
from sqlalchemy.engine import Compiled
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from screening.linking.rules import PERSONAL, Degrees
from screening.linking.signals import Signal

_PERSONAL_KINDS = ", ".join(f"'{kind}'" for kind in sorted(PERSONAL))
# A value's degree cut-off (`rules.Degrees`), by its `kind` column: `<LIMIT>` in the statements.
_LIMIT = (
    f"(CASE WHEN kind IN ({_PERSONAL_KINDS}) THEN CAST(:personal_max_degree AS integer) "
    "ELSE CAST(:max_degree AS integer) END)"
)


def _sql(statement: str) -> TextClause:
    return text(statement.replace("<LIMIT>", _LIMIT))


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
_ROWS = _sql(
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
        RETURNING id, accounts, counts, kind
    ), again AS (
        UPDATE account_signals AS s
        SET observations = s.observations + 1,
            last_seen = GREATEST(s.last_seen, CAST(:at AS timestamptz)),
            first_seen = LEAST(s.first_seen, CAST(:at AS timestamptz))
        WHERE s.account_pk = CAST(:pk AS integer)
          AND s.signal_id IN (SELECT signal_id FROM given)
        RETURNING s.signal_id
    )
    SELECT true AS new, id, counts AND accounts = <LIMIT> + 1 AS crossed
    FROM degree
    UNION ALL
    SELECT false, signal_id, false FROM again
    """
)


# `_VALUES` and `_ROWS` in one statement. A value this statement inserts is stored with
# degree 1 at once: the degree UPDATE cannot see rows inserted by its own statement, and no
# row of this account can carry a value that did not exist. `known` only sees values that
# existed when the statement began: one that another writer inserted meanwhile is in no
# result (nor written), and the caller writes its row the two-statement way.
# The writes `_OBSERVE` and `_OBSERVE_LOOK` share: the CTEs up to `again`, left open.
_WRITES = """
    WITH given AS (
        SELECT g.kind, g.digest, g.display, g.counts
        FROM unnest(CAST(:kinds AS varchar[]), CAST(:digests AS varchar[]),
                    CAST(:displays AS varchar[]), CAST(:counts AS boolean[]))
             AS g(kind, digest, display, counts)
    ), made AS (
        INSERT INTO signal_values (kind, digest, display, counts, accounts)
        SELECT kind, digest, display, counts, 1 FROM given ORDER BY kind, digest
        ON CONFLICT (kind, digest) DO NOTHING
        RETURNING id, counts, kind
    ), known AS (
        SELECT v.id
        FROM signal_values AS v JOIN given AS g ON g.kind = v.kind AND g.digest = v.digest
    ), fresh AS (
        INSERT INTO account_signals (account_pk, signal_id, first_seen, last_seen, observations)
        SELECT CAST(:pk AS integer), id, CAST(:at AS timestamptz), CAST(:at AS timestamptz), 1
        FROM (SELECT id FROM made UNION ALL SELECT id FROM known) AS ids ORDER BY id
        ON CONFLICT (account_pk, signal_id) DO NOTHING
        RETURNING signal_id
    ), degree AS (
        UPDATE signal_values SET accounts = accounts + 1
        WHERE id IN (SELECT signal_id FROM fresh)
        RETURNING id, accounts, counts, kind
    ), again AS (
        UPDATE account_signals AS s
        SET observations = s.observations + 1,
            last_seen = GREATEST(s.last_seen, CAST(:at AS timestamptz)),
            first_seen = LEAST(s.first_seen, CAST(:at AS timestamptz))
        WHERE s.account_pk = CAST(:pk AS integer)
          AND s.signal_id IN (SELECT id FROM known)
        RETURNING s.signal_id
"""
# What they wrote, one row per value: new (with whether its degree crossed), again, known.
_WRITTEN = """
    SELECT 'new' AS what, id, counts AND accounts = <LIMIT> + 1 AS crossed
    FROM degree
    UNION ALL
    SELECT 'new', id, counts AND 1 = <LIMIT> + 1 FROM made
    UNION ALL
    SELECT 'again', signal_id, false FROM again
    UNION ALL
    SELECT 'known', id, false FROM known
"""
_OBSERVE = _sql(_WRITES + "    )\n" + _WRITTEN)


def _arrays(given: Sequence[Signal]) -> dict[str, Any]:
    return {
        "kinds": [s.kind for s in given],
        "digests": [s.digest for s in given],
        "displays": [s.display for s in given],
        "counts": [s.counts for s in given],
    }


def observe(
    session: Session, account_pk: int, signals: Sequence[Signal], at: datetime, *, degrees: Degrees
) -> tuple[Written, set[int]]:
    """The values and the account's rows in one statement: what was written, and the ids of
    the values it found or inserted (fewer than the signals' values when another writer
    inserted one meanwhile)."""
    given = list({(s.kind, s.digest): s for s in signals}.values())
    found = session.execute(
        _OBSERVE, {**_arrays(given), "pk": account_pk, "at": at, **degrees.params()}
    )
    return _written(found)


def _written(found: Iterable[Sequence[Any]]) -> tuple[Written, set[int]]:
    inserted: set[int] = set()
    crossed: list[int] = []
    counted: set[int] = set()
    ids: set[int] = set()
    for what, signal_id, over in found:
        if what == "new":
            inserted.add(signal_id)
        elif what == "again":
            counted.add(signal_id)
        if what != "again":
            ids.add(signal_id)
        if over:
            crossed.append(signal_id)
    return Written(inserted, tuple(sorted(crossed)), counted), ids


def values(session: Session, signals: Sequence[Signal]) -> dict[tuple[str, str], int]:
    """The id of each signal's value that this statement inserted or found."""
    given = list({(s.kind, s.digest): s for s in signals}.values())
    rows = session.execute(_VALUES, _arrays(given))
    return {(kind, digest): id_ for id_, kind, digest in rows}


@dataclass(frozen=True, slots=True)
class Written:
    inserted: set[int]
    crossed: tuple[int, ...]
    counted: set[int]  # rows that existed and were counted once more


def rows(
    session: Session, account_pk: int, ids: Sequence[int], at: datetime, *, degrees: Degrees
) -> Written:
    found = session.execute(
        _ROWS, {"ids": list(ids), "pk": account_pk, "at": at, **degrees.params()}
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
    statement = _insert_statement(dialect, table, tuple(rows[0]), tuple(conflict), returning)
    document = json.dumps(list(rows), default=_json_value)
    return list(session.execute(statement, {"rows": document}).scalars())


@lru_cache(maxsize=16)
def _insert_statement(
    dialect: Dialect,
    table: Table,
    names: tuple[str, ...],
    conflict: tuple[str, ...],
    returning: str,
) -> TextClause:
    """`insert_many`'s statement, built once: compiling each column's type and parsing the
    text again cost more than the JSON of a signup's rows."""
    fields = ", ".join(f"{name} {table.c[name].type.compile(dialect=dialect)}" for name in names)
    # Names and types from the table's own metadata, never from a caller; the rows are bound.
    return text(
        f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608
        f"SELECT {', '.join(names)} FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({fields}) "
        f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING RETURNING {returning}"
    )


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


# What an observation's links need to know, read at once after its rows are written: whether
# its customer is denied, where it and the accounts it shares values with are (roots and
# members, with what a path through them starts with), those accounts' ids and customers, and
# whether a webhook is active. `:grow` false reads the account's own place only. The
# account's rows first, each value and its carriers looked up by index (OFFSET 0 keeps the
# lookups apart), and the accounts asked for as one array: a plan chosen on the statistics of
# a young table (a handful of rows) scanned every value instead, 13 ms a signup.
# Where the accounts of `asked` are (roots, members) and who they are: the end of the looks.
_PLACES = """
        (SELECT json_agg(json_build_array(r.account_pk, r.cluster_id, c.status,
                                          r.denied_because))
         FROM cluster_roots AS r JOIN link_clusters AS c ON c.id = r.cluster_id
         WHERE r.account_pk = ANY(CAST((SELECT pks FROM asked) AS integer[]))) AS roots,
        (SELECT json_agg(json_build_array(m.account_pk, m.cluster_id, c.status, m.hops,
                                          m.state, m.through, m.path))
         FROM cluster_members AS m JOIN link_clusters AS c ON c.id = m.cluster_id
         WHERE m.account_pk = ANY(CAST((SELECT pks FROM asked) AS integer[]))) AS members,
        (SELECT json_agg(json_build_array(a.id, a.account_id, a.customer_id))
         FROM accounts AS a
         WHERE a.id = ANY(CAST((SELECT pks FROM asked) AS integer[]))
           AND a.id <> CAST(:pk AS integer)) AS accounts
"""
_LOOK_HEAD = """
    WITH mine AS MATERIALIZED (
        SELECT signal_id FROM account_signals
        WHERE CAST(:grow AS boolean) AND account_pk = CAST(:pk AS integer)
    ), n AS (
        SELECT theirs.account_pk AS other, v.kind, v.id
        FROM mine
        CROSS JOIN LATERAL (
            SELECT id, kind FROM signal_values
            WHERE id = mine.signal_id AND counts IS true
              AND accounts > 1 AND accounts <= <LIMIT>
            OFFSET 0
        ) AS v
        CROSS JOIN LATERAL (
            SELECT account_pk FROM account_signals
            WHERE signal_id = v.id AND account_pk <> CAST(:pk AS integer)
            OFFSET 0
        ) AS theirs
    ), asked AS (
        SELECT ARRAY(SELECT other FROM n UNION SELECT CAST(:pk AS integer)) AS pks
    )
    SELECT
        (SELECT access FROM customer_results
         WHERE customer_id = CAST(:customer AS integer)) AS access,
        EXISTS (SELECT 1 FROM webhooks WHERE active) AS hooks,
        (SELECT json_agg(json_build_array(other, kind, id)) FROM n) AS rows,
"""
_LOOK = _sql(_LOOK_HEAD + _PLACES)


# `_OBSERVE` and `_LOOK` in one statement (one round trip less for every observation). The
# look's parts read the snapshot the statement began with, so they see neither the rows nor
# the degrees its own writes make: the account's rows are those it had plus those `fresh`
# inserted, and a value's degree is one more where this account's row is new. A value made
# by the statement has degree 1 and links nobody. What `_LOOK` reads is otherwise the same.
_OBSERVE_LOOK = _sql(
    _WRITES  # noqa: S608 (constants of this module, no input)
    + "    ), written AS (\n"
    + _WRITTEN
    + """
    ), mine AS MATERIALIZED (
        SELECT signal_id, 1 AS bump FROM fresh
        UNION ALL
        SELECT signal_id, 0 FROM account_signals
        WHERE account_pk = CAST(:pk AS integer) AND EXISTS (SELECT 1 FROM fresh)
    ), n AS (
        SELECT theirs.account_pk AS other, v.kind, v.id
        FROM mine
        CROSS JOIN LATERAL (
            SELECT id, kind FROM signal_values
            WHERE id = mine.signal_id AND counts IS true
              AND accounts + mine.bump > 1
              AND accounts + mine.bump <= <LIMIT>
            OFFSET 0
        ) AS v
        CROSS JOIN LATERAL (
            SELECT account_pk FROM account_signals
            WHERE signal_id = v.id AND account_pk <> CAST(:pk AS integer)
            OFFSET 0
        ) AS theirs
    ), asked AS (
        SELECT ARRAY(SELECT other FROM n UNION SELECT CAST(:pk AS integer)) AS pks
    )
    SELECT
        (SELECT json_agg(json_build_array(what, id, crossed)) FROM written) AS written,
        (SELECT access FROM customer_results
         WHERE customer_id = CAST(:customer AS integer)) AS access,
        EXISTS (SELECT 1 FROM webhooks WHERE active) AS hooks,
        (SELECT json_agg(json_build_array(other, kind, id)) FROM n) AS rows,
"""
    + _PLACES
)


@dataclass(frozen=True, slots=True)
class Seen:
    """`_LOOK`'s answer, as plain lists (JSON decoded by the driver)."""

    access: str | None
    hooks: bool
    rows: list[list[Any]]  # [other, kind, value id]
    roots: list[list[Any]]  # [account, cluster, status, denied because]
    members: list[list[Any]]  # [account, cluster, status, hops, state, through, path]
    accounts: list[list[Any]]  # [account, account id, customer]


def observe_look(
    session: Session,
    account_pk: int,
    customer_id: int,
    signals: Sequence[Signal],
    at: datetime,
    *,
    degrees: Degrees,
) -> tuple[Written, set[int], Seen]:
    """`observe`, then `look` with `grow` when a row is new, in one statement."""
    given = list({(s.kind, s.digest): s for s in signals}.values())
    params = {**_arrays(given), "pk": account_pk, "customer": customer_id, "at": at,
              **degrees.params()}  # fmt: skip
    found, access, hooks, rows, roots, members, accounts = _with_generic_plan(
        session, _OBSERVE_LOOK, params
    )
    written, ids = _written(found or [])
    seen = Seen(access, bool(hooks), rows or [], roots or [], members or [], accounts or [])
    return written, ids, seen


@lru_cache(maxsize=8)
def _compiled(statement: TextClause, dialect: Dialect) -> Compiled:
    """Compiled once: SQLAlchemy caches what it executes, not what is compiled for a driver."""
    return statement.compile(dialect=dialect)


def _with_generic_plan(session: Session, statement: TextClause, params: dict[str, Any]) -> Any:
    """The one row of `statement`, run with a generic plan.

    PostgreSQL planned `_OBSERVE_LOOK` anew on every call: it estimates the generic plan
    dearer than the custom ones, so its plan cache never switches. Planning was 0.5 ms of the
    statement's 1.35 ms; with the generic plan it takes 0.8 ms on the 1,000,000-account store
    of `bench.linking_scale` (the LATERAL ... OFFSET 0 parts keep it to index lookups whatever
    the parameters). It is forced for this statement alone, by SET LOCAL before and after it:
    for the whole connection, the portable one-account neighbours query would get a generic
    plan that scans `account_signals`. The three go in one round trip (`_pipelined`).
    """
    if not psycopg.Pipeline.is_supported():  # a libpq older than 14: planned each call
        return session.execute(statement, params).one()
    return _pipelined(session, [_GENERIC, (statement, params), _CUSTOMARY])[1][0]


_GENERIC = "SET LOCAL plan_cache_mode = force_generic_plan"
_CUSTOMARY = "SET LOCAL plan_cache_mode TO DEFAULT"


# A statement of no parameters (a SET), or one of ours with its parameters.
Step = str | tuple[TextClause, dict[str, Any]]


def _pipelined(session: Session, steps: Sequence[Step]) -> list[list[Any]]:
    """The rows of each step, sent to the server together in one round trip (psycopg's
    pipeline mode) in the session's transaction; the statements' texts compiled once. Errors
    are raised as SQLAlchemy's, and a lost connection is not handed out again."""
    dialect = session.get_bind().dialect
    connection = session.connection()
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    sent: list[tuple[str, Any]] = []
    for step in steps:
        if isinstance(step, str):
            sent.append((step, None))
        else:
            compiled = _compiled(step[0], dialect)
            sent.append((str(compiled), compiled.construct_params(step[1])))
    try:
        with driver.pipeline():
            cursors = [driver.execute(sql, bound) for sql, bound in sent]
        return [cursor.fetchall() if cursor.description else [] for cursor in cursors]
    except psycopg.Error as exc:
        lost = driver.broken
        if lost:
            connection.invalidate(exc)
        sql, bound = sent[0]
        raise DBAPIError.instance(
            sql, bound, exc, psycopg.Error, connection_invalidated=lost, dialect=dialect
        ) from exc


def look(
    session: Session, account_pk: int, customer_id: int, *, grow: bool, degrees: Degrees
) -> Seen:
    params = {"pk": account_pk, "customer": customer_id, "grow": grow, **degrees.params()}
    access, hooks, rows, roots, members, accounts = session.execute(_LOOK, params).one()
    return Seen(access, bool(hooks), rows or [], roots or [], members or [], accounts or [])


# A growth's alerts, their events, the members' alert ids, the cluster's time and its event,
# in one statement. Each row is one customer whose alert of this cluster was not seen yet; one
# that exists, or that another process inserted first, is not returned (ON CONFLICT on
# (customer, party): the caller raises it the portable way), so an alert is never opened twice.
_OPEN = text(
    """
    WITH gate AS (
        -- The members by their key alone (OFFSET 0): a generic plan otherwise ANDs in the
        -- cluster's index, every member of the cluster read (2.7 ms on 25,000).
        SELECT CAST(:expected AS integer) IS NULL OR (
            SELECT count(*) FROM (
                SELECT cluster_id, added_at FROM cluster_members
                WHERE account_pk = ANY(CAST(:members AS integer[]))
                OFFSET 0
            ) AS given
            WHERE cluster_id = CAST(:cluster AS integer) AND added_at = CAST(:now AS timestamptz)
        ) = CAST(:expected AS integer) AS ok
    ), r AS (
        SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb))
            AS r(n integer, account_pk integer, customer_id integer, source_key varchar,
                 entity_name text, score float8, reason text, details jsonb)
        WHERE (SELECT ok FROM gate)
    ), a AS (
        INSERT INTO alerts (customer_id, party_key, source, source_key, entity_name, score,
                            decision, status, fingerprint, created_at, updated_at)
        SELECT customer_id, :party_key, :source, source_key, entity_name, score, :decision,
               'open', NULL, CAST(:now AS timestamptz), CAST(:now AS timestamptz)
        FROM r ORDER BY n
        ON CONFLICT (customer_id, party_key) DO NOTHING
        RETURNING id, customer_id
    ), e AS (
        INSERT INTO alert_events (alert_id, at, actor, kind, from_status, to_status, reason,
                                  details)
        SELECT a.id, CAST(:now AS timestamptz), :actor, 'opened', NULL, 'open', r.reason,
               r.details
        FROM a JOIN r USING (customer_id) ORDER BY r.n
    ), m AS (
        UPDATE cluster_members AS t SET alert_id = a.id
        FROM a JOIN r USING (customer_id) WHERE t.account_pk = r.account_pk
    ), c AS (
        UPDATE link_clusters SET updated_at = CAST(:now AS timestamptz)
        WHERE id = CAST(:cluster AS integer) AND (SELECT ok FROM gate)
    ), g AS (
        INSERT INTO cluster_events (cluster_id, at, actor, kind, reason, details)
        SELECT CAST(:cluster AS integer), CAST(:now AS timestamptz), :actor, 'grown',
               :reason, CAST(:details AS jsonb)
        WHERE (SELECT ok FROM gate)
    )
    SELECT a.id, a.customer_id, gate.ok FROM gate LEFT JOIN a ON true
    """
)


@dataclass(frozen=True, slots=True)
class Opening:
    """What a growth's alerts are opened with, and what its `grown` event says."""

    cluster_id: int
    party_key: str
    source: str
    decision: str
    actor: str
    now: datetime
    reason: str
    details: dict[str, Any]

    def params(self, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """`_OPEN`'s parameters for these rows, with no gate."""
        return {
            "rows": json.dumps(list(rows)),
            "party_key": self.party_key,
            "source": self.source,
            "decision": self.decision,
            "actor": self.actor,
            "now": self.now,
            "cluster": self.cluster_id,
            "reason": self.reason,
            "details": json.dumps(self.details),
            "expected": None,
            "members": [],
        }


def open_alerts(
    session: Session, rows: Sequence[dict[str, Any]], opening: Opening
) -> dict[int, int]:
    """The alert id of each customer whose alert this statement opened."""
    return _opened(list(session.execute(_OPEN, opening.params(rows))))[1]


def _opened(rows: Sequence[Sequence[Any]]) -> tuple[bool, dict[int, int]]:
    """Whether `_OPEN` wrote (its gate), and the alert id of each customer whose alert it
    opened: one row at least, the gate's, with no alert where it opened none."""
    return bool(rows[0][2]), {customer: alert_id for alert_id, customer, _ in rows if alert_id}


def members_and_alerts(
    session: Session,
    table: Table,
    members: Sequence[dict[str, Any]],
    alerts: Sequence[dict[str, Any]],
    opening: Opening,
) -> tuple[list[int], dict[int, int] | None] | None:
    """`insert_many` of a growth's members (ON CONFLICT on the account) and `open_alerts` of
    their alerts, in one round trip: the members inserted, and what `open_alerts` returns.
    The alerts' statement writes only if every member is there, new, at `now` (it runs after
    the insert and sees it); when one was not new (another process made it a member
    meanwhile), it writes nothing (None for it), and the caller raises the alerts of the
    members inserted the way it did before. None: the driver cannot pipeline."""
    if not members or not psycopg.Pipeline.is_supported():
        return None
    dialect = session.get_bind().dialect
    insert = _insert_statement(dialect, table, tuple(members[0]), ("account_pk",), "account_pk")
    document = json.dumps(list(members), default=_json_value)
    gated = opening.params(alerts)
    gated.update(expected=len(members), members=[m["account_pk"] for m in members])
    # Generic plans, as for the observation's statement: planning these CTEs each time cost
    # more than running them (every part is a lookup by key, whatever the parameters).
    _, inserted, opened, _ = _pipelined(
        session, [_GENERIC, (insert, {"rows": document}), (_OPEN, gated), _CUSTOMARY]
    )
    wrote, alerts_opened = _opened(opened)
    return [pk for (pk,) in inserted], alerts_opened if wrote else None
