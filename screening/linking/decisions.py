"""An analyst's decision on a whole cluster: `deny` denies every member still in review (their
alerts become true matches, so their customers' access is deny too), `dismiss` closes them as
unrelated (alerts false positives). With four-eyes, one key proposes and another approves,
exactly as for alerts. Functions take a Session and never commit."""

from __future__ import annotations

from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.db import utcnow
from screening.errors import ConflictError, InvalidQueryError, NotFoundError, NotPermittedError
from screening.linking.clusters import ACTIVE, event
from screening.linking.models import ClusterMember, LinkCluster
from screening.monitoring import results, review
from screening.monitoring.alerts import get_alert
from screening.monitoring.models import Account

DECISIONS: Final = {"deny": ("denied", "true_match"), "dismiss": ("dismissed", "false_positive")}
MAX_NOTE = 4000


def get_cluster(session: Session, cluster_id: int) -> LinkCluster:
    cluster = session.get(LinkCluster, cluster_id)
    if cluster is None:
        raise NotFoundError(f"no cluster {cluster_id}")
    return cluster


def decide(
    session: Session,
    cluster_id: int,
    decision: str,
    *,
    actor: str,
    note: str,
    four_eyes: bool,
) -> LinkCluster:
    if decision not in DECISIONS:
        raise InvalidQueryError(f"unknown decision {decision!r}; decisions: deny, dismiss")
    why = note.strip()
    if not why:
        raise InvalidQueryError("a cluster decision needs a note saying why")
    if len(why) > MAX_NOTE:
        raise InvalidQueryError(f"a note is at most {MAX_NOTE} characters")
    cluster = get_cluster(session, cluster_id)
    if cluster.status == "merged":
        raise ConflictError(
            f"cluster {cluster_id} was merged into cluster {cluster.merged_into}: decide that one"
        )
    if cluster.status not in ACTIVE:
        raise ConflictError(f"cluster {cluster_id} is {cluster.status}: nothing to decide")
    if four_eyes:
        if cluster.proposed_status != decision:
            cluster.proposed_status, cluster.proposed_by = decision, actor
            cluster.updated_at = utcnow()
            event(
                session, cluster, actor=actor, kind="proposed", reason=why,
                details={"proposed": decision},
            )  # fmt: skip
            return cluster
        if cluster.proposed_by == actor:
            raise NotPermittedError(
                f"four-eyes: {actor} proposed {decision} and may not approve it too; "
                "a different analyst must approve"
            )
    _apply(session, cluster, decision, actor=actor, why=why)
    return cluster


def _apply(session: Session, cluster: LinkCluster, decision: str, *, actor: str, why: str) -> None:
    state, alert_status = DECISIONS[decision]
    proposer = cluster.proposed_by
    pending = list(
        session.execute(
            select(ClusterMember, Account.customer_id)
            .join(Account, Account.id == ClusterMember.account_pk)
            .where(ClusterMember.cluster_id == cluster.id, ClusterMember.state == "review")
            .order_by(ClusterMember.account_pk)
        )
    )
    now = utcnow()
    note = f"cluster {cluster.id} {state}: {why}"
    customers: set[int] = set()
    for member, customer_id in pending:
        member.state, member.decided_at = state, now
        if member.alert_id is not None:
            alert = get_alert(session, member.alert_id)
            # The cluster's four-eyes check stands for its alerts: each is applied, not proposed.
            if alert.status != alert_status:
                review.decide(
                    session, alert.id, alert_status, actor=actor, note=note, four_eyes=False
                )
        customers.add(customer_id)
    session.flush()
    for customer_id in sorted(customers):
        results.refresh_access(session, customer_id)
    cluster.status = state
    cluster.proposed_status = cluster.proposed_by = None
    cluster.decided_by, cluster.decided_at, cluster.updated_at = actor, now, now
    details: dict[str, object] = {"decision": decision, "accounts": len(pending)}
    if proposer is not None:
        details["proposed_by"] = proposer
    event(session, cluster, actor=actor, kind="decided", reason=why, details=details)
