"""The alerts of a cluster's new members: one per customer and cluster, its id on each member.

On PostgreSQL, when no webhook is active (their events are built from ORM alerts), the alerts
that are new, their events, the members' alert ids, the cluster's time and its `grown` event
are one statement (`pgstore.open_alerts`), sent with the members' insert in one round trip
(`members_with_alerts`); every other alert - one that exists, one that
another process opened first, a second member of one customer - goes through
`alerts.raise_many` as before, so an alert is still never opened twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import exists, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from screening.linking import pgstore, store
from screening.linking.models import ClusterMember, LinkCluster
from screening.monitoring import alerts
from screening.monitoring.alerts import Finding
from screening.monitoring.models import Webhook

ALERT_SOURCE: Final = "linked_accounts"


def party_key(cluster_id: int) -> str:
    """The alert key of a cluster: one alert per customer and cluster."""
    # A "rule:" key: no listed party stands behind it, so rescreens never look it up in a list.
    return f"rule:linked_accounts:cluster-{cluster_id}"


def _findings(
    cluster_id: int, rows: Sequence[dict[str, Any]], owners: dict[int, int]
) -> list[tuple[int, int, Finding]]:
    """(member, customer, finding) of each new member, by account."""
    key = party_key(cluster_id)
    found = []
    for row in sorted(rows, key=lambda r: r["account_pk"]):
        root = row["path"][-1]
        finding = Finding(
            party_key=key,
            decision="review",
            source=ALERT_SOURCE,
            source_key=root["account_id"],
            entity_name=root.get("denied_because"),
            score=row["score"],
        )
        found.append((row["account_pk"], owners[row["account_pk"]], finding))
    return found


def raise_alerts(
    session: Session,
    cluster_id: int,
    rows: Sequence[dict[str, Any]],
    owners: dict[int, int],
    *,
    actor: str,
) -> None:
    """An alert for each new member's customer (raised together), its id on the member."""
    _raise_rest(session, cluster_id, _findings(cluster_id, rows, owners), actor=actor)


def _raise_rest(
    session: Session, cluster_id: int, findings: list[tuple[int, int, Finding]], *, actor: str
) -> None:
    key = party_key(cluster_id)
    raised = alerts.raise_many(session, [(owner, f) for _, owner, f in findings], actor=actor)
    pairs = [(pk, raised[(owner, key)]) for pk, owner, _ in findings if (owner, key) in raised]
    store.set_column(session, ClusterMember, "account_pk", "alert_id", pairs)


def hooks_active(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(Webhook.active.is_(True)))))


def _openers(
    findings: list[tuple[int, int, Finding]],
) -> tuple[dict[int, int], list[dict[str, Any]]]:
    """The member whose finding opens each customer's alert, and the rows `open_alerts` takes."""
    first: dict[int, int] = {}  # customer -> the member whose finding opens its alert
    for pk, owner, _ in findings:
        first.setdefault(owner, pk)
    given = [
        {
            "n": n,
            "account_pk": pk,
            "customer_id": owner,
            "source_key": f.source_key,
            "entity_name": f.entity_name,
            "score": f.score,
            "reason": f"new match: {alerts._describe(f)}",
            "details": {"fingerprint": f.fingerprint, "score": f.score},
        }
        for n, (pk, owner, f) in enumerate(findings)
        if first[owner] == pk
    ]
    return first, given


def _after_opening(
    session: Session,
    cluster_id: int,
    findings: list[tuple[int, int, Finding]],
    first: dict[int, int],
    opened: dict[int, int],
    *,
    actor: str,
    now: datetime,
) -> None:
    # The session's copy of the cluster, if it holds one, reads what the statement wrote.
    cluster = session.identity_map.get(identity_key(LinkCluster, cluster_id))
    if cluster is not None:
        set_committed_value(cluster, "updated_at", now)
    rest = [(pk, o, f) for pk, o, f in findings if not (o in opened and first[o] == pk)]
    if rest:
        _raise_rest(session, cluster_id, rest, actor=actor)


def growth_note(
    rows: Sequence[dict[str, Any]], ids: Mapping[int, str]
) -> tuple[str, dict[str, Any]]:
    """The reason and details of a cluster's `grown` event for its new members."""
    reason = f"{len(rows)} linked accounts sent to review"
    return reason, {"accounts": [ids[row["account_pk"]] for row in rows[:100]]}


def members_with_alerts(
    session: Session,
    table: Any,
    rows: Sequence[dict[str, Any]],
    owners: dict[int, int],
    ids: Mapping[int, str],
    *,
    actor: str,
    now: datetime,
) -> list[dict[str, Any]] | None:
    """The new members (rows of cluster_members) inserted and `raise_fast` done for them, on
    PostgreSQL with no webhook active: the rows inserted. Both go in one round trip; when a
    member existed already (another process made it one meanwhile) the alerts' statement
    writes nothing, and the alerts of the members inserted are raised after, as before. None,
    with nothing written, where the driver cannot pipeline."""
    cluster_id = rows[0]["cluster_id"]
    findings = _findings(cluster_id, rows, owners)
    first, given = _openers(findings)
    reason, details = growth_note(rows, ids)
    session.flush()  # Core statements: what is pending is not flushed for them
    opening = _opening_of(cluster_id, actor=actor, now=now, reason=reason, details=details)
    done = pgstore.members_and_alerts(session, table, rows, given, opening)
    if done is None:
        return None
    inserted, opened = done
    if opened is not None:  # every member was new: their alerts are written
        _after_opening(session, cluster_id, findings, first, opened, actor=actor, now=now)
        return list(rows)
    chosen = set(inserted)
    kept = [row for row in rows if row["account_pk"] in chosen]
    if kept:
        reason, details = growth_note(kept, ids)
        raise_fast(session, cluster_id, kept, owners, actor=actor, now=now, reason=reason,
                   details=details)  # fmt: skip
    return kept


def raise_fast(
    session: Session,
    cluster_id: int,
    rows: Sequence[dict[str, Any]],
    owners: dict[int, int],
    *,
    actor: str,
    now: datetime,
    reason: str,
    details: dict[str, Any],
) -> None:
    """`raise_alerts`, then the cluster's time and its `grown` event, on PostgreSQL with no
    webhook active: the new alerts and everything else in one statement."""
    findings = _findings(cluster_id, rows, owners)
    first, given = _openers(findings)
    session.flush()  # a Core statement: what is pending is not flushed for it
    opening = _opening_of(cluster_id, actor=actor, now=now, reason=reason, details=details)
    opened = pgstore.open_alerts(session, given, opening)
    _after_opening(session, cluster_id, findings, first, opened, actor=actor, now=now)


def _opening_of(
    cluster_id: int, *, actor: str, now: datetime, reason: str, details: dict[str, Any]
) -> pgstore.Opening:
    return pgstore.Opening(cluster_id, party_key(cluster_id), ALERT_SOURCE, "review", actor, now,
                           reason, details)  # fmt: skip
