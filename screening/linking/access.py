"""The access answer with links: the monitoring answer, unless the account is linked to a
denied one. Still precomputed: one more indexed read, never a walk."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.linking.clusters import ACTIVE
from screening.linking.models import ClusterMember, LinkCluster
from screening.monitoring import results
from screening.monitoring.models import Account, Alert


def account_access(session: Session, account_id: str) -> dict[str, Any]:
    answer = results.account_access(session, account_id)
    if answer["access"] == "deny":
        return answer
    found = session.execute(
        select(ClusterMember, LinkCluster.status, Alert.status)
        .join(Account, Account.id == ClusterMember.account_pk)
        .join(LinkCluster, LinkCluster.id == ClusterMember.cluster_id)
        .outerjoin(Alert, Alert.id == ClusterMember.alert_id)
        .where(Account.account_id == account_id)
    ).first()
    if found is None:
        return answer
    member, cluster_status, alert_status = found
    if member.state == "denied":
        since = member.decided_at or member.added_at
        return {
            **answer,
            "access": "deny",
            "reason": f"denied with linked cluster {member.cluster_id}: {member.reason}",
            "since": since.isoformat(),
        }
    # An analyst who closed the account's link alert as a false positive has cleared it.
    if member.state != "review" or cluster_status not in ACTIVE or alert_status == "false_positive":
        return answer
    if answer["access"] == "review":
        return {**answer, "reason": f"{answer['reason']}; linked: {member.reason}"}
    return {
        **answer,
        "access": "review",
        "reason": f"linked to a denied account (cluster {member.cluster_id}): {member.reason}",
        "since": member.added_at.isoformat(),
    }
