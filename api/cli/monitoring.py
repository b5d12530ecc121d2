"""`screening customers import`, `alerts list`, `rescreen` and `audit export`.

Every screen is recorded in the audit trail like an API screen, under `cli:<user>`.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy.orm import Session, sessionmaker

from api.cli import clear_errors, cli, settings, stop_on_sigterm
from api.linking import audit_records
from api.queue import QUEUE, is_postgres, work, worker_name
from api.rescreen import Rescreens
from api.webhooks import WebhookDispatcher
from api.wiring import open_sessions
from screening.errors import IndexNotReadyError, InvalidQueryError
from screening.matching.live import LiveIndex
from screening.monitoring import delta, export, importer, runs, views
from screening.monitoring.models import Customer
from screening.monitoring.results import Screener, screen_customer
from screening.policy.config import load_policy
from screening.policy.engine import PolicyEngine

# Called after each committed chunk of a rescreen; tests set it to simulate a crash.
after_chunk: Callable[[int, Counter[str]], None] | None = None


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (a container's arbitrary uid)
        return "cli"


def _screener(sessions: sessionmaker[Session], *, required: bool) -> Screener | None:
    """The active lists (indexed: a few seconds on the full lists) and the policy."""
    live = LiveIndex(sessions)
    try:
        live.reload()
    except IndexNotReadyError:
        if required:
            raise
        return None
    return Screener(live.snapshot(), PolicyEngine(load_policy(settings().policy_file)))


@cli.group("customers")
def customers_group() -> None:
    """The customer registry."""


@customers_group.command("import")
@click.argument("path", metavar="FILE.csv", type=click.Path(path_type=Path, dir_okay=False))
@clear_errors
def customers_import(path: Path) -> None:
    """Create or update customers from FILE.csv (header external_id,name[,country,address,
    website,email_domain,owners,account_ids,aliases]); changed customers are screened at once.
    Bad rows are reported with their line numbers; the good rows are kept."""
    config = settings()
    rows = importer.read_file(path, max_bytes=config.customer_import_max_mb << 20)
    who = actor()
    with open_sessions(config) as sessions:
        screener = _screener(sessions, required=False)
        if screener is None:
            click.echo("warning: no list is loaded; customers are stored unscreened", err=True)

        def rescreen(session: Session, customer: Customer) -> None:
            if screener is not None:
                screen_customer(session, screener, customer, actor=who)

        with (
            click.progressbar(length=len(rows), label="importing", file=sys.stderr) as bar,
            sessions.begin() as session,
        ):
            report = importer.import_rows(session, rows, on_change=rescreen, progress=bar.update)
    for line, why in report.errors:
        click.echo(f"line {line}: {why}", err=True)
    click.echo(report.line())
    if report.errors:
        sys.exit(1)


@cli.group("alerts")
def alerts_group() -> None:
    """Alerts raised by rescreens."""


@alerts_group.command("list")
@click.option("--status", type=click.Choice(["open", "in_review", "true_match",
              "false_positive", "escalated"]), help="Only alerts in this status.")  # fmt: skip
@click.option("--customer", help="Only this customer's (external id).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@clear_errors
def alerts_list(status: str | None, customer: str | None, as_json: bool) -> None:
    """Alerts, oldest first."""
    with open_sessions(settings()) as sessions, sessions() as session:
        rows = views.alert_list(session, status=status, external_id=customer)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(
            f"{row['id']:>6} {row['status']:<14} {row['customer_external_id']}: "
            f"{row['entity_name'] or row['party_key']} [{row['source']} {row['source_key']}] "
            f"{row['decision']}" + (f", assigned to {row['assignee']}" if row["assignee"] else "")
        )
    if not rows:
        click.echo("no alerts")


@cli.command("rescreen")
@click.option("--full", is_flag=True, help="Screen every customer (continues an unfinished run).")
@click.option("--no-wait", is_flag=True,
              help="PostgreSQL: queue the chunks for `screening worker` and return.")  # fmt: skip
@clear_errors
def rescreen(full: bool, no_wait: bool) -> None:
    """Screen customers against the active lists and policy. Without --full: continue an
    unfinished run, else run the pending delta (list versions activated since the last
    rescreen, by any process), or say that nothing is pending. On PostgreSQL the chunks go
    through the task queue (this command works on them too); on SQLite they run here."""
    config = settings()
    who = actor()
    stop_on_sigterm()
    with open_sessions(config) as sessions:
        with sessions() as session:
            idle = runs.unfinished(session) is None and not delta.pending(session)
        if idle and not full:
            click.echo("nothing pending: no unfinished run and no list change since the last one")
            return
        rescreens = Rescreens(config, sessions)
        if no_wait and rescreens.queue is None:
            raise InvalidQueryError("--no-wait needs the PostgreSQL task queue; on SQLite "
                                    "chunks run in-process")  # fmt: skip
        begun = rescreens.begin(full=full, actor=who)
        if begun is None:
            click.echo("nothing pending: no unfinished run and no list change since the last one")
            return
        click.echo(begun.line(), err=True)
        with click.progressbar(length=begun.chunks, label="rescreening", file=sys.stderr) as bar:

            def done(number: int, counts: Counter[str]) -> None:
                bar.update(1)
                if after_chunk is not None:
                    after_chunk(number, counts)

            summary = rescreens.run(begun.run_id, wait=not no_wait, on_chunk=done)
    if no_wait:
        click.echo(f"run {begun.run_id}: {begun.chunks} chunks queued for the workers")
        return
    click.echo(summary.line())


@cli.command("worker")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Chunks worked at once (threads; one per core is plenty).")  # fmt: skip
@click.option("--no-webhooks", is_flag=True, help="Do not deliver webhooks from this process.")
@clear_errors
def worker(concurrency: int, no_webhooks: bool) -> None:
    """Work rescreen chunks from the PostgreSQL task queue until stopped (SIGTERM or Ctrl-C
    finishes the chunk in progress). Any number of workers, on any machines, may share one
    database; each also delivers due webhooks unless --no-webhooks."""
    config = settings()
    if not is_postgres(config.database_url):
        raise InvalidQueryError(
            "`screening worker` needs PostgreSQL (SCREENING_DATABASE_URL); on SQLite "
            "`screening rescreen` runs every chunk in-process"
        )
    with open_sessions(config) as sessions:
        rescreens = Rescreens(config, sessions)
        rescreens.runtime.screener()  # the index now: a worker with no lists is an error
        assert rescreens.queue is not None
        dispatcher = None if no_webhooks else WebhookDispatcher(config, sessions)
        click.echo(f"worker {worker_name()} on queue {QUEUE}; SIGTERM stops it", err=True)
        work(rescreens.queue, wait=True, concurrency=concurrency, dispatcher=dispatcher)


@cli.group("audit")
def audit_group() -> None:
    """The audit trail."""


def _instant(value: str, what: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidQueryError(f"--{what} is not an ISO 8601 date or time: {value!r}") from None
    if parsed.tzinfo is None:
        raise InvalidQueryError(f"--{what} needs a time zone, e.g. {value}Z or {value}+00:00")
    return parsed


@audit_group.command("export")
@click.option("--since", required=True, help="ISO 8601 start (inclusive), with a time zone.")
@click.option("--until", required=True, help="ISO 8601 end (exclusive), with a time zone.")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), default="csv",
              show_default=True)  # fmt: skip
@click.option("--output", required=True, type=click.Path(path_type=Path, dir_okay=False))
@clear_errors
def audit_export(since: str, until: str, fmt: str, output: Path) -> None:
    """Every screen, alert change and decision of the period, written whole or not at all."""
    start, end = _instant(since, "since"), _instant(until, "until")
    with open_sessions(settings()) as sessions, sessions() as session:
        rows = audit_records(session, start, end)
    staged = output.with_name(output.name + ".partial")
    staged.write_text(export.render(rows, fmt), encoding="utf-8")
    staged.replace(output)
    click.echo(f"{len(rows)} records written to {output}")
