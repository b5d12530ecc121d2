"""Writing a screen to the audit trail, and reading one back."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from screening.audit import store
from screening.policy.engine import Screening


def record(
    session: Session,
    screening: Screening,
    *,
    version_ids: Mapping[str, int],
    policy_text: str | None,
    key_id: str | None,
    request_id: str | None,
    customer_ref: str | None = None,
) -> Screening:
    """Append `screening` to the trail; returns it with its new screening id. The caller's
    transaction commits it (one unit of work with whatever else the request wrote).

    `policy_text` is stored (once per version) unless None: a service process stores its policy
    at start-up instead, which keeps that write off the signup path.
    """
    if policy_text is not None:
        store.remember_policy(session, screening.policy_version, policy_text)
    stamped, row = stamp(
        screening,
        version_ids=version_ids,
        key_id=key_id,
        request_id=request_id,
        customer_ref=customer_ref,
    )
    store.record_screenings(session, [row])
    return stamped


def stamp(
    screening: Screening,
    *,
    version_ids: Mapping[str, int],
    key_id: str | None,
    request_id: str | None,
    customer_ref: str | None = None,
) -> tuple[Screening, dict[str, Any]]:
    """`screening` with a new screening id, and its audit row, for a caller that writes many
    rows at once (`store.record_screenings`); the policy text must be stored already."""
    screening_id = uuid.uuid4().hex
    stamped = _with_id(screening, screening_id)
    row = store.screening_row(
        screening_id=screening_id,
        screened_on=screening.screened_on.isoformat(),
        context=screening.context,
        key_id=key_id,
        request_id=request_id,
        subject=screening.subject.to_dict(),
        normalized=dict(screening.normalized),
        version_ids=version_ids,
        policy_version=screening.policy_version,
        decision=screening.decision,
        answer=stamped.to_dict(),
        customer_ref=customer_ref,
    )
    return stamped, row


def _with_id(screening: Screening, screening_id: str) -> Screening:
    return replace(screening, screening_id=screening_id)


def recorded_answer(session: Session, screening_id: str) -> dict[str, Any]:
    row = store.get_screening(session, screening_id)
    return {
        **row.answer,
        "recorded_at": row.created_at.isoformat(),
        "key_id": row.key_id,
        "request_id": row.request_id,
        "version_ids": dict(row.version_ids),
    }
