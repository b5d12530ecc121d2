"""Append-only screenings, the policy versions they used, and API keys stored hashed

Revision ID: 5f1c2a7d9e31
Revises: b6c9cea9ef3f
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from screening.db import JSONType, UTCDateTime

revision: str = "5f1c2a7d9e31"
down_revision: str | None = "b6c9cea9ef3f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit trail refuses UPDATE and DELETE at the database itself, on both databases.
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER screenings_refuse_{op_name.lower()} BEFORE {op_name} ON screenings
    BEGIN SELECT RAISE(ABORT, 'screenings are append-only: {op_name} refused'); END"""
    for op_name in ("UPDATE", "DELETE")
]
PG_FUNCTION = """CREATE OR REPLACE FUNCTION screening_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'screenings are append-only: % refused', TG_OP;
END
$$ LANGUAGE plpgsql"""
PG_TRIGGER = """CREATE TRIGGER screenings_append_only BEFORE UPDATE OR DELETE ON screenings
FOR EACH ROW EXECUTE FUNCTION screening_refuse_change()"""


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("screened_on", sa.String(length=10), nullable=False),
        sa.Column("context", sa.String(length=20), nullable=False),
        sa.Column("key_id", sa.String(length=100), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column("subject", JSONType, nullable=False),
        sa.Column("normalized", JSONType, nullable=False),
        sa.Column("version_ids", JSONType, nullable=False),
        sa.Column("policy_version", sa.String(length=40), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("answer", JSONType, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenings")),
    )
    op.create_index("ix_screenings_created_at", "screenings", ["created_at"], unique=False)
    op.create_table(
        "policy_versions",
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_policy_versions")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS screenings_append_only ON screenings")
        op.execute("DROP FUNCTION IF EXISTS screening_refuse_change()")
    op.drop_table("api_keys")
    op.drop_table("policy_versions")
    op.drop_index("ix_screenings_created_at", table_name="screenings")
    op.drop_table("screenings")
