"""Screening from the pages: the same engine and audit record as the API, under the person's
name, and the listed parties as the list versions of that screen describe them."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from api.http.schemas import MAX_NAME, MAX_OWNERS, Owner
from screening.audit import recorder
from screening.errors import InvalidQueryError
from screening.listings import store
from screening.matching.live import Snapshot, version_label
from screening.policy.engine import PolicyEngine
from screening.policy.subject import Subject

CONTEXT = "vetting"
MAX_OWNERS_TEXT = 100_000
_OWNERS = TypeAdapter(list[Owner])
LIMITS = {"name": MAX_NAME, "country": 64, "email": 320, "website": 2000}


def subject_from_form(values: dict[str, str]) -> Subject:
    """The screen form's fields as a Subject; every field bounded, owners given as JSON."""
    for field, limit in LIMITS.items():
        if len(values.get(field, "")) > limit:
            raise InvalidQueryError(f"{field} is at most {limit} characters")
    name = values.get("name", "").strip()
    if not name:
        raise InvalidQueryError("a name is required")
    owners_text = values.get("owners", "").strip()
    owners: tuple[dict[str, Any], ...] = ()
    if owners_text:
        if len(owners_text) > MAX_OWNERS_TEXT:
            raise InvalidQueryError(f"owners is at most {MAX_OWNERS_TEXT} characters of JSON")
        try:
            parsed = _OWNERS.validate_json(owners_text)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InvalidQueryError(
                f"owners must be a JSON list like "
                f'[{{"name": "Parent Ltd", "country": "CN", "percent": 60}}]: '
                f"{where or 'the value'}: {first['msg']}"
            ) from None
        if len(parsed) > MAX_OWNERS:
            raise InvalidQueryError(f"at most {MAX_OWNERS} direct owners")
        owners = tuple(o.model_dump(exclude_none=True) for o in parsed)
    return Subject(
        name=name,
        country=values.get("country", "").strip() or None,
        email=values.get("email", "").strip() or None,
        website=values.get("website", "").strip() or None,
        owners=owners,
    )


def screen(
    app: FastAPI, subject: Subject, *, context: str, actor: str, request_id: str | None
) -> dict[str, Any]:
    """Screen, record, answer: an answer that was not recorded is never shown."""
    started = time.perf_counter()
    snap: Snapshot = app.state.index.snapshot()
    engine: PolicyEngine = app.state.engine
    result = engine.screen(snap, subject, context=context, on=datetime.now(UTC).date(), limit=10)
    with app.state.sessions.begin() as session:
        stamped = recorder.record(
            session,
            result,
            version_ids=snap.version_ids,
            policy_text=None,  # stored at start-up
            key_id=actor,
            request_id=request_id,
        )
    metrics = app.state.metrics
    metrics.screens.labels(context, stamped.decision).inc()
    metrics.latency.labels(context).observe(time.perf_counter() - started)
    return stamped.to_dict()


def listed_parties(
    session: Session, matches: list[dict[str, Any]], version_ids: dict[str, int]
) -> dict[str, list[dict[str, Any]]]:
    """{party key: every entry naming it} in the list versions the screen used (not today's:
    the page shows what the screen saw)."""
    used = [int(v) for v in version_ids.values()]
    if not used:
        return {}
    labels = {}
    out: dict[str, list[dict[str, Any]]] = {}
    for match in matches[:10]:
        source, key = match.get("source"), match.get("source_key")
        if source not in version_ids or key is None:
            continue
        found = store.entry_rows(session, [int(version_ids[source])], source_key=str(key))
        if not found:
            continue
        rows = store.entry_rows(session, used, party_key=found[0].party_key) or found
        entries = []
        for row in rows:
            if row.version_id not in labels:
                labels[row.version_id] = store.get_version(session, row.version_id)
            version = labels[row.version_id]
            entries.append(
                {
                    "source": version.source,
                    "source_key": row.source_key,
                    "version": version_label(version),
                    "record": row.data,
                }
            )
        out[str(match.get("party_key"))] = entries
    return out


def pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
