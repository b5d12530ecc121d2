"""`screening users`: the people who sign in to the analyst pages."""

from __future__ import annotations

import json
import sys

import click

from api.cli import clear_errors, cli, settings
from api.wiring import open_sessions
from screening.people import users as users_service
from screening.people.passwords import check_strength


@cli.group("users")
def users_group() -> None:
    """People who sign in to the analyst pages (passwords stored as Argon2id hashes)."""


def _read_password() -> str:
    """From a prompt (typed twice, not echoed) on a terminal; else the first line of stdin, so
    that scripts can pipe it without it appearing in the process list or shell history."""
    if sys.stdin.isatty():
        password: str = click.prompt(
            "Password", hide_input=True, confirmation_prompt=True, err=True
        )
        return password
    line = sys.stdin.readline()
    if not line:
        raise click.ClickException("no password on standard input")
    return line.rstrip("\r\n")


@users_group.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(users_service.ROLES))
@clear_errors
def users_create(name: str, role: str) -> None:
    """Create user NAME; the password is read from standard input (or prompted for)."""
    password = _read_password()
    check_strength(password)  # before opening the database: a clear error, nothing written
    with open_sessions(settings()) as sessions, sessions.begin() as session:
        user = users_service.create_user(session, name, role=role, password=password)
        click.echo(f"created {user.role} {user.username}; they sign in at /ui/signin")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@clear_errors
def users_list(as_json: bool) -> None:
    """Users with their role and state (never a password hash)."""
    with open_sessions(settings()) as sessions, sessions() as session:
        rows = [
            {
                "username": u.username,
                "role": u.role,
                "created_at": u.created_at.isoformat(),
                "disabled": u.disabled_at is not None,
                "locked_until": u.locked_until.isoformat() if u.locked_until else None,
                "last_sign_in_at": u.last_sign_in_at.isoformat() if u.last_sign_in_at else None,
            }
            for u in users_service.list_users(session)
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "disabled" if row["disabled"] else "active"
        if row["locked_until"]:
            state += f", locked until {row['locked_until']}"
        click.echo(f"{row['username']:<24} {row['role']:<8} {state}")


@users_group.command("password")
@click.argument("name")
@clear_errors
def users_password(name: str) -> None:
    """Set NAME's password (read like `create`); their sessions end."""
    password = _read_password()
    with open_sessions(settings()) as sessions, sessions.begin() as session:
        user = users_service.set_password(session, name, password)
        click.echo(f"password of {user.username} changed; their sessions are ended")


@users_group.command("disable")
@click.argument("name")
@clear_errors
def users_disable(name: str) -> None:
    """Disable NAME: they cannot sign in and their sessions end at once."""
    with open_sessions(settings()) as sessions, sessions.begin() as session:
        user = users_service.disable(session, name)
        click.echo(f"disabled {user.username}")


@users_group.command("enable")
@click.argument("name")
@clear_errors
def users_enable(name: str) -> None:
    with open_sessions(settings()) as sessions, sessions.begin() as session:
        user = users_service.enable(session, name)
        click.echo(f"enabled {user.username}")


@users_group.command("unlock")
@click.argument("name")
@clear_errors
def users_unlock(name: str) -> None:
    """Lift the lock that repeated failed sign-ins put on NAME."""
    with open_sessions(settings()) as sessions, sessions.begin() as session:
        user = users_service.unlock(session, name)
        click.echo(f"unlocked {user.username}")
