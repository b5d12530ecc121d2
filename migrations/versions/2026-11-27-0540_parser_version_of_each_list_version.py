"""Record which parser version produced each list version

Revision ID: b6c9cea9ef3f
Revises: d9bd0dba642d
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'b6c9cea9ef3f'
down_revision: str | None = 'd9bd0dba642d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('list_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parser_version', sa.String(length=40), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('list_versions', schema=None) as batch_op:
        batch_op.drop_column('parser_version')

