"""The `screening` command: thin wrappers that parse arguments and call one service function."""

from __future__ import annotations

import csv
import json
import logging
import signal
import sys
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from api.cli import screen_file as sf
from api.http import status as status_view
from api.logs import configure_logging
from api.wiring import make_refresher, open_sessions, upgrade_database
from lists import SOURCE_IDS, get_source
from screening.errors import ScreeningError
from screening.keys import service as keys_service
from screening.keys.roles import Role
from screening.listings import store
from screening.matching import MatchIndex, Query
from screening.matching.live import build_index
from screening.policy import decision as policy
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


def load_index() -> MatchIndex:
    with open_sessions(settings()) as sessions, sessions() as session:
        return build_index(session)


@cli.command("screen")
@click.argument("name")
@click.option("--country", help="ISO country code (or name) of the party.")
@click.option("--domain", help="Website or e-mail domain of the party.")
@click.option("--address", help="Address of the party.")
@click.option("--identifier", help="Registration, tax, LEI, IMO or similar number.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@clear_errors
def screen(
    name: str,
    country: str | None,
    domain: str | None,
    address: str | None,
    identifier: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Screen one NAME against the active lists and explain the matches."""
    query = Query.from_fields(
        {
            "name": name,
            "country": country,
            "domain": domain,
            "address": address,
            "identifier": identifier,
        }
    )
    result = policy.screen(load_index(), query, limit=limit).to_dict()
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    click.echo(f"{result['decision'].upper()}  best score {result['score']:.3f}")
    for match in result["matches"]:
        lists = ",".join(match["lists"])
        click.echo(
            f"  {match['score']:.3f}  [{match['source']} {lists} {match['source_key']}] "
            f"{match['entity_name']}"
        )
        click.echo(f"         {match['explanation']}")
    click.echo("lists: " + "; ".join(f"{k} {v}" for k, v in result["versions"].items()))


@cli.command("screen-file")
@click.argument("input_path", metavar="INPUT.csv", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output", "-o", "output", required=True, type=click.Path(path_type=Path, dir_okay=False)
)
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@clear_errors
def screen_file(input_path: Path, output: Path, fmt: str) -> None:
    """Screen every row of a CSV (header: id,name[,country,domain,address,identifier])."""
    if not input_path.is_file():
        raise click.ClickException(f"{input_path}: no such file")
    total = sf.check_file(input_path)
    index = load_index()
    summary = sf.FileSummary()
    tmp = output.with_name(output.name + ".partial")
    with (
        input_path.open(newline="", encoding="utf-8-sig") as src,
        tmp.open("w", newline="", encoding="utf-8") as out,
        click.progressbar(length=total, label="screening", file=sys.stderr) as bar,
    ):
        writer = csv.DictWriter(out, fieldnames=sf.CSV_COLUMNS) if fmt == "csv" else None
        if writer:
            writer.writeheader()
        for result in sf.screen_rows(index, sf.read_rows(src)):
            summary.rows += 1
            summary.errors += result.get("error") is not None
            summary.review += result.get("decision") == "review"
            if writer:
                writer.writerow(sf.csv_row(result))
            else:
                sf.write_jsonl(out, result)
            bar.update(1)
    tmp.replace(output)  # the output appears whole or not at all
    click.echo(
        f"{summary.rows} rows screened: {summary.review} to review, {summary.errors} with errors "
        f"-> {output}",
        err=True,
    )
    if summary.errors:
        sys.exit(1)


@cli.group("keys")
def keys_group() -> None:
    """API keys stored in the database (hashed)."""


@keys_group.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", required=True, help="Who or what the key is for.")
@clear_errors
def keys_create(role: str, name: str) -> None:
    """Create a key; it is printed once, alone on the last line, and never again."""
    with open_sessions(settings()) as sessions, sessions.begin() as session:
        stored, key = keys_service.create_key(session, role=role, name=name)
    click.echo(f"created {stored.role} key {stored.id} ({stored.name}); store it now:", err=True)
    click.echo(key)


@keys_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@clear_errors
def keys_list(as_json: bool) -> None:
    """Keys with their role, prefix and state (never the secret)."""
    with open_sessions(settings()) as sessions, sessions() as session:
        rows = [
            {
                "id": k.id,
                "name": k.name,
                "role": k.role.value,
                "prefix": k.prefix,
                "created_at": k.created_at.isoformat(),
                "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
            }
            for k in keys_service.list_keys(session)
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
        click.echo(f"{row['id']}  {row['role']:<8} rps_{row['prefix']}_…  {state}  {row['name']}")


@keys_group.command("revoke")
@click.argument("key_id")
@clear_errors
def keys_revoke(key_id: str) -> None:
    """Revoke a key by id or prefix (effective within seconds in every process)."""
    with open_sessions(settings()) as sessions, sessions.begin() as session:
        stored = keys_service.revoke_key(session, key_id)
    click.echo(f"revoked {stored.role} key {stored.id} ({stored.name})")


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

    from api.scheduler import configure

    config = settings()
    blocking = BlockingScheduler(timezone="UTC")
    stop_on_sigterm()
    with open_sessions(config) as sessions:
        configure(blocking, make_refresher(config, sessions))
        click.echo("scheduler running; Ctrl-C or SIGTERM stops it", err=True)
        with suppress(KeyboardInterrupt, SystemExit):
            blocking.start()
        # Let a refresh in progress finish (it keeps its lease alive meanwhile) and release
        # its lease, rather than leaving the source locked until the lease expires.
        blocking.shutdown(wait=True)
