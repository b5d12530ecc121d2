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
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy.orm import Session, sessionmaker

# Timing is measured by the benchmarks, not by hypothesis: a first call that loads the pinyin
# dictionary on a busy CI machine must not fail a property test.
settings.register_profile("screening", deadline=None, print_blob=True)
settings.load_profile("screening")

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


# --- database -------------------------------------------------------------------------------
# SQLite (a fresh file per test, built by the real migrations) unless SCREENING_TEST_DATABASE_URL
# points at a PostgreSQL server: then one database is created for the run, migrated once, and
# every table is emptied before each test.

_PG_ADMIN_URL = os.environ.get("SCREENING_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def _postgres_url() -> Iterator[str | None]:
    if not _PG_ADMIN_URL:
        yield None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from api.wiring import upgrade_database

    admin = make_url(_PG_ADMIN_URL)
    name = f"screening_test_{os.getpid()}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    yield url
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def db_url(_postgres_url: str | None, tmp_path: Path) -> Iterator[str]:
    if _postgres_url is None:
        from api.wiring import upgrade_database

        url = f"sqlite:///{tmp_path / 'test.db'}"
        upgrade_database(url)
        yield url
        return
    from sqlalchemy import create_engine, text

    from screening.schema import Base

    engine = create_engine(_postgres_url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield _postgres_url


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    from screening.db import make_engine, make_sessionmaker

    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    engine.dispose()
