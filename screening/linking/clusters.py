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
from typing import Any, cast

from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from screening.db import utcnow
from screening.linking import graph, paths, pgstore, raising, store
from screening.linking.graph import Reach
from screening.linking.models import (
    AccountSignal,
    ClusterEvent,
    ClusterMember,
    ClusterRoot,
    LinkCluster,
)
from screening.linking.placing import ACTIVE, Known, Look, Place, Primed, chunks, places
from screening.linking.raising import ALERT_SOURCE, party_key
from screening.linking.rules import LinkRules
from screening.linking.store import DbNeighbours, ParallelNeighbours
from screening.monitoring import alerts
from screening.monitoring.models import Account, Alert, CustomerMatch, CustomerResult

# ACTIVE, Place and places live in `placing`; named here too, where callers have found them.
__all__ = ["ACTIVE", "ALERT_SOURCE", "Growth", "Linker", "Place", "denied_label", "event",
           "party_key", "places"]  # fmt: skip


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def event(
    session: Session,
    cluster: LinkCluster | int,
    *,
    actor: str,
    kind: str,
    reason: str,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        ClusterEvent(
            cluster_id=cluster if isinstance(cluster, int) else cluster.id,
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


@dataclass(slots=True)
class Growth:
    members_added: int = 0
    merged: list[int] = field(default_factory=list)
    added: set[int] = field(default_factory=set)
    # The cluster the account grown from joined, when it did.
    joined: int | None = None
    # Whether members were inserted (or tried: another process may have been first).
    wrote: bool = False


class Linker:
    """The link rules and who acts, for one unit of work."""

    def __init__(self, session: Session, rules: LinkRules, *, actor: str, readers: int = 1) -> None:
        """`readers` > 1: walks read on that many connections of their own at once
        (`ParallelNeighbours`; PostgreSQL only, and only for work that writes no signal)."""
        self.session = session
        self.rules = rules
        self.actor = actor
        postgres = session.get_bind().dialect.name == "postgresql"
        self.neighbours: DbNeighbours = (
            ParallelNeighbours(session, rules, readers)
            if readers > 1 and postgres
            else DbNeighbours(session, rules)
        )

    # --- walking ----------------------------------------------------------------------------

    def walk(
        self,
        start: dict[int, int],
        known: Known | None = None,
        neighbours: graph.Neighbours | None = None,
        partly: Collection[int] = (),
    ) -> graph.Walk:
        def stop(accounts: Collection[int]) -> set[int]:
            return set(known.places(accounts) if known else places(self.session, accounts))

        walker = neighbours or self.neighbours
        return graph.walk(walker, start, self.rules, stop=stop, partly=partly)

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

    def grow_from(self, account_pk: int, look: Look | None = None) -> Growth:
        """New signals of an account: the links they make, from wherever the account is
        (`look`: its rows and places, read already)."""
        hooks = look.hooks if look is not None else None
        if look is not None:
            rows, known = look.rows, look.known
        else:
            rows = list(self.neighbours.shared([account_pk]))
            known = Known(self.session, {account_pk, *(o for _, o, _, _ in rows)})
        primed = Primed(self.neighbours, account_pk, rows)
        place = known.found.get(account_pk)
        if place is not None:
            cluster = self.session.get(LinkCluster, place.cluster_id)
            assert cluster is not None
            if not place.active or place.state == "dismissed":
                return Growth()
            partly: tuple[int, ...] = ()
            if not place.root:
                member = self.session.get(ClusterMember, account_pk)
                assert member is not None
                # A crowd link vouches by its number, as in the walk.
                crowd = bool(member.path and member.path[0].get("crowd"))
                member.through = crowd or self._passes(rows, known.found, place.cluster_id)
                if not member.through:
                    partly = (account_pk,)  # walked through in part (`graph.walk`)
            walked = self.walk({account_pk: place.hops}, known, primed, partly)
            return self._add(cluster, {account_pk: place.hops}, walked, known=known, hooks=hooks)
        every = graph.pair_links(rows, self.rules).get(account_pk, {})
        if not every:
            return Growth()
        near = {
            pk: p
            for pk, p in known.places(every).items()
            if p.active and p.state != "dismissed" and p.hops < self.rules.max_hops
        }
        # As in the walk: a member reached by one value links on only by a link that is not
        # its household's or workplace's; its weak links count towards a crowd.
        strong = {
            pk
            for pk in near
            if every[pk].score >= self.rules.threshold
            and (near[pk].through or not graph.dense(every[pk], self.rules))
        }
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
        cluster_id = near[via].cluster_id
        hops = near[via].hops + 1
        first = Reach(account_pk, hops, via, link)
        mates = {pk for pk, p in near.items() if p.cluster_id == cluster_id}
        shared = {v for _, o, kind, v in rows if o in mates and self._counts(kind)}
        through = bool(link.crowd) or graph.passes_through(shared, self.rules)
        walked = (
            self.walk({account_pk: hops}, known, primed, () if through else (account_pk,))
            if hops < self.rules.max_hops
            else graph.Walk({}, set(), False)
        )
        walked.reached = {account_pk: first, **walked.reached}
        if through:
            walked.through.add(account_pk)
        walked.touched |= {pk for pk in near if pk in strong} - {via}
        growth = self._add(cluster_id, {via: near[via].hops}, walked, known=known, hooks=hooks)
        if account_pk in growth.added:
            growth.joined = cluster_id
        return growth

    def _counts(self, kind: str) -> bool:
        return self.rules.weight(kind) >= self.rules.through_score

    def _passes(
        self, rows: Iterable[graph.Shared], found: dict[int, Place], cluster_id: int
    ) -> bool:
        """Whether links are followed through this member (see `graph.passes_through`), from
        its rows and the places of the accounts in them."""
        mates = {pk for pk, p in found.items() if p.cluster_id == cluster_id}
        shared = {v for _, o, kind, v in rows if o in mates and self._counts(kind)}
        return graph.passes_through(shared, self.rules)

    def _load(self, cluster: LinkCluster | int) -> LinkCluster:
        if isinstance(cluster, LinkCluster):
            return cluster
        found = self.session.get(LinkCluster, cluster)
        assert found is not None
        return found

    def _add(
        self,
        cluster: LinkCluster | int,
        origin: dict[int, int],
        walked: graph.Walk,
        routes: dict[int, list[dict[str, Any]]] | None = None,
        known: Known | None = None,
        hooks: bool | None = None,
    ) -> Growth:
        """Make the walked accounts members (shortest path first), merge the clusters it met.
        `cluster`: the cluster or its id (loaded only when its row has to be read); `hooks`:
        whether a webhook is active, when read already."""
        cluster_id = cluster if isinstance(cluster, int) else cluster.id
        growth = Growth()
        met = known.places(walked.touched) if known else places(self.session, walked.touched)
        for other in sorted({p.cluster_id for p in met.values() if p.active} - {cluster_id}):
            self._merge(other, self._load(cluster))
            growth.merged.append(other)
        if walked.truncated and not self._load(cluster).truncated:
            self._load(cluster).truncated = True
            event(
                self.session,
                cluster_id,
                actor=self.actor,
                kind="truncated",
                reason=f"the walk stopped at {self.rules.max_cluster} accounts",
            )
        if not walked.reached:
            return growth
        # Every account named below, read at once: the new members and those they were reached by.
        named = {*walked.reached, *(r.via for r in walked.reached.values())}
        accounts = self._accounts(named, known)
        ids = {pk: account_id for pk, (account_id, _) in accounts.items()}
        if routes is None:
            routes = self._routes(origin, walked.reached, ids, known)
        now = utcnow()
        rows: list[dict[str, Any]] = [
            {
                "account_pk": reach.account,
                "cluster_id": cluster_id,
                "state": "review",
                "hops": reach.hops,
                "via_account_pk": reach.via,
                "score": reach.link.score,
                "through": reach.account in walked.through,
                "path": routes[reach.account],
                "reason": paths.describe(routes[reach.account]),
                "added_at": now,
            }
            for reach in sorted(walked.reached.values(), key=lambda r: (r.hops, r.account))
        ]
        postgres = self.session.get_bind().dialect.name == "postgresql"
        fast = postgres and not (raising.hooks_active(self.session) if hooks is None else hooks)
        owners = {row["account_pk"]: accounts[row["account_pk"]][1] for row in rows}
        if fast:  # the members and their alerts in one round trip
            table = _table(ClusterMember)
            written = raising.members_with_alerts(
                self.session, table, rows, owners, ids, actor=self.actor, now=now
            )
            if written is not None:
                growth.members_added, growth.wrote = len(written), True
                growth.added = {row["account_pk"] for row in written}
                return growth
        kept = self._insert(rows)
        owners = {row["account_pk"]: owners[row["account_pk"]] for row in kept}
        growth.members_added, growth.added, growth.wrote = len(kept), set(owners), True
        reason, details = raising.growth_note(kept, ids)
        if fast:
            raising.raise_fast(self.session, cluster_id, kept, owners, actor=self.actor,
                               now=now, reason=reason, details=details)  # fmt: skip
            return growth
        raising.raise_alerts(self.session, cluster_id, kept, owners, actor=self.actor)
        self._load(cluster).updated_at = now
        event(self.session, cluster_id, actor=self.actor, kind="grown", reason=reason,
              details=details)  # fmt: skip
        return growth

    def _insert(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Insert the new members (rows of cluster_members); one that another process made a
        member meanwhile (two signups linking at once) is skipped, never an error for the
        caller: the primary key decides, as for alerts."""
        if not rows:
            return []
        table = _table(ClusterMember)
        self.session.flush()  # a Core statement: what is pending is not flushed for it
        if self.session.get_bind().dialect.name == "postgresql":
            found = pgstore.insert_many(
                self.session, table, rows, conflict=["account_pk"], returning="account_pk"
            )
            kept = set(found)
        else:
            statement = (
                store.insert_for(self.session, table)
                .on_conflict_do_nothing(index_elements=["account_pk"])
                .returning(table.c.account_pk)
            )
            # Many parameter sets: sent as multi-row INSERTs, a compiled statement reused.
            kept = set(self.session.scalars(statement, rows))
        return [row for row in rows if row["account_pk"] in kept]

    def _routes(
        self,
        origin: dict[int, int],
        reached: dict[int, Reach],
        ids: dict[int, str] | None = None,
        known: Known | None = None,
    ) -> dict[int, list[dict[str, Any]]]:
        """Each reached account's path: its link to the account it was reached by, then that
        account's path (an origin's is stored: a root has none, a member its own)."""
        labels: dict[int, str] = {}
        routes: dict[int, list[dict[str, Any]]] = {}
        for pk in origin:
            if known is not None and known.origins is not None and pk in known.asked:
                label, path = known.origins.get(pk, (None, None))
                if label is not None:
                    labels[pk] = label
                if path is not None:
                    routes[pk] = list(path)
                continue
            # A root first: an account can be a root and a member (`places` shows the member).
            root = self.session.get(ClusterRoot, pk)
            if root is not None:
                labels[pk] = root.denied_because
                routes[pk] = []
                continue
            member = self.session.get(ClusterMember, pk)
            if member is not None:
                routes[pk] = list(member.path)
        order = sorted(reached.values(), key=lambda r: (r.hops, r.account))
        if ids is None:
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

    def _accounts(
        self, accounts: Collection[int], known: Known | None = None
    ) -> dict[int, tuple[str, int]]:
        """(account id, customer) of each account."""
        held = known.accounts if known is not None else {}
        found = {pk: held[pk] for pk in accounts if pk in held}
        for part in chunks([pk for pk in accounts if pk not in held]):
            rows = self.session.execute(
                select(Account.id, Account.account_id, Account.customer_id).where(
                    store.among(self.session, Account.id, part)
                )
            )
            found.update({pk: (account_id, customer) for pk, account_id, customer in rows})
        return found

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
        for part in chunks(accounts):
            rows = self.session.execute(
                select(Account.id, Account.account_id).where(
                    store.among(self.session, Account.id, part)
                )
            )
            found.update({pk: account_id for pk, account_id in rows})
        return found

    def clusters_carrying(self, signal_ids: Collection[int]) -> list[int]:
        """Active clusters with a root or member that carries one of these values."""
        carriers: set[int] = set()
        for part in chunks(signal_ids):
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
