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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.audit import store as audit_store
from screening.db import in_lists, utcnow
from screening.listings import store as list_store
from screening.listings.diff import VersionDiff
from screening.listings.models import ListEntryRow
from screening.listings.records import ListEntry
from screening.matching import readings
from screening.matching.domains import DomainIndex
from screening.matching.index import MatchIndex
from screening.matching.live import Snapshot, headquarters_of, unverified_names
from screening.matching.readings import KeptQuery
from screening.monitoring.customers import data_of
from screening.monitoring.models import (
    Alert,
    Customer,
    CustomerMatch,
    CustomerResult,
    RescreenCursor,
)
from screening.monitoring.results import (
    Assessed,
    Screener,
    Signature,
    assess,
    count,
    queries_read,
    store,
)
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
    for part in in_lists(keys):
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


def meets_delta(screener: Screener, delta: DeltaPlan, customer: Customer) -> bool:
    """Does the customer (its names, domains or declared owners) meet a party the change added
    or changed, at any score the matcher reports? Reads every name (see `may_meet`)."""
    snapshot = delta.snapshot
    if snapshot is None:
        return False
    subject = data_of(customer).subject()
    queries = queries_read(subject)
    for query in queries:
        if snapshot.index.screen(query, limit=1, min_score=CANDIDATE_FLOOR).matches:
            return True
    return _meets_domains(snapshot, subject.website, subject.email)


def _meets_domains(snapshot: Snapshot, website: str | None, email: str | None) -> bool:
    if not len(snapshot.domains):
        return False
    for value, role in ((website, "website"), (email, "email")):
        domain = domain_of(value, role) if value else None  # type: ignore[arg-type]
        if domain is not None and snapshot.domains.lookup(domain):
            return True
    return False


def meets_kept(
    delta: DeltaPlan, kept: list[KeptQuery], website: str | None, email: str | None
) -> bool:
    """`meets_delta` from the queries and readings kept with the customer's last result (no
    name is read again): the same answer, most customers ruled out by a cheap upper bound."""
    snapshot = delta.snapshot
    if snapshot is None:
        return False
    index = snapshot.index
    for query in kept:
        if not index.may_meet(query.read, CANDIDATE_FLOOR, query.bonus):
            continue
        found = index.screen_read(query.query(), query.read, limit=1, min_score=CANDIDATE_FLOOR)
        if found.matches:
            return True
    return _meets_domains(snapshot, website, email)


def with_alerts(session: Session, first_id: int, last_id: int) -> set[int]:
    """Customers in [first_id, last_id] that have any alert."""
    query = select(Alert.customer_id).where(
        Alert.customer_id >= first_id, Alert.customer_id <= last_id
    )
    return set(session.scalars(query))


@dataclass(slots=True)
class Selection:
    """What a delta does with a range of customers, worked out before anything is written."""

    assessed: list[Assessed]
    alerted: set[int]
    # Screened only to see whether their findings moved (`results.store`'s `unless_same`).
    recheck: dict[int, frozenset[Signature]]
    affected: int
    checked: int


def store_range(
    session: Session, screener: Screener, selection: Selection, *, actor: str
) -> Counter[str]:
    """Write what `select_range` screened, and tally the range."""
    counts: Counter[str] = Counter(checked=selection.checked)
    if selection.assessed:
        engine = screener.engine
        audit_store.remember_policy(session, engine.loaded.version, engine.loaded.text)
    outcomes = store(
        session,
        screener,
        selection.assessed,
        actor=actor,
        policy_stored=True,
        alerted=selection.alerted,
        unless_same=selection.recheck,
    )
    for outcome in outcomes:
        count(counts, outcome)
    # Screened again and found as they were: their stored results stand.
    counts["rechecked"] = len(selection.recheck) - (len(outcomes) - selection.affected)
    return counts


