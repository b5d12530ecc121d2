"""Which registered customer a screen was for (rescreens and customer changes), so that a
customer's page can show its whole history of screens

Revision ID: b9f6d2a8c4e1
Revises: a8e5c1f7b3d9
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b9f6d2a8c4e1"
down_revision: str | None = "a8e5c1f7b3d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy of the table on SQLite): the append-only triggers on
    # `screenings` must survive, and rows already written keep NULL.
    op.add_column("screenings", sa.Column("customer_ref", sa.String(length=200), nullable=True))
    op.create_index(
        "ix_screenings_customer_ref_created_at", "screenings", ["customer_ref", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_screenings_customer_ref_created_at", table_name="screenings")
    with op.batch_alter_table("screenings") as batch:
        batch.drop_column("customer_ref")
