"""ORM models: list versions and their entries, per-source state, refresh attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from screening.db import Base, JSONType, UTCDateTime, utcnow


class ListVersion(Base):
    """One parsed, sanity-checked snapshot of one source. Never updated once written."""

    __tablename__ = "list_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # SHA-256 over the files' own hashes: equal content -> equal digest.
    content_sha256: Mapped[str] = mapped_column(String(64))
    record_count: Mapped[int] = mapped_column(Integer)
    # Which parser produced the entries: a new parser re-parses unchanged bytes on next refresh.
    parser_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    previous_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("list_versions.id"), nullable=True
    )
    # Provenance of each raw file: name, url, sha256, size, etag, last_modified.
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    warnings: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Parties added / removed / changed against the previous version (keys and counts).
    diff: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # False while a refresh is still writing the entries (in short transactions, so that other
    # writers never wait for a whole list); nothing reads an incomplete version, and the next
    # refresh of the source deletes one that a crash left behind.
    complete: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ListEntryRow(Base):
    """One party of one version, stored as the parser's record in JSON."""

    __tablename__ = "list_entries"
    __table_args__ = (UniqueConstraint("version_id", "source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("list_versions.id", ondelete="CASCADE"), index=True
    )
    source_key: Mapped[str] = mapped_column(String(200))
    party_key: Mapped[str] = mapped_column(String(260), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)


class ListSourceState(Base):
    """Which version of a source is active, and how its last refresh went."""

    __tablename__ = "list_sources"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    active_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("list_versions.id"), nullable=True
    )
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)


class RefreshAttempt(Base):
    """Audit trail: every refresh of every source, successful or not."""

    __tablename__ = "refresh_attempts"
    __table_args__ = (Index("ix_refresh_attempts_source_started", "source", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))  # new_version | unchanged | failed
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("list_versions.id"), nullable=True)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)


class CustomList(Base):
    """A list an admin keeps (`custom_<name>`); each load of its CSV is an ordinary version."""

    __tablename__ = "custom_lists"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
