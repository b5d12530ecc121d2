"""Monitoring tables. `alert_events` is append-only by convention (nothing here updates or
deletes it); every other change to an alert is written there as one event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql import text

from screening.db import Base, JSONType, UTCDateTime, utcnow


class Customer(Base):
    """A customer organisation, as the organisation declares it."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(Text)
    aliases: Mapped[list[str]] = mapped_column(JSONType, default=list)
    country: Mapped[str | None] = mapped_column(String(64), nullable=True)
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    website: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    email_domain: Mapped[str | None] = mapped_column(String(320), nullable=True)
    owners: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # SHA-256 of the screened fields: "the customer's data changed" is a change of this hash.
    data_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Account(Base):
    """A login of a customer; its access follows the customer's result."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(String(200), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerResult(Base):
    """The latest screen of a customer and the access it gives (the authentication path reads
    this row and nothing else)."""

    __tablename__ = "customer_results"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    decision: Mapped[str] = mapped_column(String(10))
    screened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    policy_version: Mapped[str] = mapped_column(String(40))
    version_ids: Mapped[dict[str, int]] = mapped_column(JSONType)
    screening_id: Mapped[str] = mapped_column(String(32))
    data_hash: Mapped[str] = mapped_column(String(64))
    access: Mapped[str] = mapped_column(String(10))
    access_reason: Mapped[str] = mapped_column(Text)
    access_since: Mapped[datetime] = mapped_column(UTCDateTime)
    # The best score of a match that stayed under review: word weights shift when lists grow,
    # so a delta rescreens a near miss in full even when its party did not change.
    near_miss: Mapped[float | None] = mapped_column(Float, nullable=True)
    # The customer's names as the matcher read them (`screening.matching.readings`): a delta
    # checks every customer against what changed without reading every name again.
    readings: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    # The terms of those readings as plain text (`screening.matching.readings.Terms`): most
    # customers are ruled out by them alone, without decoding the readings.
    terms: Mapped[str | None] = mapped_column(Text, nullable=True)


class CustomerMatch(Base):
    """A listed party (or a policy rule with no party) behind a customer's latest result."""

    __tablename__ = "customer_matches"
    __table_args__ = (UniqueConstraint("customer_id", "party_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    party_key: Mapped[str] = mapped_column(String(260))
    source: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    entity_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    decision: Mapped[str] = mapped_column(String(10))
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Alert(Base):
    """One per (customer, party) ever: a reopened alert is the same row with a new event, so a
    second process can never open a duplicate (the unique constraint refuses it)."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("customer_id", "party_key"),
        Index("ix_alerts_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    party_key: Mapped[str] = mapped_column(String(260))
    source: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    entity_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    decision: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # What the customer's data and the listed party were when an analyst last decided.
    decided_data: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    decided_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Four-eyes: a decision waiting for a second key.
    proposed_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    proposed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Set when the listed party left every active list: the alert is marked, not deleted, so
    # the analyst sees why it no longer matches (cleared again if the party is relisted).
    delisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AlertEvent(Base):
    """Every change of an alert: who, when, why, from which status to which."""

    __tablename__ = "alert_events"
    __table_args__ = (Index("ix_alert_events_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class RescreenRun(Base):
    """A full rescreen, split into chunks fixed when it starts (so a resumed run, or a worker
    handed one chunk, screens exactly the customers the run began with)."""

    __tablename__ = "rescreen_runs"
    # One run at a time: two processes starting a run at once cannot both succeed.
    __table_args__ = (
        Index(
            "ix_rescreen_runs_one_running",
            "status",
            unique=True,
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_by: Mapped[str] = mapped_column(String(200))
    # {source: version id} the run screens against (a delta: the versions it catches up to).
    versions: Mapped[dict[str, int] | None] = mapped_column(JSONType, nullable=True)
    # A delta only: {source: version id the customers were last screened against, or null}.
    base: Mapped[dict[str, int | None] | None] = mapped_column(JSONType, nullable=True)


class RescreenChunk(Base):
    """Customers with ids in [first_id, last_id] of one run; `done_at` is set in the same
    transaction as the chunk's results."""

    __tablename__ = "rescreen_chunks"

    run_id: Mapped[int] = mapped_column(ForeignKey("rescreen_runs.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_id: Mapped[int] = mapped_column(Integer)
    last_id: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Which process did it (host:pid), so a split across workers can be checked.
    done_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # {"screened": n, "new_alerts": n, "clear": n, "review": n, "deny": n}
    summary: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)


class RescreenCursor(Base):
    """Per source, the version every customer has been screened against. An active version
    ahead of its cursor is a pending delta, whichever process activated it."""

    __tablename__ = "rescreen_cursors"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Webhook(Base):
    """A URL an admin registered. The secret is a shared signing key (HMAC), so it is kept as
    given; it is never returned or logged after registration."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    # Event kinds it receives; empty: all.
    events: Mapped[list[str]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"Webhook(id={self.id!r}, url={self.url!r})"


class WebhookEvent(Base):
    """An outbox row, written in the transaction that made the change: an event exists exactly
    when its change was committed."""

    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_events_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookDelivery(Base):
    """One event for one webhook; the unique pair means it is delivered once, and a sender
    claims it (FOR UPDATE SKIP LOCKED on PostgreSQL) before posting."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id"))
    # pending -> sending -> delivered | pending (retry) | failed
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookAttempt(Base):
    """Every POST of a delivery: when, by whom, what came back."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sender: Mapped[str] = mapped_column(String(200))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[float] = mapped_column(Float)
