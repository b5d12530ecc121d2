"""Alerts: opened by rescreens, worked by analysts, every change written as an event.

An alert is one row per (customer, listed party): a false positive that has to be looked at
again is reopened on the same row, with an event saying what changed. Functions take a Session
and never commit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import Table, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from screening.db import utcnow
from screening.errors import InvalidQueryError, NotFoundError
from screening.monitoring import webhooks
from screening.monitoring.models import Alert, AlertEvent, Customer, Webhook

STATUSES: Final = ("open", "in_review", "true_match", "false_positive", "escalated")
DECISIONS: Final = ("true_match", "false_positive")
# Statuses a human still has to act on.
PENDING: Final = frozenset({"open", "in_review", "escalated"})
SEVERITY: Final = {"clear": 0, "review": 1, "deny": 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing behind a customer's result: a listed party, or a rule with no party
    (`rule:jurisdiction`)."""

    party_key: str
    decision: str
    source: str | None = None
    source_key: str | None = None
    entity_name: str | None = None
    score: float | None = None
    fingerprint: str | None = None


def add_event(
    session: Session,
    alert: Alert,
    *,
    actor: str,
    kind: str,
    reason: str,
    from_status: str | None,
    details: dict[str, Any] | None = None,
) -> AlertEvent:
    event = AlertEvent(
        alert_id=alert.id,
        at=utcnow(),
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=alert.status,
        reason=reason,
        details=details or {},
    )
    session.add(event)
    return event


def get_alert(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFoundError(f"no alert {alert_id}")
    return alert


def alert_for(session: Session, customer_id: int, party_key: str) -> Alert | None:
    return session.scalar(
        select(Alert).where(Alert.customer_id == customer_id, Alert.party_key == party_key)
    )


def events_of(session: Session, alert_id: int) -> list[AlertEvent]:
    query = select(AlertEvent).where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.id)
    return list(session.scalars(query))


def alerts_of(session: Session, customer_id: int) -> list[Alert]:
    query = select(Alert).where(Alert.customer_id == customer_id).order_by(Alert.id)
    return list(session.scalars(query))


def search(
    session: Session,
    *,
    status: str | None = None,
    customer_id: int | None = None,
    limit: int = 1000,
) -> list[tuple[Alert, str]]:
    """Alerts with their customer's external id, oldest first."""
    query = select(Alert, Customer.external_id).join(Customer, Customer.id == Alert.customer_id)
    if status is not None:
        if status not in STATUSES:
            raise InvalidQueryError(f"unknown status {status!r}; statuses: {', '.join(STATUSES)}")
        query = query.where(Alert.status == status)
    if customer_id is not None:
        query = query.where(Alert.customer_id == customer_id)
    rows = session.execute(query.order_by(Alert.id).limit(limit))
    return [(alert, external_id) for alert, external_id in rows]


def _describe(finding: Finding) -> str:
    if finding.source_key is None:
        return f"{finding.party_key} ({finding.decision})"
    return f"{finding.entity_name!r} [{finding.source} {finding.source_key}] at {finding.decision}"


