"""An index on when each account last showed each signal, so that expiring the observations
older than the retention period finds them without reading every row

Revision ID: e4c1a9b7d3f5
Revises: d2b8f4a6e1c3
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e4c1a9b7d3f5"
down_revision: str | None = "d2b8f4a6e1c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_account_signals_last_seen", "account_signals", ["last_seen"])


def downgrade() -> None:
    op.drop_index("ix_account_signals_last_seen", table_name="account_signals")
