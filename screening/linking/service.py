"""Use cases of linking, as the API and the CLI call them. Each takes a Session and never
commits: an observation, the links it makes, the members it adds and their alerts are stored
together or not at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from screening.db import utcnow
from screening.errors import InvalidQueryError, NotFoundError
from screening.linking import store
from screening.linking.clusters import Linker, places
from screening.linking.hashing import Keyer
from screening.linking.networks import NetworkTable
from screening.linking.placing import look
from screening.linking.rules import LinkRules
from screening.linking.signals import Observation, signals_of
from screening.monitoring.models import Account

# An observation from the future is a caller's clock or a forged timestamp.
MAX_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Context:
    """What recording and linking need besides the session (fixed for a process)."""

    keyer: Keyer
    networks: NetworkTable
    rules: LinkRules


@dataclass(frozen=True, slots=True)
class Recorded:
    account_id: str
    signals: int
    new: int
    cluster_id: int | None
    added: int


@dataclass(frozen=True, slots=True)
class AccountRef:
    """An account as linking needs it: its key, its id and its customer."""

    id: int
    account_id: str
    customer_id: int


# Built once, and read as plain columns: building the query again, or loading an ORM object
# for the row, each cost as much as the query (about 0.3 ms of every observation).
_ACCOUNT = select(Account.id, Account.account_id, Account.customer_id).where(
    Account.account_id == bindparam("account_id")
)


def find_account(session: Session, account_id: str) -> AccountRef:
    row = session.connection().execute(_ACCOUNT, {"account_id": account_id}).first()
    if row is None:
        raise NotFoundError(
            f"account {account_id!r} is unknown: register it with its customer first"
        )
    return AccountRef(*row)


def observed_at(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now
    if value.tzinfo is None:
        raise InvalidQueryError("observed_at needs a time zone (e.g. 2026-12-01T10:00:00Z)")
    if value > now + MAX_CLOCK_SKEW:
        raise InvalidQueryError("observed_at is in the future")
    return value


def record(
    session: Session, account: AccountRef, obs: Observation, ctx: Context, *, actor: str
) -> Recorded:
    """Store an observation's signals, then link: a denied account becomes a root, an account
    whose new signals reach a cluster joins it (and what it reaches, with it)."""
    if obs.is_empty():
        raise InvalidQueryError(
            "no signal given: send at least one of email, payment_fingerprint, device_id, "
            "phone, ip, asn, organisation, billing_address"
        )
    now = utcnow()
    at = observed_at(obs.observed_at, now)
    found = signals_of(obs, ctx.keyer, ctx.networks)
    seen, read = store.observe_look(session, account.id, account.customer_id, found, at,
                                    degrees=ctx.rules.degrees)  # fmt: skip
    linker = Linker(session, ctx.rules, actor=actor)
    added = 0
    # A value now shared too widely links nobody: clusters that relied on it are walked again.
    for stale in linker.clusters_carrying(seen.crossed):
        linker.reevaluate(stale)
    looked = None
    if not seen.crossed and session.get_bind().dialect.name == "postgresql":
        # What the reads below ask: read by the write itself (`read`) unless another writer's
        # rows kept it from it, else in one round trip (nothing was walked again to move it).
        looked = look(session, account.id, (account.account_id, account.customer_id),
                      grow=seen.new > 0, degrees=ctx.rules.degrees, seen=read)  # fmt: skip
        denied = [(account.id, account.customer_id)] if looked.denied else []
    else:
        denied = linker.denied_without_cluster(account.id)
    joined = None
    place = looked.place if looked is not None else None
    if denied:
        linker.new_root(*denied[0])
    elif seen.new:
        growth = linker.grow_from(account.id, looked)
        added, joined = growth.members_added, growth.joined
        if growth.wrote and place is None:
            looked = None  # another process may have made it a member meanwhile: read again
    if joined is None:  # it did not join a cluster now: it may be in one already
        if looked is None or denied:
            place = places(session, [account.id]).get(account.id)
        joined = place.cluster_id if place is not None and place.active else None
    return Recorded(account.account_id, len(found), seen.new, joined, added)


@dataclass(slots=True)
class SweepReport:
    released: list[int] = field(default_factory=list)
    roots: int = 0
    clusters: set[int] = field(default_factory=set)
    expired: ExpiryReport | None = None

    def line(self) -> str:
        line = (
            f"{self.roots} newly denied accounts linked from, in {len(self.clusters)} clusters; "
            f"{len(self.released)} clusters released"
        )
        if self.expired is not None and self.expired.observations:
            line += f"; {self.expired.line()}"
        return line


def sweep(
    session: Session, rules: LinkRules, *, actor: str, limit: int = 1000, readers: int = 2
) -> SweepReport:
    """Release clusters whose roots are no longer denied, then walk from up to `limit` denied
    accounts not linked from yet (the rest wait for the next sweep), reading on `readers`
    connections at once (a sweep writes no signal, so the others see what it would)."""
    linker = Linker(session, rules, actor=actor, readers=readers)
    report = SweepReport(released=linker.release_stale_roots())
    for account_pk, customer_id in linker.denied_without_cluster()[:limit]:
        cluster = linker.new_root(account_pk, customer_id)
        if cluster is not None:
            report.roots += 1
            report.clusters.add(cluster.id)
    return report


@dataclass(frozen=True, slots=True)
class ExpiryReport:
    observations: int
    values_removed: int
    clusters: tuple[int, ...]
    members_removed: int

    def line(self) -> str:
        return (
            f"{self.observations} observations expired ({self.values_removed} values no "
            f"longer carried); {len(self.clusters)} clusters walked again, "
            f"{self.members_removed} accounts left review"
        )


def expire(
    session: Session,
    rules: LinkRules,
    *,
    max_age: timedelta,
    actor: str,
    now: datetime | None = None,
    limit: int = 5000,
) -> ExpiryReport:
    """Forget the signals an account has not shown for `max_age` (up to `limit` observations;
    the rest wait for the next call): a card seen once two years ago no longer links like one
    seen today, and personal data is not kept for ever. Clusters that linked through them, or
    through values that fall back under the degree cut-off, are walked again: members no
    longer reached leave review, newly reached accounts join."""
    if max_age <= timedelta(0):
        raise InvalidQueryError("the maximum age of a signal must be positive")
    before = (now or utcnow()) - max_age
    expired = store.expire(session, before, limit=limit)
    if not expired.rows:
        return ExpiryReport(0, 0, (), 0)
    linker = Linker(session, rules, actor=actor)
    touched = {p.cluster_id for p in places(session, expired.accounts).values() if p.active}
    touched.update(linker.clusters_carrying(expired.values))
    removed = 0
    for cluster_id in sorted(touched):
        removed += linker.reevaluate(cluster_id)[1]
    return ExpiryReport(expired.rows, expired.values_removed, tuple(sorted(touched)), removed)
