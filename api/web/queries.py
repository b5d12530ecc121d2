"""Read queries the pages need beyond the core's own (the review queue's filters and order, the
home page's counts, the audit page's latest rows, customer search). All bounded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from screening.audit.models import ScreeningRecord
from screening.linking.models import ClusterEvent
from screening.monitoring.alerts import PENDING
from screening.monitoring.models import Account, Alert, AlertEvent, Customer, CustomerResult

PAGE: Final = 50
MAX_OFFSET: Final = 10_000
# Worst first: a deny waits for nobody.
_SEVERITY = case((Alert.decision == "deny", 0), (Alert.decision == "review", 1), else_=2)


@dataclass(frozen=True, slots=True)
class QueueFilter:
    status: str = "pending"  # "pending" (open, in review, escalated) or one status
    decision: str = ""  # "", "deny", "review"
    source: str = ""
    assignee: str = ""  # "", "me", "none"
    customer: str = ""  # an external id prefix
    offset: int = 0


def _queue_filters(flt: QueueFilter, me: str) -> list[Any]:
    where: list[Any] = []
    if flt.status == "pending":
        where.append(Alert.status.in_(sorted(PENDING)))
    elif flt.status:
        where.append(Alert.status == flt.status)
    if flt.decision:
        where.append(Alert.decision == flt.decision)
    if flt.source:
        where.append(Alert.source == flt.source)
    if flt.assignee == "me":
        where.append(Alert.assignee == me)
    elif flt.assignee == "none":
        where.append(Alert.assignee.is_(None))
    if flt.customer:
        # A subquery, not a join: the queue is sorted and counted on the alerts table alone.
        matching = select(Customer.id).where(_prefix(Customer.external_id, flt.customer))
        where.append(Alert.customer_id.in_(matching))
    return where


def _prefix(column: Any, prefix: str) -> Any:
    # A range, not LIKE: it uses the unique index on both databases and has no wildcards.
    return (column >= prefix) & (column < prefix + "\U0010ffff")


def review_queue(
    session: Session, flt: QueueFilter, *, me: str
) -> tuple[list[tuple[Alert, str, str]], int]:
    """One page of alerts, worst and oldest first, and how many match the filter."""
    where = _queue_filters(flt, me)
    total = session.scalar(select(func.count(Alert.id)).where(*where)) or 0
    # Sort narrow rows (ids and the sort keys), then load the page's 50 alerts whole.
    page_ids = list(
        session.scalars(
            select(Alert.id)
            .where(*where)
            .order_by(_SEVERITY, Alert.created_at, Alert.id)
            .offset(min(flt.offset, MAX_OFFSET))
            .limit(PAGE)
        )
    )
    if not page_ids:
        return [], total
    loaded = {
        alert.id: (alert, ext, name)
        for alert, ext, name in session.execute(
            select(Alert, Customer.external_id, Customer.name)
            .join(Customer, Customer.id == Alert.customer_id)
            .where(Alert.id.in_(page_ids))
        )
    }
    return [loaded[i] for i in page_ids if i in loaded], total


def alert_sources(session: Session) -> list[str]:
    """The sources alerts name, for the queue's filter."""
    rows = session.scalars(select(Alert.source).where(Alert.source.is_not(None)).distinct())
    return sorted(s for s in rows if s)


def pending_counts(session: Session, *, me: str) -> dict[str, int]:
    pending = Alert.status.in_(sorted(PENDING))
    row = session.execute(
        select(
            func.count(),
            func.sum(case((Alert.decision == "deny", 1), else_=0)),
            func.sum(case((Alert.assignee == me, 1), else_=0)),
            func.sum(case((Alert.proposed_status.is_not(None), 1), else_=0)),
        ).where(pending)
    ).one()
    return {
        "pending": int(row[0] or 0),
        "deny": int(row[1] or 0),
        "mine": int(row[2] or 0),
        "proposed": int(row[3] or 0),
    }


