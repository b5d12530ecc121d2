"""Customers' names as the matcher read them, kept with their latest result, so that a delta
rescreen checks every customer against what changed without reading every name again

Revision ID: d2b8f4a6e1c3
Revises: c1a7e3f9d5b2
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from screening.db import JSONType

revision: str = "d2b8f4a6e1c3"
down_revision: str | None = "c1a7e3f9d5b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows written before keep NULL: their customers' names are read afresh by the next delta.
    op.add_column("customer_results", sa.Column("readings", JSONType, nullable=True))
    op.add_column("customer_results", sa.Column("terms", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("customer_results") as batch:
        batch.drop_column("terms")
        batch.drop_column("readings")
