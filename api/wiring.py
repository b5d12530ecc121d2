"""Builds the service's parts from Settings: the one place that knows how they fit together."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.orm import Session, sessionmaker

from lists import SOURCE_IDS, custom_csv, get_source
from lists.fetch import HttpFetcher
from screening.db import make_engine, make_sessionmaker
from screening.errors import UnknownSourceError
from screening.events import EventBus
from screening.listings import store
from screening.listings.rawstore import RawStore
from screening.listings.refresh import Refresher, RefreshOutcome
from screening.listings.source import ListSource
from screening.settings import Settings

ROOT = Path(__file__).resolve().parents[1]

Resolver = Callable[[str], ListSource]

log = logging.getLogger(__name__)


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


def custom_file(settings: Settings, source: str) -> Path:
    """Where the last load of a custom list is kept (its bytes also go to the raw store)."""
    return settings.data_dir / "custom" / source / custom_csv.FILE_NAME


def source_resolver(settings: Settings, sessions: sessionmaker[Session]) -> Resolver:
    """Sources by id: the public ones in `lists`, and the custom lists in the database."""

    def resolve(source: str) -> ListSource:
        if source in SOURCE_IDS or not source.startswith("custom_"):
            return get_source(source)
        with sessions() as session:
            row = store.get_custom_list(session, source)
        if row is None:
            raise UnknownSourceError(f"no custom list {source!r}", source=source)
        url = custom_file(settings, source).resolve().as_uri()
        return custom_csv.custom_source(source, row.title, url)

    return resolve


def make_refresher(
    settings: Settings, sessions: sessionmaker[Session], *, events: EventBus | None = None
) -> Refresher:
    return Refresher(
        sessions,
        source_resolver(settings, sessions),
        make_fetcher(settings),
        RawStore(settings.data_dir),
        events=events,
        mirror=settings.list_mirror,
        max_drop_share=settings.max_drop_share,
        lease_ttl=timedelta(seconds=settings.lease_seconds),
    )


def load_custom_list(
    settings: Settings,
    sessions: sessionmaker[Session],
    source: str,
    data: bytes,
    *,
    events: EventBus | None = None,
) -> RefreshOutcome:
    """Load a custom list's CSV as its next version (checked, diffed, activated like any list).

    The file replaces the previous load atomically, and a refused file puts the previous one
    back, so the file on disk is always the active version's.
    """
    refresher = make_refresher(settings, sessions, events=events)
    refresher.resolve(source)  # an unknown list is an error before anything is written
    target = custom_file(settings, source)
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = target.read_bytes() if target.exists() else None
    staged = target.with_suffix(".partial")
    staged.write_bytes(data)
    staged.replace(target)
    # A deliberate upload may shrink the list; the other checks (format, bounds) still hold.
    outcome = refresher.refresh(source, allow_drop=True)
    if not outcome.ok:
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            staged.write_bytes(previous)
            staged.replace(target)
    return outcome


def background_priority(settings: Settings) -> None:
    """Lower this process's CPU priority to `background_nice` (a process that only refreshes
    or rescreens); never raises it again, and a platform without nice just carries on."""
    try:
        current = os.nice(0)
        if current < settings.background_nice:
            os.nice(settings.background_nice - current)
    except (AttributeError, OSError):
        log.warning("could not lower the CPU priority of this background process")
