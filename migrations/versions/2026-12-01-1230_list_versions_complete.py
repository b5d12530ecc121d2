"""A list version is complete once all its entries are written; a refresh stages a big list in
short transactions and marks it complete when it activates it

Revision ID: a8e5c1f7b3d9
Revises: f6c3a9e4d2b5
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8e5c1f7b3d9"
down_revision: str | None = "f6c3a9e4d2b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("list_versions") as batch:
        batch.add_column(
            sa.Column("complete", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("list_versions") as batch:
        batch.drop_column("complete")
