"""The `screening` command: thin wrappers that parse arguments and call one service function."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import click

from api import status as status_view
from api.wiring import make_refresher, make_sessions, upgrade_database
from lists import SOURCE_IDS
from screening.errors import ScreeningError
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
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


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
@click.argument("source_ids", nargs=-1)
@click.option("--allow-drop", is_flag=True, help="Accept a version that shrank past the limit.")
@clear_errors
def lists_refresh(source_ids: tuple[str, ...], allow_drop: bool) -> None:
    """Fetch and activate new versions of SOURCE_IDS (default: every source)."""
    config = settings()
    refresher = make_refresher(config, make_sessions(config))
    outcomes = refresher.refresh_many(source_ids or SOURCE_IDS, allow_drop=allow_drop)
    for outcome in outcomes:
        click.echo(outcome.line())
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


@lists_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@clear_errors
def lists_status(as_json: bool) -> None:
    """Active version, record count, age and last error of every source."""
    with make_sessions(settings())() as session:
        rows = status_view.source_status(session, now=datetime.now(UTC))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(status_view.status_line(row))


@lists_group.command("diff")
@click.argument("source_id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--samples", default=10, show_default=True, help="Parties shown per change kind.")
@clear_errors
def lists_diff(source_id: str, as_json: bool, samples: int) -> None:
    """Parties added, removed and changed between the active version and the one before."""
    with make_sessions(settings())() as session:
        diff: dict[str, Any] = status_view.source_diff(session, source_id, samples=samples)
    if as_json:
        click.echo(json.dumps(diff, indent=2))
        return
    click.echo(status_view.diff_text(diff))


def main() -> None:  # pragma: no cover - console entry point
    cli()
