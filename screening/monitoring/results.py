"""Screening one customer: the policy engine in context "rescreen", recorded in the audit
trail, its findings stored, alerts raised, and the access of its accounts recomputed.

The access row is written here and read by the authentication path, which never screens.
Functions take a Session and never commit.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from screening.audit import recorder
from screening.audit import store as audit_store
from screening.db import in_lists, utcnow
from screening.errors import NotFoundError
from screening.listings.models import ListEntryRow
from screening.matching import readings
from screening.matching.live import Snapshot
from screening.matching.model import Query
from screening.monitoring import alerts as alert_service
from screening.monitoring import result_rows, webhooks
from screening.monitoring.alerts import SEVERITY, Finding
from screening.monitoring.customers import data_of
from screening.monitoring.models import Account, Alert, Customer, CustomerMatch, CustomerResult
from screening.policy.engine import PolicyEngine, Screening
from screening.policy.subject import Subject

CONTEXT = "rescreen"
ACCESS_OF = {"clear": "allow", "review": "review", "deny": "deny"}


@dataclass(frozen=True, slots=True)
class Screener:
    """The lists and policy one rescreen uses (fixed for a whole run)."""

    snapshot: Snapshot
    engine: PolicyEngine
    today: Callable[[], date] = field(default=lambda: datetime.now(UTC).date())


@dataclass(frozen=True, slots=True)
class Outcome:
    decision: str
    new_alerts: int
    screening_id: str


# What a finding amounts to for the customer: its party, decision and the party's content.
Signature = tuple[str, str, str | None]


def signature(finding: Finding | CustomerMatch) -> Signature:
    return (finding.party_key, finding.decision, finding.fingerprint)


def count(counts: Counter[str], outcome: Outcome) -> None:
    """Add one screened customer to a rescreen's tally (screened, new alerts, by decision)."""
    counts["screened"] += 1
    counts["new_alerts"] += outcome.new_alerts
    counts[outcome.decision] += 1


def _digest(rows: list[tuple[str, str]]) -> str:
    """One fingerprint of a party from its entries' (source key, fingerprint): a party merged
    from several entries (OFAC through the CSL too) gets one digest of all of theirs."""
    if len(rows) == 1:
        return rows[0][1]
    joined = "|".join(sorted(f"{key}={print_}" for key, print_ in rows))
    return hashlib.sha256(joined.encode()).hexdigest()


def fingerprints(
    session: Session, version_ids: Iterable[int], party_keys: Iterable[str]
) -> dict[str, str]:
    """The content fingerprint of each party with an entry in these versions (a party on no
    list is absent)."""
    versions = set(version_ids)
    keys = sorted(set(party_keys))
    entries: dict[str, list[tuple[str, str]]] = {}
    for part in in_lists(keys):
        # By party key alone (its index), the versions kept in Python: with both conditions in
        # SQL, SQLite's planner walks every entry of the versions instead.
        for party_key, version_id, source_key, print_ in session.execute(
            select(
                ListEntryRow.party_key,
                ListEntryRow.version_id,
                ListEntryRow.source_key,
                ListEntryRow.fingerprint,
            )
            .where(ListEntryRow.party_key.in_(part))
            .order_by(ListEntryRow.version_id, ListEntryRow.id)
        ):
            if version_id in versions:
                entries.setdefault(party_key, []).append((source_key, print_))
    return {key: _digest(rows) for key, rows in entries.items()}


def _listed_keys(screening: Screening) -> set[str]:
    """The listed parties behind the screen's reasons at review or deny."""
    keys = set()
    for reason in screening.reasons:
        key = dict(reason.evidence).get("party_key") if reason.decision != "clear" else None
        if isinstance(key, str):
            keys.add(key)
    return keys


