"""The rescreen task queue's tables (PostgreSQL) and webhooks

Delta rescreens (a cursor per source, the versions of each run, who did each chunk, delisted
alerts, each customer's nearest miss), webhooks and their outbox, deliveries and attempts on every database; on PostgreSQL
also procrastinate's own schema, in a schema of its own ("procrastinate") so that its tables
never mix with the service's.

Revision ID: d4a1e7c2b9f3
Revises: c3d8e1f4a9b2
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from screening.db import JSONType, UTCDateTime

revision: str = "d4a1e7c2b9f3"
down_revision: str | None = "c3d8e1f4a9b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_SCHEMA = "procrastinate"
PIN_FUNCTIONS = """
DO $$
DECLARE f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'procrastinate'
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = procrastinate, pg_catalog', f.sig);
    END LOOP;
END
$$;
"""


def _queue_schema_sql() -> str:
    # Read from the installed package so the schema always matches the procrastinate in use.
    from procrastinate.schema import SchemaManager

    return SchemaManager.get_schema()


def upgrade() -> None:
    op.create_table(
        "rescreen_cursors",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_rescreen_cursors")),
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("events", JSONType, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_events")),
    )
    op.create_index("ix_webhook_events_created_at", "webhook_events", ["created_at"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["webhook_id"], ["webhooks.id"], name=op.f("fk_webhook_deliveries_webhook_id_webhooks")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["webhook_events.id"],
            name=op.f("fk_webhook_deliveries_event_id_webhook_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint(
            "webhook_id", "event_id", name=op.f("uq_webhook_deliveries_webhook_id")
        ),
    )
    op.create_index(
        op.f("ix_webhook_deliveries_webhook_id"), "webhook_deliveries", ["webhook_id"]
    )
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"]
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    op.create_index(op.f("ix_webhook_attempts_delivery_id"), "webhook_attempts", ["delivery_id"])
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("delisted_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("rescreen_runs") as batch:
        batch.add_column(sa.Column("versions", JSONType, nullable=True))
        batch.add_column(sa.Column("base", JSONType, nullable=True))
    with op.batch_alter_table("rescreen_chunks") as batch:
        batch.add_column(sa.Column("done_by", sa.String(length=200), nullable=True))
    with op.batch_alter_table("customer_results") as batch:
        batch.add_column(sa.Column("near_miss", sa.Float(), nullable=True))
    op.create_index(
        "ix_rescreen_runs_one_running",
        "rescreen_runs",
        ["status"],
        unique=True,
        sqlite_where=sa.text("status = 'running'"),
        postgresql_where=sa.text("status = 'running'"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{QUEUE_SCHEMA}"')
        saved = bind.exec_driver_sql("SHOW search_path").scalar_one()
        # procrastinate's SQL names its objects unqualified: create them in its own schema,
        # then give the rest of the migration chain its search path back.
        bind.exec_driver_sql(f'SET LOCAL search_path TO "{QUEUE_SCHEMA}"')
        # Straight to psycopg with no parameters: the SQL holds literal % signs that any
        # parameter formatting would misread. Same connection, same transaction.
        raw = bind.connection.driver_connection
        assert raw is not None
        raw.execute(_queue_schema_sql())
        # Its trigger functions name tables unqualified too: pin their search path, so a
        # connection of ours (a test, an operator's psql) that touches a job does not fail.
        raw.execute(PIN_FUNCTIONS)
        bind.execute(sa.text("SELECT set_config('search_path', :p, true)"), {"p": saved})


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{QUEUE_SCHEMA}" CASCADE')
    op.drop_index("ix_rescreen_runs_one_running", table_name="rescreen_runs")
    with op.batch_alter_table("customer_results") as batch:
        batch.drop_column("near_miss")
    with op.batch_alter_table("rescreen_chunks") as batch:
        batch.drop_column("done_by")
    with op.batch_alter_table("rescreen_runs") as batch:
        batch.drop_column("base")
        batch.drop_column("versions")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("delisted_at")
    op.drop_index(op.f("ix_webhook_attempts_delivery_id"), table_name="webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_index(op.f("ix_webhook_deliveries_webhook_id"), table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_webhook_events_created_at", table_name="webhook_events")
    op.drop_table("webhook_events")
    op.drop_table("webhooks")
    op.drop_table("rescreen_cursors")
