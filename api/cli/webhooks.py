"""`screening webhooks`: register, list, remove, see deliveries, deliver what is due now."""

from __future__ import annotations

import json
import sys

import click

from api.cli import clear_errors, cli, settings
from api.cli.monitoring import actor
from api.webhooks import WebhookDispatcher
from api.wiring import open_sessions
from screening.monitoring import webhooks


@cli.group("webhooks")
def webhooks_group() -> None:
    """Webhooks for new alerts and access changes (signed with HMAC-SHA256)."""


@webhooks_group.command("add")
@click.argument("url")
@click.option("--event", "events", multiple=True, type=click.Choice(webhooks.KINDS),
              help="Only these events (repeatable; default: all).")  # fmt: skip
@click.option("--secret-stdin", is_flag=True,
              help="Read the secret from standard input instead of generating one.")  # fmt: skip
@clear_errors
def webhooks_add(url: str, events: tuple[str, ...], secret_stdin: bool) -> None:
    """Register URL. The secret never goes on the command line (shell history, process
    list): it is generated and printed once, alone on the last line, or read from stdin."""
    secret = sys.stdin.readline().strip() if secret_stdin else webhooks.new_secret()
    with open_sessions(settings()) as sessions, sessions.begin() as session:
        hook = webhooks.register(session, url, secret, events=events, actor=actor())
        hook_id, hook_url = hook.id, hook.url
    click.echo(f"webhook {hook_id}: {hook_url}")
    if not secret_stdin:
        click.echo("secret (shown once; the receiver verifies signatures with it):")
        click.echo(secret)


@webhooks_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@clear_errors
def webhooks_list(as_json: bool) -> None:
    """Registered webhooks (never their secrets)."""
    with open_sessions(settings()) as sessions, sessions() as session:
        rows = [webhooks.webhook_dict(h) for h in webhooks.webhooks(session)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "active" if row["active"] else "removed"
        click.echo(f"{row['id']:>4} {state:<8} {row['url']} ({', '.join(row['events'])})")
    if not rows:
        click.echo("no webhooks")


@webhooks_group.command("remove")
@click.argument("webhook_id", type=int)
@clear_errors
def webhooks_remove(webhook_id: int) -> None:
    """Stop sending to a webhook; its deliveries stay on record."""
    with open_sessions(settings()) as sessions, sessions.begin() as session:
        webhooks.deactivate(session, webhook_id)
    click.echo(f"webhook {webhook_id} removed")


@webhooks_group.command("deliveries")
@click.argument("webhook_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@clear_errors
def webhooks_deliveries(webhook_id: int, as_json: bool) -> None:
    """The latest deliveries of a webhook, newest first."""
    with open_sessions(settings()) as sessions, sessions() as session:
        rows = webhooks.deliveries(session, webhook_id)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        code = row["last_status_code"] or row["last_error"] or ""
        click.echo(
            f"{row['id']:>6} {row['kind']:<15} {row['status']:<10} "
            f"attempts {row['attempts']} {code}"
        )
    if not rows:
        click.echo("no deliveries")


@webhooks_group.command("deliver")
@clear_errors
def webhooks_deliver() -> None:
    """Deliver what is due now, once (servers, workers and the scheduler do it continuously)."""
    config = settings()
    with open_sessions(config) as sessions:
        counts = WebhookDispatcher(config, sessions).deliver_once()
    click.echo(", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing due")
