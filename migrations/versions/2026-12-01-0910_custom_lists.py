"""Custom lists kept by admins

Revision ID: 7a3e9c1b2d45
Revises: 5f1c2a7d9e31
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from screening.db import UTCDateTime

revision: str = "7a3e9c1b2d45"
down_revision: str | None = "5f1c2a7d9e31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custom_lists",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_custom_lists")),
    )


def downgrade() -> None:
    op.drop_table("custom_lists")