def _open(session: Session, customer: Customer, finding: Finding, actor: str) -> Alert | None:
    """Insert the alert; None when another process inserted it first (the unique constraint
    is the arbiter, so two rescreens never open it twice)."""
    now = utcnow()
    alert = Alert(
        customer_id=customer.id,
        party_key=finding.party_key,
        source=finding.source,
        source_key=finding.source_key,
        entity_name=finding.entity_name,
        score=finding.score,
        decision=finding.decision,
        status="open",
        fingerprint=finding.fingerprint,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:
        return None
    add_event(
        session,
        alert,
        actor=actor,
        kind="opened",
        reason=f"new match: {_describe(finding)}",
        from_status=None,
        details={"fingerprint": finding.fingerprint, "score": finding.score},
    )
    webhooks.emit(session, webhooks.ALERT_OPENED, _payload(alert, customer, "new match"))
    return alert


def _payload(alert: Alert, customer: Customer, why: str) -> dict[str, Any]:
    return {
        "alert_id": alert.id,
        "customer_external_id": customer.external_id,
        "party_key": alert.party_key,
        "source": alert.source,
        "source_key": alert.source_key,
        "entity_name": alert.entity_name,
        "decision": alert.decision,
        "score": alert.score,
        "status": alert.status,
        "why": why,
    }


def _what_changed(alert: Alert, finding: Finding, customer: Customer) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    if finding.fingerprint != alert.decided_fingerprint:
        changed["listed_party"] = {"then": alert.decided_fingerprint, "now": finding.fingerprint}
    decided = alert.decided_data or {}
    if decided.get("hash") != customer.data_hash:
        then = decided.get("data") or {}
        fields = [
            name
            for name in ("name", "aliases", "country", "address", "website", "email_domain")
            if then.get(name) != getattr(customer, name)
        ]
        if then.get("owners") != customer.owners:
            fields.append("owners")
        changed["customer_data"] = fields
    return changed


def raise_for(
    session: Session,
    customer: Customer,
    finding: Finding,
    *,
    actor: str,
    held: Mapping[str, Alert] | None = None,
) -> bool:
    """Open, reopen or update the alert of one finding at review or deny; True when a human
    now has something new to look at (a new alert, or a false positive reopened).

    `held`: the customer's alerts by party key, when the caller has loaded them already."""
    if held is not None:
        alert = held.get(finding.party_key)
    else:
        alert = alert_for(session, customer.id, finding.party_key)
    if alert is None:
        if _open(session, customer, finding, actor) is not None:
            return True
        alert = alert_for(session, customer.id, finding.party_key)
        if alert is None:  # pragma: no cover - the conflicting insert is committed by now
            return False
    before = alert.status
    changed = _what_changed(alert, finding, customer)
    new = False
    if alert.status == "false_positive" and changed:
        alert.status = "open"
        alert.proposed_status = alert.proposed_by = None
        what = ", ".join(
            "the listed party changed" if k == "listed_party" else f"customer data ({k}) changed"
            for k in changed
        )
        add_event(
            session,
            alert,
            actor=actor,
            kind="reopened",
            reason=f"reopened: {what}",
            from_status=before,
            details=changed,
        )
        webhooks.emit(session, webhooks.ALERT_REOPENED, _payload(alert, customer, what))
        new = True
    elif alert.status in PENDING and (
        finding.fingerprint != alert.fingerprint
        or SEVERITY[finding.decision] > SEVERITY.get(alert.decision, 0)
    ):
        add_event(
            session,
            alert,
            actor=actor,
            kind="changed",
            reason=f"rescreen: now {_describe(finding)}",
            from_status=before,
            details={"fingerprint": finding.fingerprint, "decision": finding.decision},
        )
    alert.source, alert.source_key = finding.source, finding.source_key
    alert.entity_name, alert.score = finding.entity_name, finding.score
    alert.decision, alert.fingerprint = finding.decision, finding.fingerprint
    alert.updated_at = utcnow()
    return new


def _wanted(session: Session, kind: str) -> bool:
    """Whether an active webhook wants `kind` (as `webhooks.emit` chooses them)."""
    hooks = session.scalars(select(Webhook).where(Webhook.active.is_(True)))
    return any(not h.events or kind in h.events for h in hooks)


def raise_many(
    session: Session, findings: Sequence[tuple[int, Finding]], *, actor: str
) -> dict[tuple[int, str], int]:
    """`raise_for` for each (customer id, finding), in order, with the alerts never opened
    before inserted in bulk: a sweep opens thousands at once. INSERT ... ON CONFLICT DO NOTHING
    on (customer, party) keeps the unique constraint the arbiter, so two processes still never
    open one alert twice: a finding whose alert exists, or was inserted by another process
    meanwhile, goes through `raise_for`. Returns the alert id of each (customer id, party key)."""
    first: dict[tuple[int, str], Finding] = {}
    for customer_id, finding in findings:
        first.setdefault((customer_id, finding.party_key), finding)
    session.flush()  # the inserts below are Core: nothing pending is flushed for them
    opened = _insert_new(session, first)
    now = utcnow()
    events = [
        {
            "alert_id": opened[key],
            "at": now,
            "actor": actor,
            "kind": "opened",
            "from_status": None,
            "to_status": "open",
            "reason": f"new match: {_describe(finding)}",
            "details": {"fingerprint": finding.fingerprint, "score": finding.score},
        }
        for key, finding in first.items()
        if key in opened
    ]
    if events and session.get_bind().dialect.name == "postgresql":
        _insert_json(session, cast(Table, AlertEvent.__table__), events, "", "alert_id")
    elif events:
        session.execute(insert(cast(Table, AlertEvent.__table__)), events)
    if opened and _wanted(session, webhooks.ALERT_OPENED):
        for key, alert_id in opened.items():
            alert, customer = session.get(Alert, alert_id), session.get(Customer, key[0])
            assert alert is not None
            assert customer is not None
            webhooks.emit(session, webhooks.ALERT_OPENED, _payload(alert, customer, "new match"))
    found = dict(opened)
    done = set(opened)
    for customer_id, finding in findings:
        key = (customer_id, finding.party_key)
        if key in done:
            done.discard(key)  # its first finding opened it; any later one updates it
            continue
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise NotFoundError(f"no customer {customer_id}")
        raise_for(session, customer, finding, actor=actor)
        alert = alert_for(session, customer_id, finding.party_key)
        if alert is not None:
            found[key] = alert.id
    return found


def _insert_new(
    session: Session, first: dict[tuple[int, str], Finding]
) -> dict[tuple[int, str], int]:
    """Insert an open alert for each key that has none; the ids of those inserted."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    now = utcnow()
    rows = [
        {
            "customer_id": customer_id,
            "party_key": party_key,
            "source": f.source,
            "source_key": f.source_key,
            "entity_name": f.entity_name,
            "score": f.score,
            "decision": f.decision,
            "status": "open",
            "fingerprint": f.fingerprint,
            "created_at": now,
            "updated_at": now,
        }
        for (customer_id, party_key), f in first.items()
    ]
    table = cast(Table, Alert.__table__)
    statement = (
        dialect.insert(table)
        .on_conflict_do_nothing(index_elements=["customer_id", "party_key"])
        .returning(table.c.id, table.c.customer_id, table.c.party_key)
    )
    opened: dict[tuple[int, str], int] = {}
    found: list[Any] = []
    if rows and dialect is postgresql:
        found = _insert_json(
            session, table, rows, "(customer_id, party_key)", "id, customer_id, party_key"
        )
    elif rows:
        # Many parameter sets: sent as multi-row INSERTs, a compiled statement reused.
        found = list(session.execute(statement, rows))
    for alert_id, customer_id, party_key in found:
        opened[(customer_id, party_key)] = alert_id
    # In the order of the findings, as raise_for would have opened them one by one.
    return {key: opened[key] for key in first if key in opened}


def _insert_json(
    session: Session, table: Table, rows: list[dict[str, Any]], conflict: str, returning: str
) -> list[Any]:
    """PostgreSQL: the rows as one JSON parameter (jsonb_to_recordset), ON CONFLICT conflict DO
    NOTHING when given: thousands of rows in one statement whose text never changes (the driver
    parses thousands of placeholders slowly, and anew each time)."""
    dialect = session.get_bind().dialect
    names = list(rows[0])
    fields = ", ".join(f"{n} {table.c[n].type.compile(dialect=dialect)}" for n in names)
    on_conflict = f"ON CONFLICT {conflict} DO NOTHING " if conflict else ""
    # Names and types from the table's own metadata, never from a caller; the rows are bound.
    statement = text(
        f"INSERT INTO {table.name} ({', '.join(names)}) "  # noqa: S608
        f"SELECT {', '.join(names)} FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({fields}) "
        f"{on_conflict}RETURNING {returning}"
    )
    document = json.dumps(rows, default=_json_time)
    return list(session.execute(statement, {"rows": document}))


def _json_time(value: object) -> str:
    if isinstance(value, datetime):
        return str(value.isoformat())  # aware UTC: timestamptz reads the same instant
    raise TypeError(f"cannot store {type(value).__name__} as JSON")
