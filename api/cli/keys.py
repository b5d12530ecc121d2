"""`screening keys`: API keys stored in the database."""

from __future__ import annotations

import json

import click

from api.cli import clear_errors, cli, settings
from api.wiring import open_sessions
from screening.keys import service as keys_service
from screening.keys.roles import Role


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
