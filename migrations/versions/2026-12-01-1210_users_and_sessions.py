"""People who sign in to the analyst pages, and their sessions

Revision ID: e5b2f8d3c1a4
Revises: d4a1e7c2b9f3
Create Date: 2026-12-01
"""

from collections.abc import Sequence

revision: str = "e5b2f8d3c1a4"
down_revision: str | None = "d4a1e7c2b9f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
