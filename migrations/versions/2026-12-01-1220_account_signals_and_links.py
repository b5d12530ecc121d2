"""Account signals (hashed where personal) and the links between accounts

Revision ID: f6c3a9e4d2b5
Revises: e5b2f8d3c1a4
Create Date: 2026-12-01
"""

from collections.abc import Sequence

revision: str = "f6c3a9e4d2b5"
down_revision: str | None = "e5b2f8d3c1a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