def findings_of(
    screening: Screening,
    prints: Mapping[str, str],
) -> list[Finding]:
    """The worst reason per listed party (or per rule for reasons with no party), with each
    party's fingerprint (`prints`, from `fingerprints`)."""
    scores = {m.party_key: m.score for m in screening.matches}
    worst: dict[str, tuple[str, dict[str, Any], str | None]] = {}
    for reason in screening.reasons:
        if reason.decision == "clear":
            continue
        evidence = dict(reason.evidence)
        key = evidence.get("party_key") or f"rule:{reason.rule}"
        held = worst.get(key)
        if held is None or SEVERITY[reason.decision] > SEVERITY[held[0]]:
            worst[key] = (reason.decision, evidence, reason.source)
    found: list[Finding] = []
    for key, (decision, evidence, source) in sorted(worst.items()):
        listed = not key.startswith("rule:")
        score = evidence.get("score", scores.get(key))
        found.append(
            Finding(
                party_key=key,
                decision=decision,
                source=source,
                source_key=evidence.get("source_key"),
                entity_name=evidence.get("entity_name"),
                score=float(score) if isinstance(score, int | float) else None,
                fingerprint=prints.get(key) if listed else None,
            )
        )
    return found


def screen_customer(
    session: Session,
    screener: Screener,
    customer: Customer,
    *,
    actor: str,
    policy_stored: bool = False,
    has_alerts: bool | None = None,
) -> Outcome:
    """Screen, record, store the findings, raise alerts, recompute access."""
    alerted = None if has_alerts is None else ({customer.id} if has_alerts else set())
    (outcome,) = store(
        session,
        screener,
        assess(screener, [customer], actor=actor),
        actor=actor,
        policy_stored=policy_stored,
        alerted=alerted,
    )
    return outcome


def queries_read(subject: Subject) -> list[Query]:
    """Every query a screen of the subject reads: its names and aliases with their secondary
    facts, and its declared owners' names at any depth."""
    return [*subject.queries(), *(Query(n) for n in owner_names(subject.owners))]


def owner_names(owners: Iterable[object]) -> Iterable[str]:
    """The names of declared owners, and of their owners, at any depth."""
    for owner in owners:
        if isinstance(owner, Mapping):
            name = owner.get("name")
            if isinstance(name, str) and name.strip():
                yield name
            yield from owner_names(owner.get("owners") or ())


@dataclass(frozen=True, slots=True)
class Assessed:
    """One customer screened, not yet stored (`assess`, then `store`)."""

    customer: Customer
    screening: Screening
    record: dict[str, Any]  # its audit row
    # The readings to keep, and their terms; None when those kept already are current.
    readings: dict[str, Any] | None
    terms: str | None


def assess(
    screener: Screener,
    customers: Sequence[Customer],
    *,
    actor: str,
    current: Mapping[int, Mapping[str, Any] | None] | None = None,
) -> list[Assessed]:
    """Screen each customer against the lists and policy: CPU work only, nothing read from
    or written to the database (a rescreen process does this before it takes a writer's
    turn). `current`: customers whose kept readings are current (`kept_current`), with the
    record of those readings where it was read: their names are not read again."""
    current = current or {}
    engine = screener.engine
    snapshot = screener.snapshot
    today = screener.today()
    out: list[Assessed] = []
    for customer in customers:
        subject = data_of(customer).subject()
        known = readings.kept(current.get(customer.id))
        read = {str(q.fields["name"]): q.read for q in known} if known else None
        result = engine.screen(snapshot, subject, context=CONTEXT, on=today, read=read)
        stamped, record = recorder.stamp(
            result,
            version_ids=snapshot.version_ids,
            key_id=actor,
            request_id=None,
            customer_ref=customer.external_id,
        )
        kept: dict[str, Any] | None = None
        terms: str | None = None
        if customer.id not in current:
            queries = queries_read(subject)
            kept, terms = readings.keep(queries), readings.Terms.of(queries).text()
        out.append(Assessed(customer, stamped, record, kept, terms))
    return out


