"""Delta rescreens: after list versions activate, only the customers those versions can affect
are screened again.

What is pending is read from the database, not from an event: per source, the active version
against the cursor (the version every customer was last screened against). So a version that a
CLI refresh or the scheduler process activated is caught up by the next `screening rescreen`,
by a worker, or by the scheduler, whichever runs first.

A delta run fixes, when it starts, the versions it goes from and to. Each customer is then
screened against the parties those versions added or changed (a small index of just those
entries, the match floor well under the review threshold so that no candidate is lost to the
different word weights of a small index), and is screened in full, exactly as a full rescreen
would, when that finds anything, when the customer's findings or alerts name a party that was
added, changed or removed, when it has any finding or a near miss (new entries shift every
word's weight, so a result resting on any match may move), or when the customer or the policy
changed since its last screen.
Everyone else keeps their result: a full rescreen would give them the same one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.audit import store as audit_store
from screening.db import utcnow
from screening.listings import store as list_store
from screening.listings.diff import VersionDiff
from screening.listings.models import ListEntryRow
from screening.listings.records import ListEntry
from screening.matching.domains import DomainIndex
from screening.matching.index import MatchIndex
from screening.matching.live import Snapshot, headquarters_of, unverified_names
from screening.matching.model import Query
from screening.monitoring.customers import data_of
from screening.monitoring.models import (
    Alert,
    Customer,
    CustomerMatch,
    CustomerResult,
    RescreenCursor,
)
from screening.monitoring.results import Screener, count, screen_customer
from screening.names.domains import domain_of

DELTA = "delta"
# Far below the review threshold (0.785): a small index weighs words differently from the full
# one, so a candidate is taken at any score the matcher reports at all.
CANDIDATE_FLOOR = 0.6
# New entries change every word's weight a little, so a customer with any finding, or whose
# best match stayed under review (0.785 by default) but was reported at all, may get another
# result against a party that did not change (measured on the real 2021 -> 2024 change: a
# match type moving from fuzzy to word order at the same score, a 0.7878 that had been under
# 0.785). Such customers are screened in full by every delta that adds or changes entries.
NEAR_MISS = CANDIDATE_FLOOR
_IN_BATCH = 500


def cursors(session: Session) -> dict[str, int]:
    return {c.source: c.version_id for c in session.scalars(select(RescreenCursor))}


def pending(session: Session) -> dict[str, tuple[int | None, int]]:
    """{source: (version last screened against or None, active version)} where they differ."""
    done = cursors(session)
    active = list_store.active_version_ids(session)
    return {s: (done.get(s), v) for s, v in active.items() if done.get(s) != v}


def advance(session: Session, versions: Mapping[str, int]) -> None:
    """Every customer has now been screened against `versions`; a cursor never moves back
    (a slow full run finishing after a newer delta leaves the newer cursor)."""
    held = {c.source: c for c in session.scalars(select(RescreenCursor))}
    now = utcnow()
    for source, version_id in versions.items():
        cursor = held.get(source)
        if cursor is None:
            session.add(RescreenCursor(source=source, version_id=version_id, updated_at=now))
        elif version_id > cursor.version_id:
            cursor.version_id, cursor.updated_at = version_id, now


@dataclass(frozen=True, slots=True)
class DeltaPlan:
    """What a set of version changes touched."""

    # Entries the new versions added or changed (what customers are screened against).
    entries: tuple[ListEntry, ...]
    # Party keys added, changed or removed (old and new keys of a changed entry).
    touched: frozenset[str]
    # (source, source key) removed, for alerts whose party key the old version no longer has.
    removed: frozenset[tuple[str, str]]
    snapshot: Snapshot | None

    @property
    def empty(self) -> bool:
        return not self.touched and not self.removed


def _rows(session: Session, version_id: int, keys: list[str]) -> list[ListEntryRow]:
    rows: list[ListEntryRow] = []
    for start in range(0, len(keys), _IN_BATCH):
        part = keys[start : start + _IN_BATCH]
        rows.extend(
            session.scalars(
                select(ListEntryRow).where(
                    ListEntryRow.version_id == version_id, ListEntryRow.source_key.in_(part)
                )
            )
        )
    return rows


def plan(session: Session, base: Mapping[str, int | None], target: Mapping[str, int]) -> DeltaPlan:
    entries: list[ListEntry] = []
    touched: set[str] = set()
    removed: set[tuple[str, str]] = set()
    for source, to in sorted(target.items()):
        start = base.get(source)
        if start == to:
            continue
        old = list_store.fingerprints(session, start) if start is not None else {}
        diff = VersionDiff.between(old, list_store.fingerprints(session, to))
        for row in _rows(session, to, diff.added + diff.changed):
            entries.append(ListEntry.from_dict(row.data))
            touched.add(row.party_key)
        if start is not None:
            for row in _rows(session, start, diff.removed + diff.changed):
                touched.add(row.party_key)
        removed.update((source, key) for key in diff.removed)
    snapshot = None
    if entries:
        labels = {s: f"v{v}" for s, v in target.items()}
        snapshot = Snapshot(
            MatchIndex.build(entries, labels),
            DomainIndex(entries),
            unverified_names(entries),
            dict(target),
            headquarters_of(entries),
        )
    return DeltaPlan(tuple(entries), frozenset(touched), frozenset(removed), snapshot)


def _owner_names(owners: Iterable[object]) -> Iterable[str]:
    for owner in owners:
        if isinstance(owner, Mapping):
            name = owner.get("name")
            if isinstance(name, str) and name.strip():
                yield name
            yield from _owner_names(owner.get("owners") or ())


def meets_delta(screener: Screener, delta: DeltaPlan, customer: Customer) -> bool:
    """Does the customer (its names, domains or declared owners) meet a party the change added
    or changed, at any score the matcher reports?"""
    snapshot = delta.snapshot
    if snapshot is None:
        return False
    subject = data_of(customer).subject()
    queries = [*subject.queries(), *(Query(n) for n in _owner_names(subject.owners))]
    for query in queries:
        if snapshot.index.screen(query, limit=1, min_score=CANDIDATE_FLOOR).matches:
            return True
    for value, role in ((subject.website, "website"), (subject.email, "email")):
        domain = domain_of(value, role) if value else None  # type: ignore[arg-type]
        if domain is not None and snapshot.domains.lookup(domain):
            return True
    return False


def with_alerts(session: Session, first_id: int, last_id: int) -> set[int]:
    """Customers in [first_id, last_id] that have any alert."""
    query = select(Alert.customer_id).where(
        Alert.customer_id >= first_id, Alert.customer_id <= last_id
    )
    return set(session.scalars(query))


def screen_range(
    session: Session,
    screener: Screener,
    delta: DeltaPlan,
    first_id: int,
    last_id: int,
    *,
    actor: str,
) -> Counter[str]:
    """The customers with ids in [first_id, last_id]: each screened in full if the change can
    affect it, else only checked."""
    in_range = (Customer.id >= first_id, Customer.id <= last_id)
    named: set[int] = set()
    matched: set[int] = set()
    for customer_id, party_key in session.execute(
        select(CustomerMatch.customer_id, CustomerMatch.party_key).where(
            CustomerMatch.customer_id >= first_id, CustomerMatch.customer_id <= last_id
        )
    ):
        matched.add(customer_id)
        if party_key in delta.touched:
            named.add(customer_id)
    alerted: set[int] = set()
    for customer_id, party_key, source, source_key in session.execute(
        select(Alert.customer_id, Alert.party_key, Alert.source, Alert.source_key).where(
            Alert.customer_id >= first_id, Alert.customer_id <= last_id
        )
    ):
        alerted.add(customer_id)
        if party_key in delta.touched or (source, source_key) in delta.removed:
            named.add(customer_id)
    stored = {
        row.customer_id: (row.data_hash, row.policy_version, row.near_miss)
        for row in session.scalars(
            select(CustomerResult).where(
                CustomerResult.customer_id >= first_id, CustomerResult.customer_id <= last_id
            )
        )
    }
    policy = screener.engine.loaded.version
    # New or changed entries move every word's weight: a result that rests on any match may
    # move too, even against a party that did not change.
    reweighed = bool(delta.entries)
    counts: Counter[str] = Counter()
    for customer in session.scalars(select(Customer).where(*in_range).order_by(Customer.id)):
        counts["checked"] += 1
        last = stored.get(customer.id)
        affected = (
            customer.id in named
            or last is None
            or last[:2] != (customer.data_hash, policy)
            or (reweighed and (customer.id in matched or (last[2] or 0.0) >= NEAR_MISS))
            or meets_delta(screener, delta, customer)
        )
        if not affected:
            continue
        if not counts["screened"]:
            engine = screener.engine
            audit_store.remember_policy(session, engine.loaded.version, engine.loaded.text)
        outcome = screen_customer(
            session,
            screener,
            customer,
            actor=actor,
            policy_stored=True,
            has_alerts=customer.id in alerted,
        )
        count(counts, outcome)
    return counts
