"""Cluster events as records of the audit export (`monitoring.export`): who created, grew,
merged, proposed, decided or released a cluster of linked accounts, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.linking.models import ClusterEvent


def cluster_records(
    session: Session, since: datetime, until: datetime, limit: int
) -> list[dict[str, Any]]:
    events = session.scalars(
        select(ClusterEvent)
        .where(ClusterEvent.at >= since, ClusterEvent.at < until)
        .order_by(ClusterEvent.at, ClusterEvent.id)
        .limit(limit)
    )
    return [
        {
            "kind": "cluster_event",
            "at": event.at.isoformat(),
            "id": str(event.id),
            "actor": event.actor,
            "cluster_id": event.cluster_id,
            "event": event.kind,
            "reason": event.reason,
            "details": dict(event.details or {}),
        }
        for event in events
    ]
