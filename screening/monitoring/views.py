"""Read models of monitoring for the API and the CLI (JSON-ready dicts)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from screening.monitoring import alerts, customers, results
from screening.monitoring.models import Alert, AlertEvent, Customer, CustomerResult


def customer_summary(customer: Customer) -> dict[str, Any]:
    return {
        "external_id": customer.external_id,
        **customers.data_of(customer).to_dict(),
        "created_at": customer.created_at.isoformat(),
        "updated_at": customer.updated_at.isoformat(),
    }


def customer_view(session: Session, external_id: str) -> dict[str, Any]:
    """A customer with its accounts, latest result, matched parties and alert history."""
    customer = customers.get_customer(session, external_id)
    result = session.get(CustomerResult, customer.id)
    history = []
    for alert in alerts.alerts_of(session, customer.id):
        history.append(
            {
                **alert_dict(alert, external_id),
                "events": [event_dict(e) for e in alerts.events_of(session, alert.id)],
            }
        )
    return {
        **customer_summary(customer),
        "accounts": [
            {"account_id": a.account_id, "email": a.email, "status": a.status}
            for a in customers.accounts_of(session, customer.id)
        ],
        "result": results.result_dict(result),
        "matches": results.matches_of(session, customer.id),
        "alerts": history,
    }


def alert_view(session: Session, alert_id: int) -> dict[str, Any]:
    alert = alerts.get_alert(session, alert_id)
    customer = session.get(Customer, alert.customer_id)
    assert customer is not None
    return {
        **alert_dict(alert, customer.external_id),
        "events": [event_dict(e) for e in alerts.events_of(session, alert.id)],
    }


def alert_list(
    session: Session, *, status: str | None = None, external_id: str | None = None
) -> list[dict[str, Any]]:
    customer_id = None
    if external_id is not None:
        customer_id = customers.get_customer(session, external_id).id
    return [
        alert_dict(alert, ext)
        for alert, ext in alerts.search(session, status=status, customer_id=customer_id)
    ]


def alert_dict(alert: Alert, external_id: str) -> dict[str, Any]:
    return {
        "id": alert.id,
        "customer_external_id": external_id,
        "party_key": alert.party_key,
        "status": alert.status,
        "decision": alert.decision,
        "source": alert.source,
        "source_key": alert.source_key,
        "entity_name": alert.entity_name,
        "score": alert.score,
        "fingerprint": alert.fingerprint,
        "assignee": alert.assignee,
        "proposed_status": alert.proposed_status,
        "proposed_by": alert.proposed_by,
        "created_at": alert.created_at.isoformat(),
        "updated_at": alert.updated_at.isoformat(),
    }


def event_dict(event: AlertEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "alert_id": event.alert_id,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "kind": event.kind,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "details": dict(event.details or {}),
    }
