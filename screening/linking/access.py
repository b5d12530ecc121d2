"""The access answer with links: the monitoring answer, unless the account is linked to a
denied one. Still precomputed: one indexed read of plain columns, never a walk.

The authentication path asks this on every login, so `read_access` keeps it to one statement
and one round trip to the database: the account, its customer's result and its link cluster are
joined in one SELECT, and on PostgreSQL it runs in autocommit (a lone SELECT is its own
snapshot; a transaction around it would cost a BEGIN and a ROLLBACK, two more round trips).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, Select, bindparam, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from screening.linking.clusters import ACTIVE
from screening.linking.models import ClusterMember, LinkCluster
from screening.monitoring import results
from screening.monitoring.models import Account, Alert, Customer, CustomerResult


class Found(NamedTuple):
    """A row of `access_query`; the outer joins leave the cluster's columns None when the
    account is in no cluster, and the result's when its customer was never screened."""

    account_status: str
    external_id: str
    access: str | None
    reason: str | None
    since: datetime | None
    cluster_id: int | None
    state: str | None
    member_reason: str | None
    added_at: datetime | None
    decided_at: datetime | None
    cluster_status: str | None
    alert_status: str | None


def _access_query() -> Select[*tuple[Any, ...]]:
    # An account is in at most one cluster (the member's key is the account), so the outer
    # joins give one row for a known account and none for an unknown one.
    return (
        select(
            *results.ACCESS_COLUMNS,
            ClusterMember.cluster_id,
            ClusterMember.state,
            ClusterMember.reason,
            ClusterMember.added_at,
            ClusterMember.decided_at,
            LinkCluster.status,
            Alert.status,
        )
        .join(Customer, Customer.id == Account.customer_id)
        .outerjoin(CustomerResult, CustomerResult.customer_id == Account.customer_id)
        .outerjoin(ClusterMember, ClusterMember.account_pk == Account.id)
        .outerjoin(LinkCluster, LinkCluster.id == ClusterMember.cluster_id)
        .outerjoin(Alert, Alert.id == ClusterMember.alert_id)
        .where(Account.account_id == bindparam("account_id"))
    )


# Built once: making a SELECT of a dozen columns and five joins costs more than running it,
# and one statement object lets SQLAlchemy reuse its compiled form and result metadata as is.
ACCESS_QUERY = _access_query()


def account_access(session: Session | Connection, account_id: str) -> dict[str, Any]:
    """allow, review or deny, why and since when; an unknown account is a NotFoundError,
    never an allow."""
    found = session.execute(ACCESS_QUERY, {"account_id": account_id}).first()
    if found is None:
        raise results.unknown_account(account_id)
    return answer_of(account_id, Found(*found))


def read_access(engine: Engine, account_id: str) -> dict[str, Any]:
    """`account_access` on a connection of its own: one statement, one round trip.

    The pool does not ping a connection that was in use a moment ago (`screening.db`), so a
    connection the server has closed since (a restart, a killed backend) fails here instead;
    the read is retried once on a fresh connection, and a login never sees the failure."""
    try:
        return _read(engine, account_id)
    except DBAPIError as exc:
        # Set when SQLAlchemy took the error for a lost connection and dropped it from the
        # pool; any other database error is not retried.
        if not exc.connection_invalidated:
            raise
    return _read(engine, account_id)


def _read(engine: Engine, account_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        # SQLite is left as it is: its BEGIN costs no round trip, and a test's in-memory
        # database shares one connection, whose open transaction autocommit would commit.
        return account_access(conn, account_id)


def answer_of(account_id: str, found: Found) -> dict[str, Any]:
    answer = results.access_answer(
        account_id, found.account_status, found.external_id, found.access, found.reason, found.since
    )
    cluster_id, state, member_reason, added_at = (
        found.cluster_id, found.state, found.member_reason, found.added_at
    )  # fmt: skip
    if answer["access"] == "deny" or cluster_id is None or added_at is None:
        return answer
    if state == "denied":
        return {
            **answer,
            "access": "deny",
            "reason": f"denied with linked cluster {cluster_id}: {member_reason}",
            "since": (found.decided_at or added_at).isoformat(),
        }
    # An analyst who closed the account's link alert as a false positive has cleared it.
    if (
        state != "review"
        or found.cluster_status not in ACTIVE
        or found.alert_status == "false_positive"
    ):
        return answer
    if answer["access"] == "review":
        return {**answer, "reason": f"{answer['reason']}; linked: {member_reason}"}
    return {
        **answer,
        "access": "review",
        "reason": f"linked to a denied account (cluster {cluster_id}): {member_reason}",
        "since": added_at.isoformat(),
    }
