"""Use cases of monitoring, as the API and the CLI call them. Each takes a Session and never
commits: the caller's transaction holds the customer, its screen, its alerts and its access
together, so none is ever stored without the others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from screening.monitoring import customers, results, review, views
from screening.monitoring.customers import CustomerData
from screening.monitoring.models import Customer
from screening.monitoring.results import Screener


@dataclass(frozen=True, slots=True)
class Saved:
    customer: Customer
    created: bool
    changed: bool
    screened: bool


def save_customer(
    session: Session,
    external_id: str,
    data: CustomerData,
    *,
    accounts: Sequence[tuple[str, str | None]] = (),
    screener: Screener | None,
    actor: str,
    must_be_new: bool = False,
) -> Saved:
    """Create or update a customer; a change of its screened data rescreens it at once (when
    no lists are loaded yet, `screener` is None and the next full rescreen screens it)."""
    if must_be_new:
        customer, changed, created = customers.create(session, external_id, data), True, True
    else:
        created = customers.find_customer(session, external_id) is None
        customer, changed = customers.upsert(session, external_id, data)
    customers.attach_accounts(session, customer, accounts)
    screened = False
    if changed and screener is not None:
        results.screen_customer(session, screener, customer, actor=actor)
        screened = True
    return Saved(customer, created, changed, screened)


def decide(
    session: Session, alert_id: int, status: str, *, actor: str, note: str, four_eyes: bool
) -> dict[str, Any]:
    """An analyst's decision on an alert, and the access it gives the customer's accounts."""
    alert = review.decide(session, alert_id, status, actor=actor, note=note, four_eyes=four_eyes)
    session.flush()
    results.refresh_access(session, alert.customer_id)
    return views.alert_view(session, alert_id)


def assign(
    session: Session, alert_id: int, assignee: str | None, *, actor: str, note: str = ""
) -> dict[str, Any]:
    review.assign(session, alert_id, assignee, actor=actor, note=note)
    session.flush()
    return views.alert_view(session, alert_id)
