"""Audit export: every screen and every alert change of a period, and the records of the
capabilities above monitoring that the shell adds (`also`: cluster events), as one list of
records, oldest first, written as JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.audit.store import screenings_between
from screening.errors import InvalidQueryError
from screening.monitoring.models import Alert, AlertEvent, Customer

FORMATS: Final = ("csv", "json")
COLUMNS: Final = (
    "kind", "at", "id", "actor", "context", "subject", "decision", "policy_version",
    "version_ids", "alert_id", "customer_external_id", "party_key", "source", "source_key",
    "entity_name", "event", "from_status", "to_status", "reason", "cluster_id",
)  # fmt: skip
MAX_RECORDS = 100_000

# More records of a period: (session, since, until, at most) -> records with "kind" and "at".
Source = Callable[[Session, datetime, datetime, int], list[dict[str, Any]]]


def records(
    session: Session, since: datetime, until: datetime, *, also: Sequence[Source] = ()
) -> list[dict[str, Any]]:
    if since.tzinfo is None or until.tzinfo is None:
        raise InvalidQueryError("since and until need a time zone (e.g. 2026-12-01T00:00:00Z)")
    try:
        since, until = since.astimezone(UTC), until.astimezone(UTC)
    except OverflowError:
        raise InvalidQueryError("since and until must lie between years 1 and 9999") from None
    if until <= since:
        raise InvalidQueryError("until must be after since")
    out: list[dict[str, Any]] = []
    for row in screenings_between(session, since, until, limit=MAX_RECORDS):
        out.append(
            {
                "kind": "screening",
                "at": row.created_at.isoformat(),
                "id": row.id,
                "actor": row.key_id,
                "context": row.context,
                "subject": row.subject.get("name"),
                "decision": row.decision,
                "policy_version": row.policy_version,
                "version_ids": dict(row.version_ids),
                "reasons": row.answer.get("reasons", []),
            }
        )
    events = session.execute(
        select(AlertEvent, Alert, Customer.external_id)
        .join(Alert, Alert.id == AlertEvent.alert_id)
        .join(Customer, Customer.id == Alert.customer_id)
        .where(AlertEvent.at >= since, AlertEvent.at < until)
        .order_by(AlertEvent.at, AlertEvent.id)
        .limit(MAX_RECORDS)
    )
    for event, alert, external_id in events:
        out.append(
            {
                "kind": "alert_event",
                "at": event.at.isoformat(),
                "id": str(event.id),
                "actor": event.actor,
                "alert_id": alert.id,
                "customer_external_id": external_id,
                "party_key": alert.party_key,
                "source": alert.source,
                "source_key": alert.source_key,
                "entity_name": alert.entity_name,
                "event": event.kind,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "reason": event.reason,
                "details": dict(event.details or {}),
            }
        )
    for source in also:
        out.extend(source(session, since, until, MAX_RECORDS))
    out.sort(key=lambda r: (r["at"], r["kind"], r["id"]))
    return out


def render(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidQueryError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: json.dumps(value, sort_keys=True) if isinstance(value, dict) else value
                for key, value in row.items()
            }
        )
    return buffer.getvalue()
