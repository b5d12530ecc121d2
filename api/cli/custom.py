"""`screening lists custom ...`: lists an organisation keeps itself."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from api.cli import clear_errors, lists_group, settings
from api.wiring import load_custom_list, open_sessions
from lists.custom_csv import custom_source
from screening.listings import store


@lists_group.group("custom")
def custom_group() -> None:
    """Custom lists: create one, load its parties from CSV (each load is a version)."""


@custom_group.command("create")
@click.argument("source", metavar="custom_NAME")
@click.option("--title", required=True, help="What the list is.")
@clear_errors
def custom_create(source: str, title: str) -> None:
    """Create an empty custom list."""
    custom_source(source, title, "file:///")  # validates the id with a clear message
    with open_sessions(settings()) as sessions, sessions.begin() as session:
        store.add_custom_list(session, source, title, "cli")
    click.echo(f"{source}: created; load it with `screening lists custom load {source} FILE`")


@custom_group.command("load")
@click.argument("source", metavar="custom_NAME")
@click.argument("path", metavar="FILE.csv", type=click.Path(path_type=Path, dir_okay=False))
@clear_errors
def custom_load(source: str, path: Path) -> None:
    """Load FILE.csv as the list's next version (header key,name[,aliases,...])."""
    if not path.is_file():
        raise click.ClickException(f"{path}: no such file")
    config = settings()
    with open_sessions(config) as sessions:
        outcome = load_custom_list(config, sessions, source, path.read_bytes())
    click.echo(outcome.line())
    if not outcome.ok:
        sys.exit(1)
