"""Screening one customer: the policy engine in context "rescreen", recorded in the audit
trail, its findings stored, alerts raised, and the access of its accounts recomputed.

The access row is written here and read by the authentication path, which never screens.
Functions take a Session and never commit.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from screening.audit import recorder
from screening.db import utcnow
from screening.errors import NotFoundError
from screening.listings import store as list_store
from screening.matching.live import Snapshot
from screening.monitoring import alerts as alert_service
from screening.monitoring import webhooks
from screening.monitoring.alerts import SEVERITY, Finding
from screening.monitoring.customers import data_of
from screening.monitoring.models import Account, Alert, Customer, CustomerMatch, CustomerResult
from screening.policy.engine import PolicyEngine, Screening

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


def count(counts: Counter[str], outcome: Outcome) -> None:
    """Add one screened customer to a rescreen's tally (screened, new alerts, by decision)."""
    counts["screened"] += 1
    counts["new_alerts"] += outcome.new_alerts
    counts[outcome.decision] += 1


def _fingerprint(session: Session, version_ids: Iterable[int], party_key: str) -> str | None:
    """The listed party's content fingerprint in the active versions; a party merged from
    several entries (OFAC through the CSL too) gets one digest of all of theirs."""
    rows = list_store.entry_rows(session, list(version_ids), party_key=party_key)
    if not rows:
        return None
    if len(rows) == 1:
        return rows[0].fingerprint
    joined = "|".join(sorted(f"{r.source_key}={r.fingerprint}" for r in rows))
    return hashlib.sha256(joined.encode()).hexdigest()


def findings_of(session: Session, screening: Screening, snapshot: Snapshot) -> list[Finding]:
    """The worst reason per listed party (or per rule for reasons with no party)."""
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
                fingerprint=(
                    _fingerprint(session, snapshot.version_ids.values(), key) if listed else None
                ),
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
    """Screen, record, store the findings, raise alerts, recompute access.

    A rescreen chunk stores the policy text once (`policy_stored`) and knows which of its
    customers have alerts at all (`has_alerts`), which spares most customers two queries."""
    engine = screener.engine
    result = engine.screen(
        screener.snapshot, data_of(customer).subject(), context=CONTEXT, on=screener.today()
    )
    stamped = recorder.record(
        session,
        result,
        version_ids=screener.snapshot.version_ids,
        policy_text=None if policy_stored else engine.loaded.text,
        key_id=actor,
        request_id=None,
        customer_ref=customer.external_id,
    )
    assert stamped.screening_id is not None
    findings = findings_of(session, stamped, screener.snapshot)
    # No identity-map bookkeeping: the rows deleted are replaced at once, never read again.
    session.execute(
        delete(CustomerMatch)
        .where(CustomerMatch.customer_id == customer.id)
        .execution_options(synchronize_session=False)
    )
    rows = [
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
    session.add_all(rows)
    new_alerts = sum(alert_service.raise_for(session, customer, f, actor=actor) for f in findings)
    alerts: list[Alert] = []
    if findings or has_alerts is not False:
        alerts = alert_service.alerts_of(session, customer.id)
        mark_delisted(
            session, alerts, findings, screener.snapshot.version_ids.values(), actor=actor
        )
    now = utcnow()
    row = session.get(CustomerResult, customer.id)
    if row is None:
        row = CustomerResult(customer_id=customer.id, access="", access_reason="", access_since=now)
        session.add(row)
    row.decision = stamped.decision
    row.screened_at = now
    row.policy_version = stamped.policy_version
    row.version_ids = dict(screener.snapshot.version_ids)
    row.screening_id = stamped.screening_id
    row.data_hash = customer.data_hash
    found = {f.party_key for f in findings}
    row.near_miss = max(
        (m.score for m in stamped.matches if m.party_key not in found), default=None
    )
    session.flush()
    _refresh(session, row, rows, alerts)
    return Outcome(stamped.decision, new_alerts, stamped.screening_id)


def mark_delisted(
    session: Session,
    alerts: list[Alert],
    findings: list[Finding],
    version_ids: Iterable[int],
    *,
    actor: str,
) -> None:
    """Mark the customer's alerts whose listed party is on no active list any more (and unmark
    one whose party came back). The status stays what the analyst made it: a delisting is a
    fact to review, not a decision."""
    found = {f.party_key for f in findings}
    active = list(version_ids)
    for alert in alerts:
        if alert.party_key.startswith("rule:"):
            continue
        if alert.delisted_at is None and alert.party_key not in found:
            if list_store.entry_rows(session, active, party_key=alert.party_key):
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
    session: Session, row: CustomerResult, findings: list[CustomerMatch], alerts: list[Alert]
) -> CustomerResult:
    customer_id = row.customer_id
    access, reason = access_of(row.decision, findings, alerts)
    before = row.access
    if access != before:
        row.access_since = utcnow()
    row.access, row.access_reason = access, reason
    # A first result that lets the customer in is not news; any other change is.
    if access != before and (before or access != "allow"):
        webhooks.emit(
            session,
            webhooks.ACCESS_CHANGED,
            {
                "customer_external_id": _external_id(session, customer_id),
                "accounts": [
                    a
                    for (a,) in session.execute(
                        select(Account.account_id).where(Account.customer_id == customer_id)
                    )
                ],
                "access": access,
                "previous_access": before or None,
                "reason": reason,
                "since": row.access_since.isoformat(),
            },
        )
    return row


def _external_id(session: Session, customer_id: int) -> str | None:
    return session.scalar(select(Customer.external_id).where(Customer.id == customer_id))


def account_access(session: Session, account_id: str) -> dict[str, Any]:
    """What the authentication path asks: one indexed read, no screening."""
    found = session.execute(
        select(Account, Customer.external_id, CustomerResult)
        .join(Customer, Customer.id == Account.customer_id)
        .outerjoin(CustomerResult, CustomerResult.customer_id == Account.customer_id)
        .where(Account.account_id == account_id)
    ).first()
    if found is None:
        raise NotFoundError(
            f"account {account_id!r} is unknown: it is in no customer's registry "
            "(never treat an unknown account as allowed)"
        )
    account, external_id, result = found
    if result is None:
        access, reason, since = "review", "the customer has not been screened yet", None
    else:
        access, reason, since = result.access, result.access_reason, result.access_since
    if account.status != "active" and access == "allow":
        access, reason = "review", f"the account is {account.status}"
    return {
        "account_id": account.account_id,
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
