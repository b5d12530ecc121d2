"""Builds the service's parts from Settings: the one place that knows how they fit together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.orm import Session, sessionmaker

from lists import get_source
from lists.fetch import HttpFetcher
from screening.db import make_engine, make_sessionmaker
from screening.events import EventBus
from screening.listings.rawstore import RawStore
from screening.listings.refresh import Refresher
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


def make_fetcher(settings: Settings) -> HttpFetcher:
    return HttpFetcher(
        timeout_s=settings.http_timeout_s,
        retries=settings.http_retries,
        max_bytes=settings.max_download_mb << 20,
        user_agent=settings.user_agent,
        deadline_s=settings.http_deadline_s,
        max_retry_after_s=settings.http_max_retry_after_s,
    )


def make_refresher(
    settings: Settings, sessions: sessionmaker[Session], *, events: EventBus | None = None
) -> Refresher:
    return Refresher(
        sessions,
        get_source,
        make_fetcher(settings),
        RawStore(settings.data_dir),
        events=events,
        mirror=settings.list_mirror,
        max_drop_share=settings.max_drop_share,
        lease_ttl=timedelta(seconds=settings.lease_seconds),
    )
