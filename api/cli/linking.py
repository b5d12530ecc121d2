"""`screening signals import|expire|rotation`, `links sweep|show`, `clusters list|show|decide`."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from api import linking as linking_wiring
from api.cli import clear_errors, cli, settings
from api.cli.monitoring import actor
from api.wiring import open_sessions
from screening.linking import decisions, importer, service, store, views


@cli.group("signals")
def signals_group() -> None:
    """Account signals (e-mail, payment fingerprint, device, phone, IP, ...)."""


@signals_group.command("import")
@click.argument("path", metavar="FILE.csv", type=click.Path(path_type=Path, dir_okay=False))
@clear_errors
def signals_import(path: Path) -> None:
    """Record observations from FILE.csv (header account_id and any of email,
    payment_fingerprint, device_id, phone, ip, asn, organisation, billing_address, observed_at),
    linking as they arrive. Bad rows are reported with their line numbers; the good rows are
    kept. Exit status 1 when any row was refused."""
    config = settings()
    rows = importer.read_file(path, max_bytes=config.signal_import_max_mb << 20)
    ctx = linking_wiring.context(config)
    who = actor()
    with open_sessions(config) as sessions:
        with (
            click.progressbar(length=len(rows), label="importing", file=sys.stderr) as bar,
            sessions.begin() as session,
        ):
            report = importer.import_rows(session, rows, ctx, actor=who, progress=bar.update)
        # Accounts denied before their signals arrived are linked from now, not at the next
        # sweep of a server.
        swept = linking_wiring.sweep(sessions, ctx.rules)
    for line, why in report.errors:
        click.echo(f"line {line}: {why}", err=True)
    click.echo(report.line())
    if swept is not None and (swept.roots or swept.released):
        click.echo(f"sweep: {swept.line()}")
    if report.errors:
        sys.exit(1)


@signals_group.command("expire")
@click.option(
    "--max-age-days",
    type=click.IntRange(1, 36_500),
    default=None,
    help="Forget signals not shown for this many days (default: SCREENING_SIGNAL_MAX_AGE_DAYS).",
)
@clear_errors
def signals_expire(max_age_days: int | None) -> None:
    """Forget every signal an account has not shown for the retention period, and walk again
    the clusters that linked through them (the API's sweeper does it in batches when
    SCREENING_SIGNAL_MAX_AGE_DAYS is set)."""
    config = settings()
    days = max_age_days or config.signal_max_age_days
    if days <= 0:
        raise click.UsageError("give --max-age-days or set SCREENING_SIGNAL_MAX_AGE_DAYS")
    link_rules = linking_wiring.rules(config)
    total = clusters = removed = 0
    with open_sessions(config) as sessions:
        while True:  # batches in their own transactions: a long expiry holds no lock for long
            with sessions.begin() as session:
                report = service.expire(
                    session, link_rules, max_age=timedelta(days=days), actor=actor()
                )
            total, removed = total + report.observations, removed + report.members_removed
            clusters += len(report.clusters)
            if not report.observations:
                break
    click.echo(
        f"{total} observations older than {days} days forgotten; {clusters} cluster walks, "
        f"{removed} accounts left review"
    )


@signals_group.command("rotation")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    required=True,
    help="When the signal key was rotated (UTC): the previous key set from then on.",
)
@clear_errors
def signals_rotation(since: datetime) -> None:
    """How many signal values are still under the key of before a rotation at SINCE. While
    any are, dropping SCREENING_SIGNAL_PREVIOUS_KEYS cuts their future links; they go to 0 as
    accounts show them again, and the retention period forgets the rest."""
    config = settings()
    at = since.replace(tzinfo=UTC)
    with open_sessions(config) as sessions, sessions() as session:
        unseen, total = store.unseen_since(session, at)
    click.echo(
        f"{unseen} of {total} signal values not shown since {at:%Y-%m-%d %H:%M} UTC: "
        + ("the previous key can go" if not unseen else "still under the previous key")
    )


@cli.group("links")
def links_group() -> None:
    """The link graph between accounts."""


@links_group.command("sweep")
@clear_errors
def links_sweep() -> None:
    """Link from every denied account not linked from yet; release clusters whose roots are no
    longer denied (the API does this every SCREENING_LINK_SWEEP_S)."""
    config = settings()
    with open_sessions(config) as sessions:
        report = linking_wiring.sweep(sessions, linking_wiring.rules(config))
    if report is None:
        click.echo("skipped: another process is sweeping", err=True)
        sys.exit(1)
    click.echo(report.line())


@links_group.command("show")
@click.argument("account_id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@clear_errors
def links_show(account_id: str, as_json: bool) -> None:
    """An account's signals, links and cluster."""
    config = settings()
    with open_sessions(config) as sessions, sessions() as session:
        found = views.account_links(session, account_id, linking_wiring.rules(config))
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    for signal in found["signals"]:
        value = f" {signal['value']}" if signal["value"] else ""
        note = "" if signal["links"] else f" (does not link: {signal['why_not'] or 'unshared'})"
        click.echo(f"signal {signal['kind']}{value}: {signal['accounts']} accounts{note}")
    for link in found["links"]:
        click.echo(f"link {link['account_id']}: {link['score']} by {', '.join(link['kinds'])}")
    cluster = found["cluster"]
    if cluster:
        click.echo(f"cluster {cluster['id']} ({cluster['role']}): {cluster.get('reason', '')}")


@cli.group("clusters")
def clusters_group() -> None:
    """Clusters of accounts linked to denied accounts."""


@clusters_group.command("list")
@click.option("--status", type=click.Choice(["open", "denied", "dismissed", "released",
              "merged"]), help="Only clusters in this status.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@clear_errors
def clusters_list(status: str | None, as_json: bool) -> None:
    with open_sessions(settings()) as sessions, sessions() as session:
        rows = views.cluster_list(session, status=status)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['id']:>6} {row['status']:<10} {row['roots']} roots, {row['members']} members"
        )
    if not rows:
        click.echo("no clusters")


@clusters_group.command("show")
@click.argument("cluster_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@clear_errors
def clusters_show(cluster_id: int, as_json: bool) -> None:
    with open_sessions(settings()) as sessions, sessions() as session:
        found = views.cluster_view(session, cluster_id)
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    click.echo(f"cluster {found['id']}: {found['status']}, {found['members_total']} members")
    for root in found["roots"]:
        click.echo(f"root {root['account_id']}: denied: {root['denied_because']}")
    for member in found["members"]:
        click.echo(f"{member['state']:<9} {member['account_id']}: {member['reason']}")


@clusters_group.command("decide")
@click.argument("cluster_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--decision", required=True, type=click.Choice(["deny", "dismiss"]))
@click.option("--note", required=True, help="Why (recorded with the decision).")
@clear_errors
def clusters_decide(cluster_id: int, decision: str, note: str) -> None:
    """Deny or dismiss every member in review; with SCREENING_FOUR_EYES the first call
    proposes and a second user approves."""
    config = settings()
    with open_sessions(config) as sessions, sessions.begin() as session:
        cluster = decisions.decide(
            session, cluster_id, decision, actor=actor(), note=note, four_eyes=config.four_eyes
        )
        status, proposed = cluster.status, cluster.proposed_status
    if proposed:
        click.echo(f"cluster {cluster_id}: {proposed} proposed; a second user must approve")
    else:
        click.echo(f"cluster {cluster_id}: {status}")
