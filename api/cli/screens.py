"""`screening screen`, `screen-file` and `replay`: the same decisions as the API, from a shell.

Every screen is recorded in the audit trail like an API screen, under the key id `cli`.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session, sessionmaker

from api.cli import clear_errors, cli, settings
from api.cli import screen_file as sf
from api.wiring import open_sessions
from screening.audit import recorder
from screening.audit.replay import replay
from screening.errors import InvalidQueryError
from screening.matching.live import LiveIndex, Snapshot
from screening.policy.config import CONTEXTS, load_policy
from screening.policy.engine import PolicyEngine
from screening.policy.subject import Subject

KEY_ID = "cli"


@dataclass(slots=True)
class Screener:
    sessions: sessionmaker[Session]
    snapshot: Snapshot
    engine: PolicyEngine

    def __call__(self, subject: Subject, context: str, limit: int = 5) -> dict[str, Any]:
        result = self.engine.screen(
            self.snapshot, subject, context=context, on=datetime.now(UTC).date(), limit=limit
        )
        with self.sessions.begin() as session:
            stamped = recorder.record(
                session,
                result,
                version_ids=self.snapshot.version_ids,
                policy_text=self.engine.loaded.text,
                key_id=KEY_ID,
                request_id=None,
            )
        return stamped.to_dict()


@contextmanager
def screener() -> Iterator[Screener]:
    """The active lists (indexed: a few seconds on the full lists) and the policy."""
    config = settings()
    with open_sessions(config) as sessions:
        live = LiveIndex(sessions)
        live.reload()
        yield Screener(sessions, live.snapshot(), PolicyEngine(load_policy(config.policy_file)))


def _owners(value: str | None) -> tuple[dict[str, Any], ...]:
    if not value:
        return ()
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError) as exc:
        raise InvalidQueryError(f"--owners is not valid JSON: {exc}") from None
    if not isinstance(parsed, list):
        raise InvalidQueryError("--owners must be a JSON list of owner objects")
    return tuple(parsed)


@cli.command("screen")
@click.argument("name")
@click.option("--alias", "aliases", multiple=True, help="Another name of the party (repeatable).")
@click.option("--kind", type=click.Choice(["organization", "person", "vessel", "aircraft"]))
@click.option("--country", help="Where the party is headquartered (ISO code or name).")
@click.option("--address", help="Address of the party.")
@click.option("--email", help="An e-mail address of the party.")
@click.option("--website", "--domain", "website", help="Website of the party.")
@click.option("--identifier", "identifiers", multiple=True, help="Registration, tax, LEI...")
@click.option("--owners", help='Declared owners as JSON: [{"name":..,"percent":..,"owners":[]}]')
@click.option("--context", type=click.Choice(CONTEXTS), default="signup", show_default=True)
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@clear_errors
def screen(
    name: str,
    aliases: tuple[str, ...],
    kind: str | None,
    country: str | None,
    address: str | None,
    email: str | None,
    website: str | None,
    identifiers: tuple[str, ...],
    owners: str | None,
    context: str,
    limit: int,
    as_json: bool,
) -> None:
    """Screen one party NAME and decide: clear, review or deny, with reasons."""
    subject = Subject(
        name, aliases, kind, country, address, email, website, identifiers, _owners(owners)
    )
    with screener() as screen_one:
        result = screen_one(subject, context, limit)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    click.echo(f"{result['decision'].upper()}  best score {result['score']:.3f}")
    for reason in result["reasons"]:
        click.echo(f"  {reason['decision']:<6} {reason['rule']}: {reason['detail']}")
    for match in result["matches"]:
        lists = ",".join(match["lists"])
        click.echo(
            f"  {match['score']:.3f}  [{match['source']} {lists} {match['source_key']}] "
            f"{match['entity_name']}"
        )
        click.echo(f"         {match['explanation']}")
    click.echo("lists: " + "; ".join(f"{k} {v}" for k, v in result["versions"].items()))
    click.echo(f"policy {result['policy_version']}; screening {result['screening_id']}")


@cli.command("screen-file")
@click.argument("input_path", metavar="INPUT.csv", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--output", "-o", "output", required=True, type=click.Path(path_type=Path, dir_okay=False)
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default=None,
    help="default: csv for an OUTPUT ending in .csv, else jsonl",
)
@clear_errors
def screen_file(input_path: Path, output: Path, fmt: str | None) -> None:
    """Screen every row of a CSV (header: id,name and any of aliases, kind, country, address,
    email, website, identifiers, owners (JSON), context)."""
    fmt = fmt or ("csv" if output.suffix.lower() == ".csv" else "jsonl")
    if not input_path.is_file():
        raise click.ClickException(f"{input_path}: no such file")
    total = sf.check_file(input_path)
    summary = sf.FileSummary()
    tmp = output.with_name(output.name + ".partial")
    with (
        screener() as screen_one,
        input_path.open(newline="", encoding="utf-8-sig") as src,
        tmp.open("w", newline="", encoding="utf-8") as out,
        click.progressbar(length=total, label="screening", file=sys.stderr) as bar,
    ):
        writer = csv.DictWriter(out, fieldnames=sf.CSV_COLUMNS) if fmt == "csv" else None
        if writer:
            writer.writeheader()
        for result in sf.screen_rows(screen_one, sf.read_rows(src)):
            summary.rows += 1
            summary.errors += result.get("error") is not None
            summary.review += result.get("decision") == "review"
            summary.deny += result.get("decision") == "deny"
            if writer:
                writer.writerow(sf.csv_row(result))
            else:
                sf.write_jsonl(out, result)
            bar.update(1)
    tmp.replace(output)  # the output appears whole or not at all
    click.echo(
        f"{summary.rows} rows screened: {summary.deny} denied, {summary.review} to review, "
        f"{summary.errors} with errors -> {output}",
        err=True,
    )
    if summary.errors:
        sys.exit(1)


@cli.command("replay")
@click.argument("screening_id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@clear_errors
def replay_command(screening_id: str, as_json: bool) -> None:
    """Run a recorded screen again: on its day's lists and policy, and on today's."""
    with screener() as screen_one, screen_one.sessions() as session:
        result = replay(
            session,
            screening_id,
            today=screen_one.snapshot,
            engine_today=screen_one.engine,
            on_today=datetime.now(UTC).date(),
        ).to_dict()
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    changes = result["changes"]
    click.echo(
        f"recorded {result['recorded_decision']}; replayed on its day: "
        f"{result['then']['decision']} ({'reproduced' if result['reproduced'] else 'DIFFERS'})"
    )
    click.echo(f"today: {result['now']['decision']}")
    if changes["decision"]:
        click.echo(
            f"  decision changed: {changes['decision']['then']} -> {changes['decision']['now']}"
        )
    for source, change in changes["lists_changed"].items():
        click.echo(f"  {source}: {change['then']} -> {change['now']}")
    for key in changes["matches_added"]:
        click.echo(f"  new match: {key}")
    for key in changes["matches_removed"]:
        click.echo(f"  match gone: {key}")
    if changes["policy_changed"]:
        click.echo("  the policy changed")
