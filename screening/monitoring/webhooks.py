"""Webhooks: new alerts and access changes POSTed to URLs an admin registered, signed with
HMAC-SHA256, retried with backoff, every attempt recorded.

An event is an outbox row written in the transaction that made the change, with one delivery
row per webhook (unique per webhook and event). Any number of processes may deliver: each
claims due deliveries (FOR UPDATE SKIP LOCKED on PostgreSQL, and a conditional update that only
one claimer can win on both databases), posts them, and records the outcome only while its claim
still holds. A claim that outlives its holder (a killed process) expires and the delivery is
retried, so receivers should dedupe on the `X-Screening-Delivery` header.

Signature: `X-Screening-Signature: sha256=<hex>` over `{X-Screening-Timestamp}.{body}`, where
the timestamp is Unix seconds; receivers refuse old timestamps to stop replays.

The HTTP client is injected (`Sender`): the core has none.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from screening.db import utcnow
from screening.errors import InvalidQueryError, NotFoundError
from screening.monitoring.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent

ALERT_OPENED: Final = "alert.opened"
ALERT_REOPENED: Final = "alert.reopened"
ACCESS_CHANGED: Final = "access.changed"
KINDS: Final = (ALERT_OPENED, ALERT_REOPENED, ACCESS_CHANGED)

SIGNATURE_HEADER: Final = "X-Screening-Signature"
TIMESTAMP_HEADER: Final = "X-Screening-Timestamp"
EVENT_HEADER: Final = "X-Screening-Event"
DELIVERY_HEADER: Final = "X-Screening-Delivery"

MIN_SECRET, MAX_SECRET = 16, 200
_LOOPBACK_NAMES = frozenset({"localhost"})


class Sender(Protocol):
    """POSTs one body; returns the HTTP status, raises on a transport error or timeout."""

    def post(
        self, url: str, body: bytes, headers: Mapping[str, str], *, timeout_s: float
    ) -> int: ...


@dataclass(frozen=True, slots=True)
class Retry:
    max_attempts: int = 8
    base_s: float = 10.0
    cap_s: float = 3600.0

    def delay(self, attempts: int) -> float:
        return float(min(self.base_s * 2 ** max(attempts - 1, 0), self.cap_s))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (the tests use it): constant-time comparison."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return False
    return hmac.compare_digest(sign(secret, stamp, body), signature)


def _loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidQueryError("a webhook URL must be an http(s) URL with a host")
    if parts.scheme == "http" and not _loopback(host):
        # The payload names customers and listed parties: never in clear text off the machine.
        raise InvalidQueryError("a webhook URL must use https (http only on a loopback host)")
    if parts.username or parts.password:
        raise InvalidQueryError("a webhook URL must not carry credentials; the secret signs")
    if len(url) > 2000:
        raise InvalidQueryError("a webhook URL is at most 2,000 characters")
    return url.strip()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def register(
    session: Session,
    url: str,
    secret: str,
    *,
    events: Sequence[str] = (),
    actor: str,
) -> Webhook:
    if not MIN_SECRET <= len(secret) <= MAX_SECRET:
        raise InvalidQueryError(f"a webhook secret is {MIN_SECRET} to {MAX_SECRET} characters")
    unknown = sorted(set(events) - set(KINDS))
    if unknown:
        raise InvalidQueryError(f"unknown events {unknown}; events: {', '.join(KINDS)}")
    hook = Webhook(
        url=check_url(url),
        secret=secret,
        events=sorted(set(events)),
        active=True,
        created_at=utcnow(),
        created_by=actor,
    )
    session.add(hook)
    session.flush()
    return hook


def get_webhook(session: Session, webhook_id: int) -> Webhook:
    hook = session.get(Webhook, webhook_id)
    if hook is None:
        raise NotFoundError(f"no webhook {webhook_id}")
    return hook


def webhooks(session: Session) -> list[Webhook]:
    return list(session.scalars(select(Webhook).order_by(Webhook.id)))


def deactivate(session: Session, webhook_id: int) -> Webhook:
    """Stop sending to it; its deliveries stay as the record of what was sent."""
    hook = get_webhook(session, webhook_id)
    hook.active = False
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == "pending")
        .values(status="cancelled")
    )
    return hook


def emit(session: Session, kind: str, data: dict[str, Any]) -> WebhookEvent | None:
    """Record an event for every active webhook that wants it (in the caller's transaction)."""
    hooks = [
        h
        for h in session.scalars(select(Webhook).where(Webhook.active.is_(True)))
        if not h.events or kind in h.events
    ]
    if not hooks:
        return None
    now = utcnow()
    event = WebhookEvent(kind=kind, payload=data, created_at=now)
    session.add(event)
    session.flush()
    session.add_all(
        WebhookDelivery(
            webhook_id=h.id,
            event_id=event.id,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for h in hooks
    )
    session.flush()
    return event


def body_of(event: WebhookEvent) -> bytes:
    document = {
        "id": event.id,
        "kind": event.kind,
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def claim(session: Session, *, worker: str, limit: int, hold_s: float) -> list[int]:
    """Due deliveries, claimed by `worker` until `hold_s` from now.

    One UPDATE over the due rows: on PostgreSQL its subquery skips rows another dispatcher has
    locked, and on SQLite the statement holds the write lock from its first read, so two
    dispatchers never take one delivery and neither comes away empty while some are due (a
    select-then-update let both read the same rows and the loser claim none). The pick is a
    CTE because PostgreSQL may run a LIMIT subquery inside IN more than once and so take more
    than `limit`; a CTE runs once."""
    now = utcnow()
    due = or_(
        (WebhookDelivery.status == "pending") & (WebhookDelivery.next_attempt_at <= now),
        (WebhookDelivery.status == "sending") & (WebhookDelivery.claimed_until < now),
    )
    picked = (
        select(WebhookDelivery.id)
        .where(due)
        .order_by(WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("picked")
    )
    won = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(select(picked.c.id)), due)
        .values(status="sending", claimed_by=worker, claimed_until=now + timedelta(seconds=hold_s))
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(won.scalars())


def _outcome(code: int | None, error: str | None) -> bool:
    return error is None and code is not None and 200 <= code < 300


def deliver_due(
    sessions: sessionmaker[Session],
    sender: Sender,
    *,
    worker: str,
    limit: int = 50,
    timeout_s: float = 10.0,
    retry: Retry = Retry(),
) -> Counter[str]:
    """One pass: claim what is due, POST it, record every attempt. Returns counts by outcome
    (a composition helper: each claim and each result is its own transaction)."""
    with sessions.begin() as session:
        claimed = claim(session, worker=worker, limit=limit, hold_s=timeout_s * 3 + 30)
    counts: Counter[str] = Counter()
    for delivery_id in claimed:
        with sessions() as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            assert delivery is not None
            hook = get_webhook(session, delivery.webhook_id)
            event = session.get(WebhookEvent, delivery.event_id)
            assert event is not None
            url, secret, kind = hook.url, hook.secret, event.kind
            body = body_of(event)
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: sign(secret, stamp, body),
            EVENT_HEADER: kind,
            DELIVERY_HEADER: str(delivery_id),
        }
        started = time.perf_counter()
        code: int | None = None
        error: str | None = None
        try:
            code = sender.post(url, body, headers, timeout_s=timeout_s)
        except Exception as exc:  # any transport failure is a failed attempt, retried later
            error = f"{type(exc).__name__}: {exc}"[:500]
        elapsed = (time.perf_counter() - started) * 1000
        counts[_record(sessions, delivery_id, worker, code, error, elapsed, retry)] += 1
    return counts


def _record(
    sessions: sessionmaker[Session],
    delivery_id: int,
    worker: str,
    code: int | None,
    error: str | None,
    elapsed_ms: float,
    retry: Retry,
) -> str:
    with sessions.begin() as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None
        session.add(
            WebhookAttempt(
                delivery_id=delivery_id,
                at=utcnow(),
                sender=worker,
                status_code=code,
                error=error if error is not None else (None if _outcome(code, None) else "HTTP"),
                duration_ms=round(elapsed_ms, 2),
            )
        )
        if delivery.claimed_by != worker or delivery.status != "sending":
            return "lost_claim"  # taken over after our claim expired: the other one decides
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = code, error
        delivery.claimed_by = delivery.claimed_until = None
        if _outcome(code, error):
            delivery.status, delivery.delivered_at = "delivered", utcnow()
        elif delivery.attempts >= retry.max_attempts:
            delivery.status = "failed"
        else:
            delivery.status = "pending"
            delivery.next_attempt_at = utcnow() + timedelta(seconds=retry.delay(delivery.attempts))
        return str(delivery.status)


def webhook_dict(hook: Webhook) -> dict[str, Any]:
    """Everything but the secret."""
    return {
        "id": hook.id,
        "url": hook.url,
        "events": list(hook.events or []) or list(KINDS),
        "active": hook.active,
        "created_at": hook.created_at.isoformat(),
        "created_by": hook.created_by,
    }


def deliveries(session: Session, webhook_id: int, *, limit: int = 100) -> list[dict[str, Any]]:
    get_webhook(session, webhook_id)
    rows = session.execute(
        select(WebhookDelivery, WebhookEvent.kind)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.webhook_id == webhook_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": d.id,
            "event_id": d.event_id,
            "kind": kind,
            "status": d.status,
            "attempts": d.attempts,
            "last_status_code": d.last_status_code,
            "last_error": d.last_error,
            "next_attempt_at": d.next_attempt_at.isoformat(),
            "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
            "created_at": d.created_at.isoformat(),
        }
        for d, kind in rows
    ]
