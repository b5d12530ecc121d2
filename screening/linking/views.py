"""Read models of linking for the API and the CLI (JSON-ready dicts). Personal values are never
shown: a hashed signal appears as its kind, its degree and when it was seen."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screening.linking import graph, store
from screening.linking.clusters import places
from screening.linking.decisions import get_cluster
from screening.linking.kinds import CLOUD, EMAIL_DOMAIN
from screening.linking.models import ClusterEvent, ClusterMember, ClusterRoot, LinkCluster
from screening.linking.rules import LinkRules
from screening.linking.service import find_account
from screening.monitoring.models import Account, Customer

MAX_LINKS = 200


def _account_ids(session: Session, pks: list[int]) -> dict[int, tuple[str, str]]:
    rows = session.execute(
        select(Account.id, Account.account_id, Customer.external_id)
        .join(Customer, Customer.id == Account.customer_id)
        .where(Account.id.in_(pks))
    )
    return {pk: (account_id, external) for pk, account_id, external in rows}


def account_links(session: Session, account_id: str, rules: LinkRules) -> dict[str, Any]:
    """An account's signals, the accounts it links to now (strongest first), and its cluster."""
    account = find_account(session, account_id)
    signals = []
    for value, seen in store.signals_of_account(session, account.id):
        limit = rules.degrees.of(value.kind)
        signals.append(
            {
                "kind": value.kind,
                "value": value.display,
                "accounts": value.accounts,
                "links": bool(value.counts and 1 < value.accounts <= limit),
                "why_not": None
                if value.counts and value.accounts <= limit
                else (
                    (
                        "a mailbox provider's domain identifies nobody"
                        if value.kind == EMAIL_DOMAIN
                        else "a placeholder value identifies nobody"
                    )
                    if not value.counts
                    else f"shared by {value.accounts} accounts, over the cut-off of {limit}"
                ),
                "first_seen": seen.first_seen.isoformat(),
                "last_seen": seen.last_seen.isoformat(),
                "observations": seen.observations,
            }
        )
    neighbours = store.DbNeighbours(session, rules)
    found = graph.links_from(neighbours.shared([account.id]), rules).get(account.id, {})
    strongest = sorted(found.items(), key=lambda kv: (-kv[1].score, kv[0]))[:MAX_LINKS]
    names = _account_ids(session, [pk for pk, _ in strongest])
    where = places(session, [pk for pk, _ in strongest] + [account.id])
    links = []
    for pk, link in strongest:
        other = where.get(pk)
        links.append(
            {
                "account_id": names[pk][0],
                "customer_external_id": names[pk][1],
                "score": link.score,
                "kinds": list(link.kinds),
                "strong": any(rules.strong(kind) for kind in link.kinds),
                "cluster_id": other.cluster_id if other else None,
            }
        )
    mine = where.get(account.id)
    cluster: dict[str, Any] | None = None
    if mine is not None:
        cluster = {
            "id": mine.cluster_id,
            "role": "root" if mine.root else "member",
        }
        member = session.get(ClusterMember, account.id)
        if member is not None:
            cluster.update(
                {"state": member.state, "hops": member.hops, "reason": member.reason,
                 "path": list(member.path)}
            )  # fmt: skip
        root = session.get(ClusterRoot, account.id)
        if root is not None:
            cluster.update({"state": "root", "reason": f"denied: {root.denied_because}"})
    clouds = [s["value"] for s in signals if s["kind"] == CLOUD]
    return {
        "account_id": account.account_id,
        "signals": signals,
        "links": links,
        "links_total": len(found),
        "cluster": cluster,
        "restricted_clouds": clouds,
    }


def cluster_view(
    session: Session, cluster_id: int, *, after: str = "", limit: int = 1000
) -> dict[str, Any]:
    """A cluster: status, roots, members (paged by account id), pending count, events."""
    cluster = get_cluster(session, cluster_id)
    roots = session.execute(
        select(ClusterRoot, Account.account_id)
        .join(Account, Account.id == ClusterRoot.account_pk)
        .where(ClusterRoot.cluster_id == cluster_id)
        .order_by(Account.account_id)
    ).all()
    counts = dict(
        session.execute(
            select(ClusterMember.state, func.count())
            .where(ClusterMember.cluster_id == cluster_id)
            .group_by(ClusterMember.state)
        ).all()
    )
    members = session.execute(
        select(ClusterMember, Account.account_id, Customer.external_id)
        .join(Account, Account.id == ClusterMember.account_pk)
        .join(Customer, Customer.id == Account.customer_id)
        .where(ClusterMember.cluster_id == cluster_id, Account.account_id > after)
        .order_by(Account.account_id)
        .limit(limit)
    ).all()
    events = session.scalars(
        select(ClusterEvent).where(ClusterEvent.cluster_id == cluster_id).order_by(ClusterEvent.id)
    )
    return {
        "id": cluster.id,
        "status": cluster.status,
        "merged_into": cluster.merged_into,
        "truncated": cluster.truncated,
        "proposed_status": cluster.proposed_status,
        "proposed_by": cluster.proposed_by,
        "decided_by": cluster.decided_by,
        "decided_at": cluster.decided_at.isoformat() if cluster.decided_at else None,
        "created_at": cluster.created_at.isoformat(),
        "updated_at": cluster.updated_at.isoformat(),
        "roots": [
            {
                "account_id": account_id,
                "denied_because": root.denied_because,
                "added_at": root.added_at.isoformat(),
            }
            for root, account_id in roots
        ],
        "members_total": sum(counts.values()),
        "members_by_state": {state: int(n) for state, n in sorted(counts.items())},
        "members": [
            {
                "account_id": account_id,
                "customer_external_id": external_id,
                "state": member.state,
                "hops": member.hops,
                "score": member.score,
                "reason": member.reason,
                "path": list(member.path),
                "alert_id": member.alert_id,
                "added_at": member.added_at.isoformat(),
            }
            for member, account_id, external_id in members
        ],
        "events": [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "kind": e.kind,
                "reason": e.reason,
                "details": dict(e.details or {}),
            }
            for e in events
        ],
    }


def cluster_list(session: Session, *, status: str | None = None) -> list[dict[str, Any]]:
    query = select(LinkCluster).order_by(LinkCluster.id).limit(1000)
    if status:
        query = query.where(LinkCluster.status == status)
    found = []
    for cluster in session.scalars(query):
        members = session.scalar(select(func.count()).where(ClusterMember.cluster_id == cluster.id))
        roots = session.scalar(select(func.count()).where(ClusterRoot.cluster_id == cluster.id))
        found.append(
            {"id": cluster.id, "status": cluster.status, "roots": roots, "members": members,
             "updated_at": cluster.updated_at.isoformat()}
        )  # fmt: skip
    return found
