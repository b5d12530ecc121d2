"""Analysts' work on alerts: assigning, setting a status, deciding (with four-eyes when it is
configured). Every change is an event. Functions take a Session and never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from screening.db import utcnow
from screening.errors import InvalidQueryError, NotPermittedError
from screening.monitoring.alerts import DECISIONS, STATUSES, add_event, get_alert
from screening.monitoring.customers import data_of
from screening.monitoring.models import Alert, Customer

MAX_NOTE = 4000


def assign(
    session: Session, alert_id: int, assignee: str | None, *, actor: str, note: str = ""
) -> Alert:
    alert = get_alert(session, alert_id)
    if assignee is not None and not 1 <= len(assignee.strip()) <= 200:
        raise InvalidQueryError("an assignee must be 1 to 200 characters")
    alert.assignee = assignee.strip() if assignee else None
    alert.updated_at = utcnow()
    add_event(
        session,
        alert,
        actor=actor,
        kind="assigned",
        reason=_note(note) or f"assigned to {alert.assignee or 'nobody'}",
        from_status=alert.status,
        details={"assignee": alert.assignee},
    )
    return alert


def _note(note: str) -> str:
    if len(note) > MAX_NOTE:
        raise InvalidQueryError(f"a note is at most {MAX_NOTE} characters")
    return note.strip()


def decide(
    session: Session,
    alert_id: int,
    status: str,
    *,
    actor: str,
    note: str,
    four_eyes: bool,
) -> Alert:
    """Move an alert to `status`. With four-eyes, a decision (true match or false positive) is
    first proposed, then approved by a different key."""
    if status not in STATUSES:
        raise InvalidQueryError(f"unknown status {status!r}; statuses: {', '.join(STATUSES)}")
    why = _note(note)
    if status in DECISIONS and not why:
        raise InvalidQueryError("a decision needs a note saying why")
    alert = get_alert(session, alert_id)
    before = alert.status
    if status in DECISIONS and four_eyes:
        if alert.proposed_status != status:
            alert.proposed_status, alert.proposed_by = status, actor
            alert.updated_at = utcnow()
            add_event(
                session,
                alert,
                actor=actor,
                kind="proposed",
                reason=why,
                from_status=before,
                details={"proposed": status},
            )
            return alert
        if alert.proposed_by == actor:
            raise NotPermittedError(
                f"four-eyes: {actor} proposed {status} and may not approve it too; "
                "a different analyst must approve"
            )
        details = {"proposed_by": alert.proposed_by}
        _apply(session, alert, status, actor=actor, why=why, kind="approved", details=details)
        return alert
    _apply(session, alert, status, actor=actor, why=why, kind="decided")
    return alert


def _apply(
    session: Session,
    alert: Alert,
    status: str,
    *,
    actor: str,
    why: str,
    kind: str,
    details: dict[str, Any] | None = None,
) -> None:
    before = alert.status
    alert.status = status
    alert.proposed_status = alert.proposed_by = None
    alert.updated_at = utcnow()
    if status in DECISIONS:
        customer = session.get(Customer, alert.customer_id)
        assert customer is not None
        alert.decided_fingerprint = alert.fingerprint
        alert.decided_data = {"hash": customer.data_hash, "data": data_of(customer).to_dict()}
    add_event(
        session,
        alert,
        actor=actor,
        kind=kind if status in DECISIONS else "status",
        reason=why or f"status set to {status}",
        from_status=before,
        details=details,
    )
