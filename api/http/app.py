"""The FastAPI application factory and its lifespan (engine, live index, refresher, scheduler)."""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from api import linking as linking_wiring
from api import web
from api.http import problems
from api.http.access_reader import AccessReader
from api.http.auth import Credential, KeyRing
from api.http.custom_lists import router as custom_router
from api.http.linking import router as linking_router
from api.http.metrics import Metrics
from api.http.middleware import MAX_BODY_BYTES, ApiKeyGate, BodyLimit, FailureLimiter, RequestId
from api.http.monitoring import router as monitoring_router
from api.http.ops import router as ops_router
from api.http.routes import router
from api.http.screens import router as screens_router
from api.http.webhooks import router as webhooks_router
from api.jobs import RefreshRunner
from api.rescreen import Rescreens
from api.scheduler import background_scheduler
from api.webhooks import WebhookDispatcher
from api.wiring import make_sessions
from lists import SOURCE_IDS
from screening.audit import store as audit_store
from screening.events import EventBus
from screening.keys import service as keys_service
from screening.listings import store
from screening.listings.events import ListActivated
from screening.matching.live import LiveIndex
from screening.policy.config import load_policy
from screening.policy.engine import PolicyEngine
from screening.settings import Settings

log = logging.getLogger(__name__)

API_VERSION = "0.2.0"


def create_app(settings: Settings, *, start_background: bool = True) -> FastAPI:
    """Build the app from explicit settings; `start_background=False` (tests) loads the index
    once and starts no thread: no watcher, no refresh, no scheduler."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sessions = make_sessions(settings)
        events = EventBus()
        live = LiveIndex(sessions, poll_s=settings.index_poll_s)
        events.subscribe(ListActivated, live.on_activated)
        runner = RefreshRunner(settings, sessions, events)
        app.state.settings = settings
        app.state.sessions = sessions
        app.state.events = events
        with sessions.begin() as session:
            # Every answer names this policy version; a replay needs its text.
            audit_store.remember_policy(session, loaded.version, loaded.text)
        metrics.watch_lists(sessions, live)
        app.state.index = live
        app.state.refresher = runner
        sweeper = linking_wiring.install(app.state, settings, sessions, background=start_background)
        scheduler = None
        dispatcher = None
        if start_background:
            live.start()
            if settings.refresh_on_start:
                threading.Thread(
                    target=_refresh_missing, args=(runner,), name="start-up-refresh", daemon=True
                ).start()
            if settings.scheduler_in_process:
                # The start-up refresh fetches what is missing; the scheduler takes over after.
                scheduler = background_scheduler(
                    runner,
                    first_run_in_s=300,
                    rescreens=_rescreens(settings, sessions, live, app.state.engine),
                    delta_poll_s=settings.rescreen_delta_poll_s,
                    full_interval_hours=settings.rescreen_full_interval_hours,
                )
                scheduler.start()
            dispatcher = WebhookDispatcher(settings, sessions)
            dispatcher.start()
        else:
            _load_index(live)
        reader = AccessReader(sessions.kw["bind"])
        await reader.open()
        app.state.access_reader = reader
        try:
            yield
        finally:
            await reader.close()
            if sweeper is not None:
                sweeper.stop()
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            if dispatcher is not None:
                dispatcher.stop()
            live.stop()
            runner.close()
            sessions.kw["bind"].dispose()

    app = FastAPI(
        title="Restricted-party screening",
        version=API_VERSION,
        lifespan=lifespan,
        description=(
            "Screens organisations and people against public sanctions and export-control "
            "lists. Every endpoint except the probes needs an API key, sent as `X-API-Key` or "
            "`Authorization: Bearer`. Errors are RFC 9457 `application/problem+json`."
        ),
        redoc_url=None,
    )
    loaded = load_policy(settings.policy_file)
    app.state.engine = PolicyEngine(loaded)
    metrics = Metrics()
    app.state.metrics = metrics
    problems.install(app)
    app.include_router(router)
    app.include_router(screens_router)
    app.include_router(ops_router)
    app.include_router(custom_router)
    app.include_router(monitoring_router)
    app.include_router(webhooks_router)
    app.include_router(linking_router)
    web.install(app, settings)
    # Added innermost first: RequestId wraps ApiKeyGate wraps BodyLimit wraps the app.
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    keys = _key_ring(settings).with_lookup(lambda presented: _stored_key(app, presented))
    app.add_middleware(ApiKeyGate, keys=keys, limiter=FailureLimiter(), passthrough=web.is_web_path)
    app.add_middleware(RequestId)
    return app


def _rescreens(
    settings: Settings, sessions: sessionmaker[Session], live: LiveIndex, engine: PolicyEngine
) -> Rescreens:
    """The scheduler's rescreens. On PostgreSQL this process only queues the chunks (the
    `screening worker` processes screen them): screening in bulk here would slow the API."""
    rescreens = Rescreens(settings, sessions, index=live, engine=engine)
    rescreens.wait = rescreens.queue is None
    return rescreens


def _key_ring(settings: Settings) -> KeyRing:
    keys = list(settings.api_keys)
    if not keys:
        keys = [SecretStr(f"admin:{_bootstrap_key(settings.bootstrap_key_file)}")]
    if settings.metrics_token is not None:
        # A scraper's token: it may read /metrics and nothing else.
        keys.append(SecretStr(f"metrics:{settings.metrics_token.get_secret_value()}"))
    return KeyRing.from_settings(keys)


def _stored_key(app: FastAPI, presented: str) -> Credential | None:
    """A key from the database (`screening keys create`), looked up by its public prefix."""
    sessions = getattr(app.state, "sessions", None)
    if sessions is None:
        return None
    with sessions() as session:
        stored = keys_service.check_key(session, presented)
    return Credential(stored.role, f"key:{stored.id}") if stored else None


def _bootstrap_key(path: Path) -> str:
    """No key configured: a fresh install must be usable and never open. The key is written once
    to a file only its owner can read and never logged; the log names the file."""
    if path.is_file():
        existing = path.read_text().strip()
        if len(existing) >= 16:
            log.warning("no SCREENING_API_KEYS set; the admin key is in %s", path)
            return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(24)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    os.chmod(path, 0o600)
    log.warning("no SCREENING_API_KEYS set; wrote a one-off admin key to %s (mode 0600)", path)
    return key


def _load_index(live: LiveIndex) -> None:
    try:
        live.refresh_if_changed()
    except Exception:
        log.exception("building the match index failed")


def _refresh_missing(runner: RefreshRunner) -> None:
    with runner.sessions() as session:
        missing = [s for s in SOURCE_IDS if store.active_version(session, s) is None]
    for outcome in runner.refresh_many(missing):
        log.warning("start-up refresh: %s", outcome.line())
