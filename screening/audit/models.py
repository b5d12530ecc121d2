"""Audit tables. `screenings` is append-only: database triggers refuse UPDATE and DELETE (see
the migration), so not even a bug in this service can rewrite what it answered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from screening.db import Base, JSONType, UTCDateTime, utcnow


class ScreeningRecord(Base):
    """One screen: what was asked, against which list versions and policy, and the answer."""

    __tablename__ = "screenings"
    __table_args__ = (
        Index("ix_screenings_created_at", "created_at"),
        Index("ix_screenings_customer_ref_created_at", "customer_ref", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    screened_on: Mapped[str] = mapped_column(String(10))  # the date the rules were applied for
    context: Mapped[str] = mapped_column(String(20))
    key_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    subject: Mapped[dict[str, Any]] = mapped_column(JSONType)
    normalized: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # {source: version id} of the list versions the answer used.
    version_ids: Mapped[dict[str, int]] = mapped_column(JSONType)
    policy_version: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(10))
    answer: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The registered customer (external id) a rescreen or a customer change screened; None for
    # a screen of a name that is not a customer (signup, vetting, batch).
    customer_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)


class PolicyVersion(Base):
    """Every policy text ever used, by its hash, so a replay applies the policy of its day."""

    __tablename__ = "policy_versions"

    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)


class BatchJob(Base):
    """A file of parties screened one row at a time (from the analyst pages). Kept in the
    database, not in a process: any API process shows its progress and results, and one that
    stopped mid-file is taken over (its heartbeat goes stale)."""

    __tablename__ = "batch_jobs"
    __table_args__ = (Index("ix_batch_jobs_owner_created_at", "owner", "created_at"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    total: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10))  # queued | running | finished | failed
    failure: Mapped[str | None] = mapped_column(Text, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Who is screening it and when it last wrote a row: a stale heartbeat means its process
    # stopped, and another takes the job over.
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BatchRow(Base):
    """One row of a batch: its input, and once screened the screening it produced (the answer
    itself stays in `screenings`, written once) or why it could not be screened."""

    __tablename__ = "batch_rows"

    job_id: Mapped[str] = mapped_column(
        String(16), ForeignKey("batch_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    input: Mapped[dict[str, Any]] = mapped_column(JSONType)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    screening_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decision: Mapped[str | None] = mapped_column(String(10), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
