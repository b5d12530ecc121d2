"""Linking tables.

A signal value is stored once (`signal_values`, with the number of accounts that carry it, so a
signal too widely shared to mean anything is skipped without reading its accounts); an account's
observation of it is one `account_signals` row. Personal values are only ever stored as keyed
hashes; `display` holds a value in clear only for the kinds that are not personal (a corporate
e-mail domain, an ASN, a declared organisation, a cloud).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from screening.db import Base, JSONType, UTCDateTime, utcnow


class SignalValue(Base):
    __tablename__ = "signal_values"
    __table_args__ = (UniqueConstraint("kind", "digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    # HMAC-SHA256 (hex) of kind and normalised value, under the signal key.
    digest: Mapped[str] = mapped_column(String(64))
    display: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # False for values that never link (a mailbox provider's domain).
    counts: Mapped[bool] = mapped_column(Boolean, default=True)
    # Distinct accounts carrying it (the degree the cut-off reads).
    accounts: Mapped[int] = mapped_column(Integer, default=0)


class AccountSignal(Base):
    __tablename__ = "account_signals"
    __table_args__ = (
        Index("ix_account_signals_signal_id", "signal_id", "account_pk"),
        Index("ix_account_signals_last_seen", "last_seen"),
    )

    account_pk: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signal_values.id"), primary_key=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    observations: Mapped[int] = mapped_column(Integer, default=1)


class LinkCluster(Base):
    """Accounts reached from one or more denied accounts (its roots) by links.

    status: `open` (members in review), `denied` (an analyst denied it: its members are denied),
    `dismissed` (closed as unrelated), `released` (no root is denied any more), `merged` (into
    `merged_into`, when two clusters met)."""

    __tablename__ = "link_clusters"
    __table_args__ = (Index("ix_link_clusters_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("link_clusters.id"), nullable=True)
    # True when the walk stopped at the size limit (more accounts may be linked).
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    proposed_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    proposed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClusterRoot(Base):
    """A denied account a cluster was walked from; one cluster per root at a time."""

    __tablename__ = "cluster_roots"

    account_pk: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("link_clusters.id"), index=True)
    # Why the root is denied, as the paths print it ("DeepSeek").
    denied_because: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClusterMember(Base):
    """An account linked to a cluster's root, with the path that links it; an account is in at
    most one cluster. state: `review`, `denied` (by the cluster's decision) or `dismissed`."""

    __tablename__ = "cluster_members"

    account_pk: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("link_clusters.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    hops: Mapped[int] = mapped_column(Integer)
    # The next account on the way to the root, what links them, and the whole path as steps.
    via_account_pk: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    score: Mapped[float] = mapped_column(Float)
    # Whether links are followed through it: false when it shares a single value with the
    # cluster (perhaps a stolen card's owner).
    through: Mapped[bool] = mapped_column(Boolean, default=True)
    path: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    reason: Mapped[str] = mapped_column(Text)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), nullable=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ClusterEvent(Base):
    """Every change of a cluster: created, grown, merged, proposed, decided, released."""

    __tablename__ = "cluster_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("link_clusters.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
