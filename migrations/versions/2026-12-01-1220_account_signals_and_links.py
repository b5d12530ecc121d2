"""Account signals (hashed where personal) and the links between accounts

Revision ID: f6c3a9e4d2b5
Revises: e5b2f8d3c1a4
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from screening.db import JSONType, UTCDateTime

revision: str = "f6c3a9e4d2b5"
down_revision: str | None = "e5b2f8d3c1a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signal_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("display", sa.String(length=200), nullable=True),
        sa.Column("counts", sa.Boolean(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_values")),
        sa.UniqueConstraint("kind", "digest", name=op.f("uq_signal_values_kind")),
    )
    op.create_table(
        "account_signals",
        sa.Column("account_pk", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("observations", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_pk"], ["accounts.id"], name=op.f("fk_account_signals_account_pk_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signal_values.id"],
            name=op.f("fk_account_signals_signal_id_signal_values"),
        ),
        sa.PrimaryKeyConstraint("account_pk", "signal_id", name=op.f("pk_account_signals")),
    )
    op.create_index(
        "ix_account_signals_signal_id", "account_signals", ["signal_id", "account_pk"]
    )
    op.create_table(
        "link_clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("proposed_status", sa.String(length=20), nullable=True),
        sa.Column("proposed_by", sa.String(length=200), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into"],
            ["link_clusters.id"],
            name=op.f("fk_link_clusters_merged_into_link_clusters"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_clusters")),
    )
    op.create_index("ix_link_clusters_status", "link_clusters", ["status"])
    op.create_table(
        "cluster_roots",
        sa.Column("account_pk", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("denied_because", sa.Text(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_pk"], ["accounts.id"], name=op.f("fk_cluster_roots_account_pk_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["link_clusters.id"],
            name=op.f("fk_cluster_roots_cluster_id_link_clusters"),
        ),
        sa.PrimaryKeyConstraint("account_pk", name=op.f("pk_cluster_roots")),
    )
    op.create_index(op.f("ix_cluster_roots_cluster_id"), "cluster_roots", ["cluster_id"])
    op.create_table(
        "cluster_members",
        sa.Column("account_pk", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("hops", sa.Integer(), nullable=False),
        sa.Column("via_account_pk", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("through", sa.Boolean(), nullable=False),
        sa.Column("path", JSONType, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_pk"], ["accounts.id"], name=op.f("fk_cluster_members_account_pk_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_cluster_members_alert_id_alerts")
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["link_clusters.id"],
            name=op.f("fk_cluster_members_cluster_id_link_clusters"),
        ),
        sa.ForeignKeyConstraint(
            ["via_account_pk"],
            ["accounts.id"],
            name=op.f("fk_cluster_members_via_account_pk_accounts"),
        ),
        sa.PrimaryKeyConstraint("account_pk", name=op.f("pk_cluster_members")),
    )
    op.create_index(op.f("ix_cluster_members_cluster_id"), "cluster_members", ["cluster_id"])
    op.create_table(
        "cluster_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", JSONType, nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["link_clusters.id"],
            name=op.f("fk_cluster_events_cluster_id_link_clusters"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cluster_events")),
    )
    op.create_index(op.f("ix_cluster_events_cluster_id"), "cluster_events", ["cluster_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cluster_events_cluster_id"), table_name="cluster_events")
    op.drop_table("cluster_events")
    op.drop_index(op.f("ix_cluster_members_cluster_id"), table_name="cluster_members")
    op.drop_table("cluster_members")
    op.drop_index(op.f("ix_cluster_roots_cluster_id"), table_name="cluster_roots")
    op.drop_table("cluster_roots")
    op.drop_index("ix_link_clusters_status", table_name="link_clusters")
    op.drop_table("link_clusters")
    op.drop_index("ix_account_signals_signal_id", table_name="account_signals")
    op.drop_table("account_signals")
    op.drop_table("signal_values")
