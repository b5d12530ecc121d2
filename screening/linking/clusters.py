"""Clusters: the accounts linked to denied accounts, found by walking the link graph, each
sent to review with its path and an alert; grown as signals arrive, merged when two meet,
released when no root is denied any more. Functions take a Session and never commit.

A root is an account whose customer's access is `deny` (a list match, ownership, a curated lab,
a confirmed alert) and that is not itself in a cluster: accounts denied through a cluster stay
its members, so a denial never snowballs by itself - a cluster grows only from its roots.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from screening.db import utcnow
from screening.linking import graph, paths
from screening.linking.graph import Reach
from screening.linking.models import (
    AccountSignal,
    ClusterEvent,
    ClusterMember,
    ClusterRoot,
    LinkCluster,
)
from screening.linking.rules import LinkRules
from screening.linking.store import DbNeighbours
from screening.monitoring import alerts
from screening.monitoring.alerts import Finding
from screening.monitoring.models import Account, Alert, Customer, CustomerMatch, CustomerResult

ACTIVE: Final = ("open", "denied")
ALERT_SOURCE: Final = "linked_accounts"
_CHUNK = 500


def party_key(cluster_id: int) -> str:
    """The alert key of a cluster: one alert per customer and cluster."""
    # A "rule:" key: no listed party stands behind it, so rescreens never look it up in a list.
    return f"rule:linked_accounts:cluster-{cluster_id}"


def _chunks(items: Collection[int]) -> Iterable[list[int]]:
    ordered = sorted(items)
    for first in range(0, len(ordered), _CHUNK):
        yield ordered[first : first + _CHUNK]


def event(
    session: Session,
    cluster: LinkCluster,
    *,
    actor: str,
    kind: str,
    reason: str,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        ClusterEvent(
            cluster_id=cluster.id,
            at=utcnow(),
            actor=actor,
            kind=kind,
            reason=reason,
            details=details or {},
        )
    )


def denied_label(session: Session, customer_id: int) -> str:
    """What a path prints after "denied:": the listed party or rule behind the denial."""
    confirmed = session.scalar(
        select(Alert)
        .where(Alert.customer_id == customer_id, Alert.status == "true_match")
        .order_by(Alert.id)
    )
    if confirmed is not None:
        return confirmed.entity_name or confirmed.party_key
    match = session.scalar(
        select(CustomerMatch)
        .where(CustomerMatch.customer_id == customer_id, CustomerMatch.decision == "deny")
        .order_by(CustomerMatch.party_key)
    )
    if match is not None:
        if match.entity_name:
            return match.entity_name
        return f"the {match.party_key.removeprefix('rule:')} rule"
    result = session.get(CustomerResult, customer_id)
    return result.access_reason if result is not None else "denied"


@dataclass(frozen=True, slots=True)
class Place:
    cluster_id: int
    active: bool
    hops: int
    root: bool
    state: str
    through: bool = True


def places(session: Session, accounts: Collection[int]) -> dict[int, Place]:
    """Where each account is: root or member of which cluster, at how many hops."""
    found: dict[int, Place] = {}
    for part in _chunks(accounts):
        roots = session.execute(
            select(ClusterRoot.account_pk, ClusterRoot.cluster_id, LinkCluster.status)
            .join(LinkCluster, LinkCluster.id == ClusterRoot.cluster_id)
            .where(ClusterRoot.account_pk.in_(part))
        )
        for pk, cluster_id, status in roots:
            found[pk] = Place(cluster_id, status in ACTIVE, 0, True, "root")
        members = session.execute(
            select(
                ClusterMember.account_pk,
                ClusterMember.cluster_id,
                ClusterMember.hops,
                ClusterMember.state,
                ClusterMember.through,
                LinkCluster.status,
            )
            .join(LinkCluster, LinkCluster.id == ClusterMember.cluster_id)
            .where(ClusterMember.account_pk.in_(part))
        )
        for pk, cluster_id, hops, state, through, status in members:
            found[pk] = Place(cluster_id, status in ACTIVE, hops, False, state, through)
    return found


@dataclass(slots=True)
class Growth:
    members_added: int = 0
    merged: list[int] = field(default_factory=list)


class Linker:
    """The link rules and who acts, for one unit of work."""

    def __init__(self, session: Session, rules: LinkRules, *, actor: str) -> None:
        self.session = session
        self.rules = rules
        self.actor = actor
        self.neighbours = DbNeighbours(session, rules)

    # --- walking ----------------------------------------------------------------------------

    def _stop(self, accounts: Collection[int]) -> set[int]:
        return set(places(self.session, accounts))

    def walk(self, start: dict[int, int]) -> graph.Walk:
        return graph.walk(self.neighbours, start, self.rules, stop=self._stop)

    # --- roots ------------------------------------------------------------------------------

    def new_root(self, account_pk: int, customer_id: int) -> LinkCluster | None:
        """Walk from a newly denied account: it joins the (first) active cluster it touches,
        every other one touched is merged in, or it starts a cluster of its own."""
        label = denied_label(self.session, customer_id)
        walked = self.walk({account_pk: 0})
        met = places(self.session, walked.touched)
        active = sorted({p.cluster_id for p in met.values() if p.active})
        now = utcnow()
        found = self.session.get(LinkCluster, active[0]) if active else None
        try:
            # The cluster and its root together: a writer that loses the race to another
            # process leaves no empty cluster behind.
            with self.session.begin_nested():
                cluster = found or LinkCluster(status="open", created_at=now, updated_at=now)
                if found is None:
                    self.session.add(cluster)
                    self.session.flush()
                self.session.add(
                    ClusterRoot(
                        account_pk=account_pk,
                        cluster_id=cluster.id,
                        denied_because=label,
                        added_at=now,
                    )
                )
                self.session.flush()
        except IntegrityError:
            return None  # another process made it a root first
        if found is None:
            event(self.session, cluster, actor=self.actor, kind="created", reason=label)
        account_id = self._ids([account_pk])[account_pk]
        event(
            self.session,
            cluster,
            actor=self.actor,
            kind="root_added",
            reason=f"account {account_id} is denied: {label}",
            details={"account_id": account_id},
        )
        for other in active[1:]:
            self._merge(other, cluster)
        self._add(cluster, {account_pk: 0}, walked)
        return cluster

    # --- growing ----------------------------------------------------------------------------

    def grow_from(self, account_pk: int) -> Growth:
        """New signals of an account: the links they make, from wherever the account is."""
        place = places(self.session, [account_pk]).get(account_pk)
        if place is not None:
            cluster = self.session.get(LinkCluster, place.cluster_id)
            assert cluster is not None
            if not place.active or place.state == "dismissed":
                return Growth()
            if not place.root:
                member = self.session.get(ClusterMember, account_pk)
                assert member is not None
                member.through = self._passes(account_pk, place.cluster_id)
                if not member.through:
                    return Growth()
            return self._add(cluster, {account_pk: place.hops}, self.walk({account_pk: place.hops}))
        rows = list(self.neighbours.shared([account_pk]))
        every = graph.pair_links(rows, self.rules).get(account_pk, {})
        if not every:
            return Growth()
        near = {
            pk: p
            for pk, p in places(self.session, every).items()
            if p.active and p.state != "dismissed" and p.hops < self.rules.max_hops and p.through
        }
        strong = {pk for pk in near if every[pk].score >= self.rules.threshold}
        if strong:
            via = min(strong, key=lambda pk: (near[pk].hops, -every[pk].score, pk))
            link = every[via]
        else:
            hops_of = {pk: p.hops for pk, p in near.items()}
            by_cluster: dict[int, dict[int, graph.Link]] = {}
            for pk, p in near.items():
                by_cluster.setdefault(p.cluster_id, {})[pk] = every[pk]
            crowds = [
                found
                for _, support in sorted(by_cluster.items())
                if (found := graph.crowd_link(support, self.rules, hops_of)) is not None
            ]
            if not crowds:
                return Growth()
            via, link = crowds[0]
        cluster = self.session.get(LinkCluster, near[via].cluster_id)
        assert cluster is not None
        hops = near[via].hops + 1
        first = Reach(account_pk, hops, via, link)
        mates = {pk for pk, p in near.items() if p.cluster_id == near[via].cluster_id}
        shared = {v for _, o, kind, v in rows if o in mates and self._counts(kind)}
        through = graph.passes_through(shared, self.rules)
        walked = (
            self.walk({account_pk: hops})
            if hops < self.rules.max_hops and through
            else graph.Walk({}, set(), False)
        )
        walked.reached = {account_pk: first, **walked.reached}
        if through:
            walked.through.add(account_pk)
        walked.touched |= {pk for pk in near if pk in strong} - {via}
        return self._add(cluster, {via: near[via].hops}, walked)

    def _counts(self, kind: str) -> bool:
        return self.rules.weight(kind) >= self.rules.through_score

    def _passes(self, account_pk: int, cluster_id: int) -> bool:
        """Whether links are followed through this member (see `graph.passes_through`)."""
        rows = list(self.neighbours.shared([account_pk]))
        found = places(self.session, {o for _, o, _, _ in rows})
        mates = {pk for pk, p in found.items() if p.cluster_id == cluster_id}
        shared = {v for _, o, kind, v in rows if o in mates and self._counts(kind)}
        return graph.passes_through(shared, self.rules)

    def _add(
        self,
        cluster: LinkCluster,
        origin: dict[int, int],
        walked: graph.Walk,
        routes: dict[int, list[dict[str, Any]]] | None = None,
    ) -> Growth:
        """Make the walked accounts members (shortest path first), merge the clusters it met."""
        growth = Growth()
        met = places(self.session, walked.touched)
        for other in sorted({p.cluster_id for p in met.values() if p.active} - {cluster.id}):
            self._merge(other, cluster)
            growth.merged.append(other)
        if walked.truncated and not cluster.truncated:
            cluster.truncated = True
            event(
                self.session,
                cluster,
                actor=self.actor,
                kind="truncated",
                reason=f"the walk stopped at {self.rules.max_cluster} accounts",
            )
        if not walked.reached:
            return growth
        if routes is None:
            routes = self._routes(origin, walked.reached)
        now = utcnow()
        members = [
            ClusterMember(
                account_pk=reach.account,
                cluster_id=cluster.id,
                state="review",
                hops=reach.hops,
                via_account_pk=reach.via,
                score=reach.link.score,
                through=reach.account in walked.through,
                path=routes[reach.account],
                reason=paths.describe(routes[reach.account]),
                added_at=now,
            )
            for reach in sorted(walked.reached.values(), key=lambda r: (r.hops, r.account))
        ]
        ids = self._ids({m.account_pk for m in members})
        members = self._insert(members)
        self._raise_alerts(cluster, members)
        cluster.updated_at = now
        growth.members_added = len(members)
        event(
            self.session,
            cluster,
            actor=self.actor,
            kind="grown",
            reason=f"{len(members)} linked accounts sent to review",
            details={"accounts": [ids[m.account_pk] for m in members[:100]]},
        )
        return growth

    def _insert(self, members: list[ClusterMember]) -> list[ClusterMember]:
        """Insert the new members; one that another process made a member meanwhile (two
        signups linking at once) is skipped, never an error for the caller."""
        try:
            with self.session.begin_nested():
                self.session.add_all(members)
                self.session.flush()
            return members
        except IntegrityError:
            pass
        kept: list[ClusterMember] = []
        for member in members:
            fresh = ClusterMember(
                **{c.key: getattr(member, c.key) for c in ClusterMember.__table__.columns}
            )
            try:
                with self.session.begin_nested():
                    self.session.add(fresh)
                    self.session.flush()
            except IntegrityError:
                continue
            kept.append(fresh)
        return kept

    def _routes(
        self, origin: dict[int, int], reached: dict[int, Reach]
    ) -> dict[int, list[dict[str, Any]]]:
        """Each reached account's path: its link to the account it was reached by, then that
        account's path (an origin's is stored: a root has none, a member its own)."""
        labels: dict[int, str] = {}
        routes: dict[int, list[dict[str, Any]]] = {}
        for pk in origin:
            root = self.session.get(ClusterRoot, pk)
            if root is not None:
                labels[pk] = root.denied_because
                routes[pk] = []
                continue
            member = self.session.get(ClusterMember, pk)
            if member is not None:
                routes[pk] = list(member.path)
        order = sorted(reached.values(), key=lambda r: (r.hops, r.account))
        ids = self._ids({r.via for r in order})
        for reach in order:
            first = paths.step(ids[reach.via], reach.link.kinds, reach.link.score, reach.link.crowd)
            if reach.via in labels:
                first["denied_because"] = labels[reach.via]
            routes[reach.account] = [first, *routes[reach.via]]
        return routes

    def reevaluate(self, cluster_id: int) -> tuple[int, int]:
        """Walk again from the cluster's roots (after a value it links by went over the degree
        cut-off, or on an analyst's request): members in review that are no longer reached
        leave it, newly reached accounts join, paths are brought up to date. Returns (added,
        removed); denied and dismissed members stay as decided."""
        cluster = self.session.get(LinkCluster, cluster_id)
        if cluster is None or cluster.status not in ACTIVE:
            return 0, 0
        roots = self.session.scalars(
            select(ClusterRoot.account_pk).where(ClusterRoot.cluster_id == cluster_id)
        )
        origin = dict.fromkeys(roots, 0)
        if not origin:
            return 0, 0

        def elsewhere(accounts: Collection[int]) -> set[int]:
            found = places(self.session, accounts)
            return {pk for pk, p in found.items() if p.cluster_id != cluster_id}

        walked = graph.walk(self.neighbours, origin, self.rules, stop=elsewhere)
        current = {
            m.account_pk: m
            for m in self.session.scalars(
                select(ClusterMember).where(ClusterMember.cluster_id == cluster_id)
            )
        }
        routes = self._routes(origin, walked.reached)
        gone = [m for pk, m in current.items() if pk not in walked.reached and m.state == "review"]
        ids = self._ids({m.account_pk for m in gone})
        for member in gone:
            self._link_gone(member)
            self.session.delete(member)
        for pk, member in current.items():
            reach = walked.reached.get(pk)
            if reach is not None:
                member.through = pk in walked.through
            if reach is not None and member.path != routes[pk]:
                member.hops, member.via_account_pk = reach.hops, reach.via
                member.score, member.path = reach.link.score, routes[pk]
                member.reason = paths.describe(routes[pk])
        self.session.flush()
        fresh = {pk: r for pk, r in walked.reached.items() if pk not in current}
        rest = graph.Walk(fresh, set(), walked.truncated, walked.through)
        added = self._add(cluster, origin, rest, routes)
        if gone:
            event(
                self.session,
                cluster,
                actor=self.actor,
                kind="shrunk",
                reason=f"{len(gone)} accounts are no longer linked and leave review",
                details={"accounts": [ids[m.account_pk] for m in gone[:100]]},
            )
        return added.members_added, len(gone)

    def _link_gone(self, member: ClusterMember) -> None:
        if member.alert_id is None:
            return
        alert = self.session.get(Alert, member.alert_id)
        if alert is not None:
            alerts.add_event(
                self.session,
                alert,
                actor=self.actor,
                kind="changed",
                reason=f"the link no longer holds (it was: {member.reason})",
                from_status=alert.status,
            )

    def _raise_alerts(self, cluster: LinkCluster, members: list[ClusterMember]) -> None:
        by_account = {m.account_pk: m for m in members}
        owners: dict[int, Customer] = {}
        for part in _chunks(by_account):
            rows = self.session.execute(
                select(Account.id, Customer)
                .join(Customer, Customer.id == Account.customer_id)
                .where(Account.id.in_(part))
            )
            owners.update({pk: customer for pk, customer in rows})
        key = party_key(cluster.id)
        for pk, member in sorted(by_account.items()):
            customer = owners[pk]
            root = member.path[-1]
            finding = Finding(
                party_key=key,
                decision="review",
                source=ALERT_SOURCE,
                source_key=root["account_id"],
                entity_name=root.get("denied_because"),
                score=member.score,
            )
            alerts.raise_for(self.session, customer, finding, actor=self.actor)
            alert = alerts.alert_for(self.session, customer.id, key)
            member.alert_id = alert.id if alert is not None else None

    def _merge(self, source_id: int, target: LinkCluster) -> None:
        source = self.session.get(LinkCluster, source_id)
        assert source is not None
        self.session.execute(
            update(ClusterRoot)
            .where(ClusterRoot.cluster_id == source_id)
            .values(cluster_id=target.id)
        )
        self.session.execute(
            update(ClusterMember)
            .where(ClusterMember.cluster_id == source_id)
            .values(cluster_id=target.id)
        )
        if target.status == "denied" and source.status != "denied":
            target.status = "open"  # members of the merged cluster still need a decision
        source.status, source.merged_into, source.updated_at = "merged", target.id, utcnow()
        reason = f"cluster {source_id} merged into cluster {target.id}: they share links"
        event(self.session, source, actor=self.actor, kind="merged", reason=reason)
        event(self.session, target, actor=self.actor, kind="merged", reason=reason)

    def _ids(self, accounts: Collection[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for part in _chunks(accounts):
            rows = self.session.execute(
                select(Account.id, Account.account_id).where(Account.id.in_(part))
            )
            found.update({pk: account_id for pk, account_id in rows})
        return found

    def clusters_carrying(self, signal_ids: Collection[int]) -> list[int]:
        """Active clusters with a root or member that carries one of these values."""
        carriers: set[int] = set()
        for part in _chunks(signal_ids):
            carriers.update(
                self.session.scalars(
                    select(AccountSignal.account_pk).where(AccountSignal.signal_id.in_(part))
                )
            )
        return sorted({p.cluster_id for p in places(self.session, carriers).values() if p.active})

    # --- sweeping ---------------------------------------------------------------------------

    def release_stale_roots(self) -> list[int]:
        """Roots whose account is no longer denied leave their cluster; a cluster left with no
        root is released, and its members still in review with it. Returns released ids."""
        stale = self.session.execute(
            select(ClusterRoot, Account.account_id)
            .join(Account, Account.id == ClusterRoot.account_pk)
            .outerjoin(CustomerResult, CustomerResult.customer_id == Account.customer_id)
            .where(or_(CustomerResult.access.is_(None), CustomerResult.access != "deny"))
        ).all()
        touched: set[int] = set()
        for root, account_id in stale:
            cluster = self.session.get(LinkCluster, root.cluster_id)
            assert cluster is not None
            touched.add(cluster.id)
            self.session.delete(root)
            event(
                self.session,
                cluster,
                actor=self.actor,
                kind="root_removed",
                reason=f"account {account_id} is no longer denied",
            )
        self.session.flush()
        released: list[int] = []
        for cluster_id in sorted(touched):
            cluster = self.session.get(LinkCluster, cluster_id)
            assert cluster is not None
            left = self.session.scalar(
                select(ClusterRoot.account_pk).where(ClusterRoot.cluster_id == cluster_id).limit(1)
            )
            if left is not None or cluster.status not in ACTIVE:
                continue
            gone = self.session.execute(
                delete(ClusterMember).where(
                    ClusterMember.cluster_id == cluster_id, ClusterMember.state == "review"
                )
            )
            cluster.status, cluster.updated_at = "released", utcnow()
            count = getattr(gone, "rowcount", 0)
            event(
                self.session,
                cluster,
                actor=self.actor,
                kind="released",
                reason=f"no root is denied any more; {count} accounts leave review",
            )
            released.append(cluster_id)
        return released

    def denied_without_cluster(self, account_pk: int | None = None) -> list[tuple[int, int]]:
        """(account, customer) of denied accounts that are neither a root nor a member."""
        if account_pk is not None:  # the signals path: three primary-key reads
            account = self.session.get(Account, account_pk)
            result = self.session.get(CustomerResult, account.customer_id) if account else None
            if account is None or result is None or result.access != "deny":
                return []
            if self.session.get(ClusterRoot, account_pk) or self.session.get(
                ClusterMember, account_pk
            ):
                return []
            return [(account_pk, account.customer_id)]
        query = (
            select(Account.id, Account.customer_id)
            .join(CustomerResult, CustomerResult.customer_id == Account.customer_id)
            .where(
                CustomerResult.access == "deny",
                Account.id.not_in(select(ClusterRoot.account_pk)),
                Account.id.not_in(select(ClusterMember.account_pk)),
            )
            .order_by(Account.id)
        )
        return [(pk, customer_id) for pk, customer_id in self.session.execute(query)]
