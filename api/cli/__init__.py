"""The `screening` command: thin wrappers that parse arguments and call one service function."""

from __future__ import annotations

import json
import logging
import signal
import sys
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import click

from api.http import status as status_view
from api.logs import configure_logging
from api.wiring import background_priority, make_refresher, open_sessions, upgrade_database
from lists import SOURCE_IDS, get_source
from screening.errors import ScreeningError
from screening.listings import store
from screening.settings import Settings, get_settings

P = ParamSpec("P")
R = TypeVar("R")


def clear_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the project's own errors into a one-line message and exit status 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ScreeningError as exc:
            click.echo(f"error: {exc.detail}", err=True)
            sys.exit(2)

    return wrapper


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
def cli(verbose: bool) -> None:
    """Restricted-party screening: fetch lists, screen names, serve the API."""
    configure_logging(logging.INFO if verbose else logging.WARNING)


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C: `with` blocks run their exits, so a refresh rolls back its
    transaction and releases its lease instead of leaving it to expire."""

    def _raise(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _raise)


def settings() -> Settings:
    try:
        return get_settings()
    except Exception as exc:  # pydantic's ValidationError names the bad variable
        raise click.ClickException(f"invalid settings: {exc}") from exc


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@clear_errors
def db_upgrade() -> None:
    """Create or migrate the schema to the latest version."""
    upgrade_database(settings().database_url)
    click.echo("database is at the latest schema version")


@cli.group("lists")
def lists_group() -> None:
    """List sources: refresh, status, diff."""


@lists_group.command("refresh")
@click.argument("sources", nargs=-1)
@click.option("--allow-drop", is_flag=True, help="Accept a version that shrank past the limit.")
@clear_errors
def lists_refresh(sources: tuple[str, ...], allow_drop: bool) -> None:
    """Fetch and activate new versions of SOURCE_IDS (default: every source)."""
    config = settings()
    stop_on_sigterm()
    background_priority(config)
    with open_sessions(config) as sessions:
        refresher = make_refresher(config, sessions)
        outcomes = refresher.refresh_many(sources or SOURCE_IDS, allow_drop=allow_drop)
    for outcome in outcomes:
        click.echo(outcome.line())
    # A skip is not a success: that source was not checked by this command.
    if not all(o.ok for o in outcomes):
        sys.exit(1)


@lists_group.command("prune")
@click.argument("sources", nargs=-1)
@click.option(
    "--keep",
    default=10,
    show_default=True,
    type=click.IntRange(0, None),
    help="Newest versions per source whose entries are kept.",
)
@clear_errors
def lists_prune(sources: tuple[str, ...], keep: int) -> None:
    """Free space: drop the parsed entries of old versions (metadata and raw files stay)."""
    for source in sources:
        get_source(source)  # an unknown id is an error, not a silent no-op
    with open_sessions(settings()) as sessions, sessions.begin() as session:
        for source in sources or SOURCE_IDS:
            removed = store.prune_entries(session, source, keep=keep)
            click.echo(f"{source}: {removed} entries of old versions removed")


@lists_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@clear_errors
def lists_status(as_json: bool) -> None:
    """Active version, record count, age and last error of every source."""
    with open_sessions(settings()) as sessions, sessions() as session:
        rows = status_view.source_status(session, now=datetime.now(UTC))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(status_view.status_line(row))


@lists_group.command("diff")
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--samples", default=10, show_default=True, help="Parties shown per change kind.")
@clear_errors
def lists_diff(source: str, as_json: bool, samples: int) -> None:
    """Parties added, removed and changed between the active version and the one before."""
    with open_sessions(settings()) as sessions, sessions() as session:
        diff: dict[str, Any] = status_view.source_diff(session, source, samples=samples)
    if as_json:
        click.echo(json.dumps(diff, indent=2))
        return
    click.echo(status_view.diff_text(diff))


@cli.command("serve")
@click.option("--host", help="Bind address (default: SCREENING_HOST).")
@click.option("--port", type=int, help="Port (default: SCREENING_PORT).")
def serve(host: str | None, port: int | None) -> None:
    """Run the HTTP API (and, unless disabled, the refresh scheduler in-process)."""
    import uvicorn

    from api.http.app import create_app

    config = settings()
    try:
        app = create_app(config)
    except ValueError as exc:  # a malformed SCREENING_API_KEYS entry
        raise click.ClickException(f"invalid SCREENING_API_KEYS: {exc}") from exc
    # log_config=None: uvicorn's lines go through our handler (request ids, redaction).
    uvicorn.run(app, host=host or config.host, port=port or config.port, log_config=None)


@cli.command("scheduler")
def scheduler() -> None:
    """Run the refresh scheduler as its own process (for multi-worker API deployments)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from api.rescreen import Rescreens
    from api.scheduler import configure, configure_rescreens
    from api.webhooks import WebhookDispatcher

    config = settings()
    blocking = BlockingScheduler(timezone="UTC")
    stop_on_sigterm()
    background_priority(config)
    with open_sessions(config) as sessions:
        # Deltas after every activation and on a poll, a full rescreen on its interval.
        soon = configure_rescreens(
            blocking,
            Rescreens(config, sessions),
            delta_poll_s=config.rescreen_delta_poll_s,
            full_interval_hours=config.rescreen_full_interval_hours,
        )
        configure(blocking, make_refresher(config, sessions), on_activation=soon)
        dispatcher = WebhookDispatcher(config, sessions)
        dispatcher.start()
        click.echo("scheduler running; Ctrl-C or SIGTERM stops it", err=True)
        with suppress(KeyboardInterrupt, SystemExit):
            blocking.start()
        # Let a refresh in progress finish (it keeps its lease alive meanwhile) and release
        # its lease, rather than leaving the source locked until the lease expires.
        blocking.shutdown(wait=True)
        dispatcher.stop()


# The other command groups register themselves on `cli` (imported last: they import it).
from api.cli import custom as _custom  # noqa: E402
from api.cli import keys as _keys  # noqa: E402
from api.cli import linking as _linking  # noqa: E402
from api.cli import monitoring as _monitoring  # noqa: E402
from api.cli import screens as _screens  # noqa: E402
from api.cli import users as _users  # noqa: E402
from api.cli import webhooks as _webhooks  # noqa: E402

__all__ = [
    "_custom",
    "_keys",
    "_linking",
    "_monitoring",
    "_screens",
    "_users",
    "_webhooks",
    "cli",
]
