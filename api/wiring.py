"""Builds the service's parts from Settings: the one place that knows how they fit together."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.orm import Session, sessionmaker

from api.refresh import Refresher
from lists.fetch import Fetcher
from screening.db import make_engine, make_sessionmaker
from screening.rawstore import RawStore
from screening.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def make_sessions(settings: Settings) -> sessionmaker[Session]:
    """A session factory whose engine lives as long as the process (the API's lifespan)."""
    return make_sessionmaker(make_engine(settings.database_url))


@contextmanager
def open_sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """A session factory for one command or job; its connections are closed on exit."""
    engine = make_engine(settings.database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


def upgrade_database(url: str) -> None:
    """Run every Alembic migration up to head on `url`."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def make_fetcher(settings: Settings) -> Fetcher:
    return Fetcher(
        timeout_s=settings.http_timeout_s,
        retries=settings.http_retries,
        max_bytes=settings.max_download_mb << 20,
        user_agent=settings.user_agent,
    )


def make_refresher(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    on_activate: Callable[[], None] | None = None,
) -> Refresher:
    return Refresher(
        sessions,
        make_fetcher(settings),
        RawStore(settings.data_dir),
        mirror=settings.list_mirror,
        max_drop_share=settings.max_drop_share,
        lease_ttl=timedelta(minutes=settings.lease_minutes),
        on_activate=on_activate,
    )
