"""Queries of the audit tables. Functions take a Session and never commit."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from screening.audit.models import PolicyVersion, ScreeningRecord
from screening.db import json_safe, utcnow
from screening.errors import NotFoundError


def remember_policy(session: Session, version: str, text: str) -> None:
    """Store a policy text once (insert-or-ignore, race-safe on both databases)."""
    dialect = session.get_bind().dialect.name
    values = {"version": version, "text": text, "created_at": utcnow()}
    if dialect == "postgresql":
        statement: Any = pg_insert(PolicyVersion).values(values).on_conflict_do_nothing()
    else:
        statement = sqlite_insert(PolicyVersion).values(values).on_conflict_do_nothing()
    session.execute(statement)


def policy_text(session: Session, version: str) -> str:
    text = session.scalar(select(PolicyVersion.text).where(PolicyVersion.version == version))
    if text is None:
        raise NotFoundError(f"policy version {version} is not recorded")
    return text


_INSERT_SCREENING = insert(ScreeningRecord)


def screening_row(
    *,
    screening_id: str,
    screened_on: str,
    context: str,
    key_id: str | None,
    request_id: str | None,
    subject: Mapping[str, Any],
    normalized: Mapping[str, Any],
    version_ids: Mapping[str, int],
    policy_version: str,
    decision: str,
    answer: Mapping[str, Any],
    customer_ref: str | None = None,
) -> dict[str, Any]:
    """The values of one audit row, JSON made safe to store."""
    clean_subject = json_safe(dict(subject))
    return {
        "id": screening_id,
        "created_at": utcnow(),
        "screened_on": screened_on,
        "context": context,
        "key_id": key_id,
        "request_id": request_id,
        "subject": clean_subject,
        "normalized": json_safe(dict(normalized)),
        "version_ids": dict(version_ids),
        "policy_version": policy_version,
        "decision": decision,
        # A NUL can only come from the caller's input: the answer is walked only then.
        "answer": dict(answer) if clean_subject == dict(subject) else json_safe(dict(answer)),
        "customer_ref": customer_ref,
    }


def record_screenings(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append audit rows made by `screening_row`.

    A Core insert, not the ORM: no identity-map work. The values go as parameters of one cached
    statement (`.values(...)` would coerce every nested JSON value into SQL elements on each
    call), and many rows go as one executemany. On PostgreSQL a rescreen chunk's rows go by
    COPY: an executemany sends one statement per row, and those round trips and their
    parameter handling were a seventh of a full rescreen's time there.
    """
    if not rows:
        return
    if len(rows) >= COPY_FROM and session.get_bind().dialect.name == "postgresql":
        _copy_screenings(session, rows)
    else:
        session.execute(_INSERT_SCREENING, list(rows))


# Fewer rows than this go as an INSERT (a signup's one row needs no COPY).
COPY_FROM = 20
_COLUMNS = tuple(column.name for column in ScreeningRecord.__table__.columns)
_JSON_COLUMNS = frozenset(("subject", "normalized", "version_ids", "answer"))
_COPY = f"COPY {ScreeningRecord.__tablename__} ({', '.join(_COLUMNS)}) FROM STDIN"


def _copy_screenings(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    # The session's own connection, so the rows are part of its transaction.
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(_COPY) as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[c]) if c in _JSON_COLUMNS else row.get(c) for c in _COLUMNS]
            )


def get_screening(session: Session, screening_id: str) -> ScreeningRecord:
    record = session.get(ScreeningRecord, screening_id)
    if record is None:
        raise NotFoundError(f"screening {screening_id} does not exist")
    return record


def screenings_between(
    session: Session, since: datetime, until: datetime, *, limit: int = 100_000
) -> list[ScreeningRecord]:
    query = (
        select(ScreeningRecord)
        .where(ScreeningRecord.created_at >= since, ScreeningRecord.created_at < until)
        .order_by(ScreeningRecord.created_at, ScreeningRecord.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def screenings_of_customer(
    session: Session, customer_ref: str, *, limit: int = 50
) -> list[ScreeningRecord]:
    """A registered customer's screens, newest first."""
    query = (
        select(ScreeningRecord)
        .where(ScreeningRecord.customer_ref == customer_ref)
        .order_by(ScreeningRecord.created_at.desc(), ScreeningRecord.id)
        .limit(limit)
    )
    return list(session.scalars(query))