def kept_current(session: Session, first_id: int, last_id: int) -> dict[int, dict[str, Any] | None]:
    """Customers in [first_id, last_id] whose kept readings were made from their data as it is
    now, by this reading code, with those readings (a full rescreen need not read their names
    again: decoding a kept record costs a tenth of reading the names)."""
    query = (
        select(CustomerResult.customer_id, CustomerResult.readings)
        .join(Customer, Customer.id == CustomerResult.customer_id)
        .where(
            CustomerResult.customer_id >= first_id,
            CustomerResult.customer_id <= last_id,
            CustomerResult.data_hash == Customer.data_hash,
            CustomerResult.terms.startswith(readings.readings_digest() + "\t"),
        )
    )
    return {customer_id: record for customer_id, record in session.execute(query)}


def store(
    session: Session,
    screener: Screener,
    assessed: Sequence[Assessed],
    *,
    actor: str,
    policy_stored: bool = False,
    alerted: Container[int] | None = None,
    unless_same: Mapping[int, frozenset[Signature]] | None = None,
) -> list[Outcome]:
    """Record the screens, store the findings, raise alerts, recompute access.

    The writes go out together (one audit insert, one delete of the old findings, one flush of
    the results): a rescreen chunk costs a few statements plus the work of the customers that
    have findings or alerts. A chunk stores the policy text once (`policy_stored`) and knows
    which of its customers have alerts at all (`alerted`, None when unknown), which spares most
    customers two queries.

    `unless_same`: customers (by id) screened only to see whether their findings moved; one
    whose findings have the signatures given (`signature`) keeps its stored result, and no
    outcome is returned for it."""
    engine = screener.engine
    snapshot = screener.snapshot
    if not policy_stored:
        audit_store.remember_policy(session, engine.loaded.version, engine.loaded.text)
    # What the customers with findings or alerts need, read in two queries for the batch.
    keys = {a.customer.id: _listed_keys(a.screening) for a in assessed}
    alerting = [i for i, k in keys.items() if k or alerted is None or i in alerted]
    alerts_by = _alerts_of(session, alerting)
    wanted = set().union(*keys.values(), *({a.party_key for a in v} for v in alerts_by.values()))
    prints = fingerprints(session, snapshot.version_ids.values(), wanted)
    found = {a.customer.id: findings_of(a.screening, prints) for a in assessed}
    if unless_same:
        assessed = [
            a
            for a in assessed
            if a.customer.id not in unless_same
            or frozenset(signature(f) for f in found[a.customer.id]) != unless_same[a.customer.id]
        ]
    if not assessed:
        return []
    audit_store.record_screenings(session, [a.record for a in assessed])
    ids = [a.customer.id for a in assessed]
    # No identity-map bookkeeping: the rows deleted are replaced at once, never read again.
    session.execute(
        delete(CustomerMatch)
        .where(CustomerMatch.customer_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    stored = result_rows.held(session, ids)
    now = utcnow()
    versions = dict(snapshot.version_ids)
    outcomes: list[Outcome] = []
    pending: list[tuple[Assessed, list[CustomerMatch], list[Alert]]] = []
    for one in assessed:
        customer, stamped = one.customer, one.screening
        assert stamped.screening_id is not None
        findings = found[customer.id]
        matches = [
            CustomerMatch(
                customer_id=customer.id,
                party_key=f.party_key,
                source=f.source,
                source_key=f.source_key,
                entity_name=f.entity_name,
                score=f.score,
                decision=f.decision,
                fingerprint=f.fingerprint,
            )
            for f in findings
        ]
        session.add_all(matches)
        alerts = alerts_by.get(customer.id, [])
        by_party = {a.party_key: a for a in alerts}
        new_alerts = 0
        for finding in findings:
            new_alerts += alert_service.raise_for(
                session, customer, finding, actor=actor, held=by_party
            )
        if any(f.party_key not in by_party for f in findings):
            alerts = alert_service.alerts_of(session, customer.id)  # with the ones just opened
        if alerts:
            mark_delisted(session, alerts, findings, prints, actor=actor)
        pending.append((one, matches, alerts))
        outcomes.append(Outcome(stamped.decision, new_alerts, stamped.screening_id))
    session.flush()
    rows: list[result_rows.ResultRow] = []
    for one, matches, alerts in pending:
        customer, stamped = one.customer, one.screening
        assert stamped.screening_id is not None
        access, reason = access_of(stamped.decision, matches, alerts)
        before = stored.get(customer.id)
        since = before.since if before is not None and before.access == access else now
        flagged = {m.party_key for m in matches}
        rows.append(
            result_rows.ResultRow(
                customer_id=customer.id,
                decision=stamped.decision,
                screened_at=now,
                policy_version=stamped.policy_version,
                version_ids=versions,
                screening_id=stamped.screening_id,
                data_hash=customer.data_hash,
                access=access,
                access_reason=reason,
                access_since=since,
                near_miss=max(
                    (m.score for m in stamped.matches if m.party_key not in flagged), default=None
                ),
                readings=one.readings,
                terms=one.terms,
            )
        )
        _announce(
            session,
            customer.id,
            before.access if before is not None else "",
            access,
            reason,
            since,
            external_id=customer.external_id,
        )
    result_rows.write(session, rows, set(stored))
    return outcomes


def _alerts_of(session: Session, customer_ids: list[int]) -> dict[int, list[Alert]]:
    found: dict[int, list[Alert]] = {}
    for part in in_lists(customer_ids):
        for alert in session.scalars(
            select(Alert).where(Alert.customer_id.in_(part)).order_by(Alert.id)
        ):
            found.setdefault(alert.customer_id, []).append(alert)
    return found


def mark_delisted(
    session: Session,
    alerts: list[Alert],
    findings: list[Finding],
    listed: Container[str],
    *,
    actor: str,
) -> None:
    """Mark the customer's alerts whose listed party is on no active list any more (and unmark
    one whose party came back). The status stays what the analyst made it: a delisting is a
    fact to review, not a decision. `listed`: the alerts' parties that are on an active list."""
    found = {f.party_key for f in findings}
    for alert in alerts:
        if alert.party_key.startswith("rule:"):
            continue
        if alert.delisted_at is None and alert.party_key not in found:
            if alert.party_key in listed:
                continue
            alert.delisted_at = alert.updated_at = utcnow()
            alert_service.add_event(
                session,
                alert,
                actor=actor,
                kind="delisted",
                reason=f"the listed party {_label(alert)} is on no active list any more",
                from_status=alert.status,
            )
        elif alert.delisted_at is not None and alert.party_key in found:
            alert.delisted_at, alert.updated_at = None, utcnow()
            alert_service.add_event(
                session,
                alert,
                actor=actor,
                kind="relisted",
                reason=f"the listed party {_label(alert)} is listed again",
                from_status=alert.status,
            )


def _label(item: CustomerMatch | Alert) -> str:
    if item.party_key.startswith("rule:"):
        return f"the {item.party_key.removeprefix('rule:')} rule"
    if item.source_key is None:
        return item.party_key
    return f"{item.entity_name!r} ({item.source} {item.source_key})"


def access_of(decision: str, findings: list[CustomerMatch], alerts: list[Alert]) -> tuple[str, str]:
    """Access from the policy decision, unless an analyst's decision overrides it."""
    confirmed = [a for a in alerts if a.status == "true_match"]
    if confirmed:
        first = confirmed[0]
        gone = " (the party has since been delisted: the decision needs a review)"
        return "deny", (
            f"confirmed true match: {_label(first)} (alert {first.id})"
            + (gone if first.delisted_at is not None else "")
        )
    if decision == "clear":
        return "allow", "clear by policy"
    by_party = {a.party_key: a for a in alerts}
    flagged = [f for f in findings if f.decision != "clear"]
    if flagged and all(
        f.party_key in by_party and by_party[f.party_key].status == "false_positive"
        for f in flagged
    ):
        return "allow", "every match was closed as a false positive"
    worst = max(flagged, key=lambda f: SEVERITY[f.decision], default=None)
    because = f": {_label(worst)}" if worst is not None else ""
    return ACCESS_OF[decision], f"{decision} by policy{because}"


def refresh_access(session: Session, customer_id: int) -> CustomerResult | None:
    """Recompute the stored access of a customer (after a screen or an analyst's decision);
    `since` moves only when the access itself changes."""
    row = session.get(CustomerResult, customer_id)
    if row is None:
        return None
    findings = list(
        session.scalars(select(CustomerMatch).where(CustomerMatch.customer_id == customer_id))
    )
    return _refresh(session, row, findings, alert_service.alerts_of(session, customer_id))


def _refresh(
    session: Session,
    row: CustomerResult,
    findings: list[CustomerMatch],
    alerts: list[Alert],
) -> CustomerResult:
    access, reason = access_of(row.decision, findings, alerts)
    before = row.access
    if access != before:
        row.access_since = utcnow()
    row.access, row.access_reason = access, reason
    _announce(session, row.customer_id, before, access, reason, row.access_since)
    return row


def _announce(
    session: Session,
    customer_id: int,
    before: str,
    access: str,
    reason: str,
    since: datetime,
    *,
    external_id: str | None = None,
) -> None:
    """The webhook event of an access change. A first result that lets the customer in is
    not news; any other change is."""
    if access == before or not (before or access != "allow"):
        return
    webhooks.emit(
        session,
        webhooks.ACCESS_CHANGED,
        {
            "customer_external_id": external_id or _external_id(session, customer_id),
            "accounts": [
                a
                for (a,) in session.execute(
                    select(Account.account_id).where(Account.customer_id == customer_id)
                )
            ],
            "access": access,
            "previous_access": before or None,
            "reason": reason,
            "since": since.isoformat(),
        },
    )


def _external_id(session: Session, customer_id: int) -> str | None:
    return session.scalar(select(Customer.external_id).where(Customer.id == customer_id))


def account_access(session: Session, account_id: str) -> dict[str, Any]:
    """What the authentication path asks, links aside: one indexed read, no screening."""
    found = session.execute(
        select(*ACCESS_COLUMNS)
        .join(Customer, Customer.id == Account.customer_id)
        .outerjoin(CustomerResult, CustomerResult.customer_id == Account.customer_id)
        .where(Account.account_id == account_id)
    ).first()
    if found is None:
        raise unknown_account(account_id)
    return access_answer(account_id, *found)


# Plain columns, not the rows as objects: the authentication path pays for these five values
# only, and a column added to the result row for screening never changes what it reads.
ACCESS_COLUMNS = (
    Account.status,
    Customer.external_id,
    CustomerResult.access,
    CustomerResult.access_reason,
    CustomerResult.access_since,
)


def unknown_account(account_id: str) -> NotFoundError:
    return NotFoundError(
        f"account {account_id!r} is unknown: it is in no customer's registry "
        "(never treat an unknown account as allowed)"
    )


def access_answer(
    account_id: str,
    account_status: str,
    external_id: str,
    access: str | None,
    reason: str | None,
    since: datetime | None,
) -> dict[str, Any]:
    """The answer from the ACCESS_COLUMNS of a known account (`access` None: never screened)."""
    if access is None or reason is None:
        access, reason, since = "review", "the customer has not been screened yet", None
    if account_status != "active" and access == "allow":
        access, reason = "review", f"the account is {account_status}"
    return {
        "account_id": account_id,
        "access": access,
        "reason": reason,
        "since": since.isoformat() if since else None,
        "customer_external_id": external_id,
    }


def result_dict(row: CustomerResult | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "decision": row.decision,
        "screened_at": row.screened_at.isoformat(),
        "policy_version": row.policy_version,
        "version_ids": dict(row.version_ids),
        "screening_id": row.screening_id,
        "access": row.access,
        "access_reason": row.access_reason,
        "access_since": row.access_since.isoformat(),
    }


def matches_of(session: Session, customer_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(CustomerMatch)
        .where(CustomerMatch.customer_id == customer_id)
        .order_by(CustomerMatch.party_key)
    )
    return [
        {
            "party_key": m.party_key,
            "source": m.source,
            "source_key": m.source_key,
            "entity_name": m.entity_name,
            "score": m.score,
            "decision": m.decision,
            "fingerprint": m.fingerprint,
        }
        for m in rows
    ]
