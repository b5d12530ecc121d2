"""`screening users`: a password read from standard input, clear errors, exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from screening.people import passwords
from screening.people.models import User
from screening.settings import get_settings


@pytest.fixture
def run_with_input(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SCREENING_DATABASE_URL", db_url)
    monkeypatch.setenv("SCREENING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, stdin: str = ""):
        get_settings.cache_clear()
        return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)

    yield invoke
    get_settings.cache_clear()


def test_create_reads_the_password_from_stdin(run_with_input, sessions) -> None:
    made = run_with_input(
        "users", "create", "alice", "--role", "analyst", stdin="a long password!\n"
    )
    assert made.exit_code == 0, made.output
    assert "a long password!" not in made.output
    with sessions() as session:
        (user,) = session.query(User).all()
    assert (user.username, user.role) == ("alice", "analyst")
    assert passwords.verify(user.password_hash, "a long password!")
    (row,) = json.loads(run_with_input("users", "list", "--json").output)
    assert row["username"] == "alice"
    assert "password" not in json.dumps(row)


def test_clear_errors_and_non_zero_exits(run_with_input) -> None:
    short = run_with_input("users", "create", "bob", "--role", "analyst", stdin="short\n")
    assert short.exit_code == 2
    assert "error: a password needs at least 12 characters" in short.output
    empty = run_with_input("users", "create", "bob", "--role", "analyst", stdin="")
    assert empty.exit_code == 1
    assert "no password on standard input" in empty.output
    signup = run_with_input("users", "create", "bob", "--role", "signup", stdin="x" * 20)
    assert signup.exit_code == 2  # click refuses the choice: people are analysts or admins
    run_with_input("users", "create", "bob", "--role", "admin", stdin="a long password!\n")
    again = run_with_input("users", "create", "bob", "--role", "admin", stdin="a long password!\n")
    assert again.exit_code == 2
    assert "exists already" in again.output
    assert run_with_input("users", "unlock", "nobody").exit_code == 2


def test_disable_unlock_and_enable(run_with_input) -> None:
    run_with_input("users", "create", "carol", "--role", "analyst", stdin="a long password!\n")
    assert run_with_input("users", "disable", "carol").exit_code == 0
    assert json.loads(run_with_input("users", "list", "--json").output)[0]["disabled"]
    assert run_with_input("users", "enable", "carol").exit_code == 0
    assert run_with_input("users", "unlock", "carol").exit_code == 0
    changed = run_with_input("users", "password", "carol", stdin="another long one\n")
    assert changed.exit_code == 0