def select_range(
    session: Session,
    screener: Screener,
    delta: DeltaPlan,
    first_id: int,
    last_id: int,
    *,
    actor: str,
) -> Selection:
    """Which customers in [first_id, last_id] the change can affect, screened (reads and CPU
    work only: a rescreen process does this before it takes a writer's turn).

    Each is checked from the readings kept with its last result, or by reading its names when
    none are kept. A customer that only rests on a match (a finding or a near miss) while the
    change added entries is screened again too, and `store_range` writes its result only if
    its findings moved (what a full rescreen would have changed): most such customers keep
    theirs."""
    named: set[int] = set()
    stored_findings: dict[int, set[Signature]] = {}
    for customer_id, party_key, decision, fingerprint in session.execute(
        select(
            CustomerMatch.customer_id,
            CustomerMatch.party_key,
            CustomerMatch.decision,
            CustomerMatch.fingerprint,
        ).where(CustomerMatch.customer_id >= first_id, CustomerMatch.customer_id <= last_id)
    ):
        stored_findings.setdefault(customer_id, set()).add((party_key, decision, fingerprint))
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
        customer_id: (data_hash, policy_version, near_miss, terms)
        for customer_id, data_hash, policy_version, near_miss, terms in session.execute(
            select(
                CustomerResult.customer_id,
                CustomerResult.data_hash,
                CustomerResult.policy_version,
                CustomerResult.near_miss,
                CustomerResult.terms,
            ).where(CustomerResult.customer_id >= first_id, CustomerResult.customer_id <= last_id)
        )
    }
    policy = screener.engine.loaded.version
    # New or changed entries move every word's weight: a result that rests on any match may
    # move too, even against a party that did not change.
    reweighed = bool(delta.entries)
    index = delta.snapshot.index if delta.snapshot is not None else None
    counts: Counter[str] = Counter()
    affected: list[int] = []
    recheck: dict[int, frozenset[Signature]] = {}
    unread: list[int] = []
    reachable: list[tuple[int, str | None, str | None]] = []

    def rests_on_a_match(customer_id: int, near_miss: float | None) -> None:
        if reweighed and (customer_id in stored_findings or (near_miss or 0.0) >= NEAR_MISS):
            recheck[customer_id] = frozenset(stored_findings.get(customer_id, ()))

    for customer_id, data_hash, website, email in session.execute(
        select(Customer.id, Customer.data_hash, Customer.website, Customer.email_domain)
        .where(Customer.id >= first_id, Customer.id <= last_id)
        .order_by(Customer.id)
    ):
        counts["checked"] += 1
        last = stored.get(customer_id)
        if customer_id in named or last is None or last[:2] != (data_hash, policy):
            affected.append(customer_id)
            continue
        terms = readings.Terms.parse(last[3])
        if terms is None:
            unread.append(customer_id)
            continue
        # Most customers share no term with what changed: ruled out without a comparison.
        if index is not None and index.may_reach(terms):
            reachable.append((customer_id, website, email))
            continue
        if _meets_domains_of(delta, website, email):
            affected.append(customer_id)
        else:
            rests_on_a_match(customer_id, last[2])
    # The kept readings of the rest, read and decoded only for them.
    kept_by = _kept_readings(session, [c for c, _, _ in reachable])
    for customer_id, website, email in reachable:
        kept = readings.kept(kept_by.get(customer_id))
        if kept is None:
            unread.append(customer_id)
        elif meets_kept(delta, kept, website, email):
            affected.append(customer_id)
        else:
            rests_on_a_match(customer_id, stored[customer_id][2])
    for customer in _customers(session, unread):
        if meets_delta(screener, delta, customer):
            affected.append(customer.id)
        else:
            rests_on_a_match(customer.id, stored[customer.id][2])
    customers = sorted(_customers(session, [*affected, *recheck]), key=lambda c: c.id)
    # Their data and readings are as kept: screened from the kept readings.
    again = set(recheck).difference(unread)
    kept_by.update(_kept_readings(session, sorted(again.difference(kept_by))))
    current = {customer_id: kept_by.get(customer_id) for customer_id in again}
    return Selection(
        assess(screener, customers, actor=actor, current=current),
        alerted,
        recheck,
        len(set(affected)),
        counts["checked"],
    )


def _meets_domains_of(delta: DeltaPlan, website: str | None, email: str | None) -> bool:
    return delta.snapshot is not None and _meets_domains(delta.snapshot, website, email)


def _kept_readings(session: Session, ids: list[int]) -> dict[int, dict[str, Any] | None]:
    found: dict[int, dict[str, Any] | None] = {}
    for part in in_lists(ids):
        for customer_id, record in session.execute(
            select(CustomerResult.customer_id, CustomerResult.readings).where(
                CustomerResult.customer_id.in_(part)
            )
        ):
            found[customer_id] = record
    return found


def _customers(session: Session, ids: list[int]) -> list[Customer]:
    found: list[Customer] = []
    for part in in_lists(ids):
        found.extend(session.scalars(select(Customer).where(Customer.id.in_(part))))
    return found
