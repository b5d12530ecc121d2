"""Where accounts are: root or member of which cluster, at how many hops; read in one query per
few hundred accounts, and kept by a unit of work that asks about the same accounts again."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, cast

from sqlalchemy import Table, literal, select, union_all
from sqlalchemy.orm import Session

from screening.db import in_lists
from screening.linking import graph, pgstore, store
from screening.linking.models import ClusterMember, ClusterRoot, LinkCluster
from screening.linking.rules import Degrees

ACTIVE: Final = ("open", "denied")


def chunks(items: Collection[int]) -> Iterable[list[int]]:
    return in_lists(sorted(items))


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


@dataclass(frozen=True, slots=True)
class Place:
    cluster_id: int
    active: bool
    hops: int
    root: bool
    state: str
    through: bool = True


@lru_cache(maxsize=2)
def _places_statement(postgres: bool) -> Any:
    """Roots and members among :ids, built once (table columns: plain rows)."""
    roots_t, members_t, clusters_t = _table(ClusterRoot), _table(ClusterMember), _table(LinkCluster)
    roots = (
        select(
            roots_t.c.account_pk,
            roots_t.c.cluster_id,
            clusters_t.c.status,
            literal(0).label("hops"),
            literal("root").label("state"),
            literal(True).label("through"),
        )
        .join(clusters_t, clusters_t.c.id == roots_t.c.cluster_id)
        .where(store.ids_param(postgres, roots_t.c.account_pk))
    )
    members = (
        select(
            members_t.c.account_pk,
            members_t.c.cluster_id,
            clusters_t.c.status,
            members_t.c.hops,
            members_t.c.state,
            members_t.c.through,
        )
        .join(clusters_t, clusters_t.c.id == members_t.c.cluster_id)
        .where(store.ids_param(postgres, members_t.c.account_pk))
    )
    return union_all(roots, members)


def places(session: Session, accounts: Collection[int]) -> dict[int, Place]:
    """Where each account is: root or member of which cluster, at how many hops."""
    found: dict[int, Place] = {}
    # Plain rows, no ORM loading; but then no autoflush either, and a cluster just released or
    # merged must read as such.
    session.flush()
    query = _places_statement(session.get_bind().dialect.name == "postgresql")
    for part in chunks(accounts):
        # One round trip for both; a member's place wins over a root's, as it always has.
        rows = sorted(session.execute(query, {"ids": part}), key=lambda r: r[4] != "root")
        for pk, cluster_id, status, hops, state, through in rows:
            root = state == "root"
            found[pk] = Place(cluster_id, status in ACTIVE, hops, root, state, bool(through))
    return found


# What a path through a root or member starts with: (why the root is denied, []) for a root,
# (None, its path) for a member.
Origin = tuple[str | None, list[dict[str, Any]]]


class Known:
    """Places read once by a unit of work before it writes: what its walk and its insert ask
    again about the same accounts is answered from here, the rest from the database. A look
    (`look`) also leaves the asked accounts' ids and customers, and their origins."""

    def __init__(
        self,
        session: Session,
        asked: Collection[int],
        found: dict[int, Place] | None = None,
        accounts: dict[int, tuple[str, int]] | None = None,
        origins: dict[int, Origin] | None = None,
    ) -> None:
        self.session = session
        self.asked = set(asked)
        self.found = places(session, self.asked) if found is None else found
        self.accounts = accounts or {}
        # Complete for the asked accounts when given: one asked and absent is neither.
        self.origins = origins

    def places(self, accounts: Collection[int]) -> dict[int, Place]:
        found = {pk: self.found[pk] for pk in accounts if pk in self.found}
        rest = [pk for pk in accounts if pk not in self.asked]
        if rest:
            found.update(places(self.session, rest))
        return found


class Primed:
    """The neighbours, with one account's rows already read (its walk starts there)."""

    def __init__(self, neighbours: graph.Neighbours, account: int, rows: list[graph.Shared]):
        self.neighbours, self.account, self.rows = neighbours, account, rows

    def shared(self, accounts: Collection[int], at_least: float = 0.0) -> Iterable[graph.Shared]:
        if list(accounts) == [self.account]:
            return self.rows  # every row: more than `at_least` asks, never fewer
        return self.neighbours.shared(accounts, at_least)


@dataclass(frozen=True, slots=True)
class Look:
    """An observed account, read in one round trip (PostgreSQL): whether it is a new root,
    its place, and its rows with what growing from them needs to know."""

    denied: bool  # its customer is denied and it is neither a root nor a member
    place: Place | None
    rows: list[graph.Shared]
    known: Known
    hooks: bool  # a webhook is active


def look(
    session: Session,
    account_pk: int,
    account: tuple[str, int],
    *,
    grow: bool,
    degrees: Degrees,
    seen: pgstore.Seen | None = None,
) -> Look:
    """`denied_without_cluster`, the neighbours' rows and `Known` for them in one statement;
    without `grow`, the account's place alone. `account`: its (account id, customer); `seen`:
    the statement's answer, when the observation's write read it already."""
    if seen is None:
        session.flush()  # a Core statement: what is pending is not flushed for it
        seen = pgstore.look(session, account_pk, account[1], grow=grow, degrees=degrees)
    found: dict[int, Place] = {}
    origins: dict[int, Origin] = {}
    for pk, cluster_id, status, label in seen.roots:
        found[pk] = Place(cluster_id, status in ACTIVE, 0, True, "root", True)
        origins[pk] = (label, [])
    # A member's place wins over a root's (as in `places`); a root's origin over a member's.
    for pk, cluster_id, status, hops, state, through, path in seen.members:
        found[pk] = Place(cluster_id, status in ACTIVE, hops, False, state, bool(through))
        origins.setdefault(pk, (None, list(path)))
    rows = [(account_pk, other, kind, value) for other, kind, value in seen.rows]
    accounts = {pk: (account_id, customer) for pk, account_id, customer in seen.accounts}
    accounts[account_pk] = account
    known = Known(session, {account_pk, *(o for _, o, _, _ in rows)}, found, accounts, origins)
    denied = seen.access == "deny" and account_pk not in found
    return Look(denied, found.get(account_pk), rows, known, seen.hooks)
