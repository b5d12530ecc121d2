"""`python -m api ...` is the `screening` command (for environments without the script)."""

from api.cli import cli

cli()
