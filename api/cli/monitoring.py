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
from api.wiring import open_sessions
from screening.errors import IndexNotReadyError, InvalidQueryError
from screening.matching.live import LiveIndex
from screening.monitoring import export, importer, runs, views
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
@clear_errors
def rescreen(full: bool) -> None:
    """Screen customers against the active lists and policy. Without --full: continue an
    unfinished run, or say that nothing is pending."""
    config = settings()
    who = actor()
    stop_on_sigterm()
    with open_sessions(config) as sessions:
        with sessions() as session:
            pending = runs.unfinished(session)
        if pending is None and not full:
            click.echo("nothing pending: no unfinished rescreen run")
            return
        # The index first: a run is started only once there is something to screen against.
        screener = _screener(sessions, required=True)
        assert screener is not None
        with sessions.begin() as session:
            run = runs.unfinished(session)
            if run is None:
                run = runs.start(session, actor=who, chunk_size=config.rescreen_chunk_size)
                click.echo(f"run {run.id}: started", err=True)
            else:
                click.echo(f"run {run.id}: continuing an unfinished {run.kind} run", err=True)
            run_id = run.id
            todo = len(runs.pending_chunks(session, run_id))
        with click.progressbar(length=todo, label="rescreening", file=sys.stderr) as bar:

            def done(number: int, counts: Counter[str]) -> None:
                bar.update(1)
                if after_chunk is not None:
                    after_chunk(number, counts)

            summary = runs.run_to_end(sessions, screener, run_id, actor=who, on_chunk=done)
    click.echo(summary.line())


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
        rows = export.records(session, start, end)
    staged = output.with_name(output.name + ".partial")
    staged.write_text(export.render(rows, fmt), encoding="utf-8")
    staged.replace(output)
    click.echo(f"{len(rows)} records written to {output}")
