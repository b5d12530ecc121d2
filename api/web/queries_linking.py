"""Read queries of the cluster pages beyond the core's read models: the list of clusters (open
first, then by size, counted in one query), the customers of a cluster's roots, and the clusters
a customer's accounts are in. All bounded; no signal values are read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from screening.linking.models import ClusterMember, ClusterRoot, LinkCluster
from screening.monitoring.models import Account, Customer

PAGE: Final = 50
MAX_OFFSET: Final = 10_000
MAX_ACCOUNTS: Final = 200
# Every status a cluster can have (screening.linking.models.LinkCluster), "" for all.
STATUSES: Final = ("open", "denied", "dismissed", "released", "merged")


@dataclass(frozen=True, slots=True)
class ClusterFilter:
    status: str = ""  # "" (every status) or one of STATUSES
    offset: int = 0


def cluster_rows(
    session: Session, flt: ClusterFilter, *, limit: int = PAGE
) -> tuple[list[dict[str, Any]], int]:
    """One page of clusters, open first, then the largest, then the newest; and how many."""
    members = (
        select(
            ClusterMember.cluster_id.label("cluster_id"),
            func.count().label("members"),
            func.sum(case((ClusterMember.state == "review", 1), else_=0)).label("in_review"),
        )
        .group_by(ClusterMember.cluster_id)
        .subquery()
    )
    roots = (
        select(
            ClusterRoot.cluster_id.label("cluster_id"),
            func.count().label("roots"),
            func.min(ClusterRoot.denied_because).label("denied_because"),
        )
        .group_by(ClusterRoot.cluster_id)
        .subquery()
    )
    size = func.coalesce(members.c.members, 0)
    where = [LinkCluster.status == flt.status] if flt.status else []
    total = session.scalar(select(func.count()).select_from(LinkCluster).where(*where)) or 0
    rows = session.execute(
        select(
            LinkCluster.id,
            LinkCluster.status,
            LinkCluster.merged_into,
            LinkCluster.proposed_status,
            LinkCluster.proposed_by,
            LinkCluster.updated_at,
            func.coalesce(roots.c.roots, 0),
            roots.c.denied_because,
            size,
            func.coalesce(members.c.in_review, 0),
        )
        .outerjoin(members, members.c.cluster_id == LinkCluster.id)
        .outerjoin(roots, roots.c.cluster_id == LinkCluster.id)
        .where(*where)
        .order_by(
            case((LinkCluster.status == "open", 0), else_=1), size.desc(), LinkCluster.id.desc()
        )
        .offset(flt.offset)
        .limit(limit)
    )
    found = [
        {
            "id": cid,
            "status": status,
            "merged_into": merged_into,
            "proposed_status": proposed_status,
            "proposed_by": proposed_by,
            "updated_at": updated_at,
            "roots": int(n_roots),
            "denied_because": denied_because,
            "members": int(n_members),
            "in_review": int(in_review or 0),
        }
        for (
            cid,
            status,
            merged_into,
            proposed_status,
            proposed_by,
            updated_at,
            n_roots,
            denied_because,
            n_members,
            in_review,
        ) in rows
    ]
    return found, int(total)


def root_customers(session: Session, cluster_id: int) -> dict[str, str]:
    """Account id -> customer external id, for a cluster's roots."""
    rows = session.execute(
        select(Account.account_id, Customer.external_id)
        .join(ClusterRoot, ClusterRoot.account_pk == Account.id)
        .join(Customer, Customer.id == Account.customer_id)
        .where(ClusterRoot.cluster_id == cluster_id)
        .limit(MAX_ACCOUNTS)
    )
    return {account_id: external_id for account_id, external_id in rows}


def clusters_of_customer(session: Session, external_id: str) -> list[dict[str, Any]]:
    """Each of a customer's accounts that is a root or a member of a cluster, by account id."""
    found: list[dict[str, Any]] = []
    roots = session.execute(
        select(Account.account_id, ClusterRoot.cluster_id, LinkCluster.status)
        .join(ClusterRoot, ClusterRoot.account_pk == Account.id)
        .join(LinkCluster, LinkCluster.id == ClusterRoot.cluster_id)
        .join(Customer, Customer.id == Account.customer_id)
        .where(Customer.external_id == external_id)
        .limit(MAX_ACCOUNTS)
    )
    for account_id, cluster_id, status in roots:
        found.append(
            {"account_id": account_id, "cluster_id": cluster_id, "cluster_status": status,
             "role": "root", "state": None}
        )  # fmt: skip
    members = session.execute(
        select(
            Account.account_id, ClusterMember.cluster_id, LinkCluster.status, ClusterMember.state
        )
        .join(ClusterMember, ClusterMember.account_pk == Account.id)
        .join(LinkCluster, LinkCluster.id == ClusterMember.cluster_id)
        .join(Customer, Customer.id == Account.customer_id)
        .where(Customer.external_id == external_id)
        .limit(MAX_ACCOUNTS)
    )
    for account_id, cluster_id, status, state in members:
        found.append(
            {"account_id": account_id, "cluster_id": cluster_id, "cluster_status": status,
             "role": "member", "state": state}
        )  # fmt: skip
    return sorted(found, key=lambda row: (row["account_id"], row["cluster_id"]))