def find_customers(session: Session, text: str, *, limit: int = PAGE) -> list[dict[str, Any]]:
    """Customers whose id starts with `text` (an index range), then, while the page is not
    full, those whose name contains it (case-insensitively: a scan, so it runs only then)."""
    text = text.strip()
    query = (
        select(Customer, CustomerResult.decision, CustomerResult.access)
        .outerjoin(CustomerResult, CustomerResult.customer_id == Customer.id)
        .order_by(Customer.external_id)
    )
    by_id = list(session.execute(query.where(_prefix(Customer.external_id, text)).limit(limit)))
    found = {c.id: (c, decision, access) for c, decision, access in by_id}
    if text and len(found) < limit:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        by_name = query.where(
            Customer.name.ilike(like, escape="\\"), Customer.id.not_in(list(found) or [0])
        )
        for c, decision, access in session.execute(by_name.limit(limit - len(found))):
            found[c.id] = (c, decision, access)
    return [
        {"customer": c, "decision": decision, "access": access}
        for c, decision, access in found.values()
    ]


def customer_of_account(session: Session, account_id: str) -> str | None:
    return session.scalar(
        select(Customer.external_id)
        .join(Account, Account.customer_id == Customer.id)
        .where(Account.account_id == account_id)
    )


AUDIT_KINDS: Final = ("screening", "alert_event", "cluster_event")


@dataclass(frozen=True, slots=True)
class AuditFilter:
    since: datetime
    until: datetime
    kind: str = ""  # "", or one of AUDIT_KINDS
    actor: str = ""
    decision: str = ""


def audit_rows(session: Session, flt: AuditFilter, *, limit: int = 200) -> list[dict[str, Any]]:
    """The newest `limit` records of the period, newest first."""
    out: list[dict[str, Any]] = []
    if flt.kind in ("", "screening"):
        query = select(
            ScreeningRecord.id,
            ScreeningRecord.created_at,
            ScreeningRecord.key_id,
            ScreeningRecord.context,
            ScreeningRecord.decision,
            ScreeningRecord.subject,
        ).where(ScreeningRecord.created_at >= flt.since, ScreeningRecord.created_at < flt.until)
        if flt.actor:
            query = query.where(ScreeningRecord.key_id == flt.actor)
        if flt.decision:
            query = query.where(ScreeningRecord.decision == flt.decision)
        for sid, at, actor, context, decision, subject in session.execute(
            query.order_by(ScreeningRecord.created_at.desc()).limit(limit)
        ):
            out.append(
                {
                    "kind": "screening",
                    "at": at,
                    "id": sid,
                    "actor": actor,
                    "what": f"{context} screen of {(subject or {}).get('name')!s}",
                    "decision": decision,
                }
            )
    if flt.kind in ("", "alert_event") and not flt.decision:
        events = (
            select(AlertEvent, Customer.external_id)
            .join(Alert, Alert.id == AlertEvent.alert_id)
            .join(Customer, Customer.id == Alert.customer_id)
            .where(AlertEvent.at >= flt.since, AlertEvent.at < flt.until)
        )
        if flt.actor:
            events = events.where(AlertEvent.actor == flt.actor)
        for event, external_id in session.execute(
            events.order_by(AlertEvent.at.desc()).limit(limit)
        ):
            out.append(
                {
                    "kind": "alert_event",
                    "at": event.at,
                    "id": event.alert_id,
                    "actor": event.actor,
                    "what": f"alert {event.alert_id} ({external_id}): {event.kind}"
                    + (f" → {event.to_status}" if event.to_status != event.from_status else "")
                    + (f": {event.reason}" if event.reason else ""),
                    "decision": None,
                }
            )
    if flt.kind in ("", "cluster_event") and not flt.decision:
        clusters = select(ClusterEvent).where(
            ClusterEvent.at >= flt.since, ClusterEvent.at < flt.until
        )
        if flt.actor:
            clusters = clusters.where(ClusterEvent.actor == flt.actor)
        for change in session.scalars(
            clusters.order_by(ClusterEvent.at.desc(), ClusterEvent.id.desc()).limit(limit)
        ):
            out.append(
                {
                    "kind": "cluster_event",
                    "at": change.at,
                    "id": change.cluster_id,
                    "actor": change.actor,
                    "what": f"cluster {change.cluster_id}: {change.kind}"
                    + (f": {change.reason}" if change.reason else ""),
                    "decision": None,
                }
            )
    out.sort(key=lambda r: r["at"], reverse=True)
    return out[:limit]
