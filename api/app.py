"""The FastAPI application factory and its lifespan (engine, index, scheduler)."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import SecretStr

from api import problems
from api.auth import parse_keys
from api.middleware import MAX_BODY_BYTES, BodyLimit
from api.refresh import Refresher
from api.routes import router
from api.scheduler import background_scheduler
from api.wiring import make_refresher, make_sessions
from lists import SOURCE_IDS
from screening import store
from screening.errors import IndexNotReadyError
from screening.service import IndexHolder
from screening.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings, *, start_background: bool = True) -> FastAPI:
    """Build the app from explicit settings; `start_background=False` skips refresh/scheduler."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sessions = make_sessions(settings)
        holder = IndexHolder(sessions)
        refresher = make_refresher(settings, sessions, on_activate=holder.refresh)
        app.state.sessions = sessions
        app.state.index = holder
        app.state.refresher = refresher
        scheduler = None
        if start_background:
            threading.Thread(
                target=_warm_up, args=(holder, refresher, settings), daemon=True
            ).start()
            if settings.scheduler_in_process:
                # The start-up warm-up does the first refresh; the scheduler takes over after.
                scheduler = background_scheduler(refresher, first_run_in_s=300)
                scheduler.start()
        else:
            _load_index(holder)
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            sessions.kw["bind"].dispose()

    app = FastAPI(
        title="Restricted-party screening",
        version="0.1.0",
        lifespan=lifespan,
        description="Screens organisations and people against public sanctions and export lists.",
    )
    keys = settings.api_keys
    if not keys:
        # No key configured: mint a one-off admin key for this process, so a fresh install is
        # usable and never open. Logged once, never stored.
        generated = secrets.token_urlsafe(24)
        keys = [SecretStr(f"admin:{generated}")]
        log.warning("no SCREENING_API_KEYS set; this process accepts the admin key %s", generated)
    app.state.api_keys = parse_keys(keys)
    problems.install(app)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.include_router(router)
    return app


def _load_index(holder: IndexHolder) -> None:
    try:
        holder.reload()
    except IndexNotReadyError as exc:
        log.warning("match index not built: %s", exc.detail)
    except Exception:
        log.exception("building the match index failed")


def _warm_up(holder: IndexHolder, refresher: Refresher, settings: Settings) -> None:
    _load_index(holder)
    if not settings.refresh_on_start:
        return
    with refresher.sessions() as session:
        missing = [s for s in SOURCE_IDS if store.active_version(session, s) is None]
    for outcome in refresher.refresh_many(missing):
        log.warning("start-up refresh: %s", outcome.line())
