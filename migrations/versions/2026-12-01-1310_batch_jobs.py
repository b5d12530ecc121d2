"""Batch screens kept in the database (they lived in one process's memory): jobs and their rows

Revision ID: c1a7e3f9d5b2
Revises: b9f6d2a8c4e1
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from screening.db import JSONType, UTCDateTime

revision: str = "c1a7e3f9d5b2"
down_revision: str | None = "b9f6d2a8c4e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batch_jobs",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("heartbeat_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_jobs")),
    )
    op.create_index("ix_batch_jobs_owner_created_at", "batch_jobs", ["owner", "created_at"])
    op.create_table(
        "batch_rows",
        sa.Column("job_id", sa.String(length=16), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("input", JSONType, nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("screening_id", sa.String(length=32), nullable=True),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["batch_jobs.id"],
            name=op.f("fk_batch_rows_job_id_batch_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "line", name=op.f("pk_batch_rows")),
    )


def downgrade() -> None:
    op.drop_table("batch_rows")
    op.drop_index("ix_batch_jobs_owner_created_at", table_name="batch_jobs")
    op.drop_table("batch_jobs")
