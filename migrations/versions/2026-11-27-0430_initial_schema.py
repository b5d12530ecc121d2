"""Initial schema: list versions, entries, source state, refresh attempts, leases

Revision ID: d9bd0dba642d
Revises: 
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'd9bd0dba642d'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('leases',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_leases'))
    )
    op.create_table('list_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('record_count', sa.Integer(), nullable=False),
    sa.Column('previous_version_id', sa.Integer(), nullable=True),
    sa.Column('files', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('warnings', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('diff', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['previous_version_id'], ['list_versions.id'], name=op.f('fk_list_versions_previous_version_id_list_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_versions'))
    )
    with op.batch_alter_table('list_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_versions_source'), ['source'], unique=False)

    op.create_table('list_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('source_key', sa.String(length=200), nullable=False),
    sa.Column('party_key', sa.String(length=260), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['list_versions.id'], name=op.f('fk_list_entries_version_id_list_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_entries')),
    sa.UniqueConstraint('version_id', 'source_key', name=op.f('uq_list_entries_version_id'))
    )
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_entries_party_key'), ['party_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_list_entries_version_id'), ['version_id'], unique=False)

    op.create_table('list_sources',
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('active_version_id', sa.Integer(), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.String(length=20), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['active_version_id'], ['list_versions.id'], name=op.f('fk_list_sources_active_version_id_list_versions')),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_list_sources'))
    )
    op.create_table('refresh_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('files', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['list_versions.id'], name=op.f('fk_refresh_attempts_version_id_list_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_attempts'))
    )
    with op.batch_alter_table('refresh_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_refresh_attempts_source_started', ['source', 'started_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('refresh_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_refresh_attempts_source_started')

    op.drop_table('refresh_attempts')
    op.drop_table('list_sources')
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_entries_version_id'))
        batch_op.drop_index(batch_op.f('ix_list_entries_party_key'))

    op.drop_table('list_entries')
    with op.batch_alter_table('list_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_versions_source'))

    op.drop_table('list_versions')
    op.drop_table('leases')
