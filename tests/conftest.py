"""Fixture policy.

- Tests build everything they need from explicit values; nothing reads the process environment
  except `SCREENING_TEST_DATABASE_URL` (which database the store tests run on) and the location of
  the real list snapshots.
- Small fixtures written for this repository, in each list's real format, live in
  `tests/fixtures/`; they always run.
- The real public snapshots live beside the repository in `../shared/data` (never copied in).
  Tests that read them take the `shared_data` fixture and are skipped cleanly where it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_DATA = Path(os.environ.get("SCREENING_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def shared_data() -> Path:
    """The real list snapshots; skips the test where they are not beside the repository."""
    if not (SHARED_DATA / "mirror").is_dir():
        pytest.skip(f"real list snapshots not found at {SHARED_DATA}")
    return SHARED_DATA
