"""The rescreen task queue's tables (PostgreSQL) and webhooks

Revision ID: d4a1e7c2b9f3
Revises: c3d8e1f4a9b2
Create Date: 2026-12-01
"""

from collections.abc import Sequence

revision: str = "d4a1e7c2b9f3"
down_revision: str | None = "c3d8e1f4a9b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
