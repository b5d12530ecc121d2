"""The rescreen task queue: procrastinate on PostgreSQL.

Why procrastinate: it keeps its jobs in the PostgreSQL we already run (no broker to deploy or
back up), workers fetch jobs with `FOR UPDATE SKIP LOCKED`, and a job is deferred in one
statement. Its tables live in their own schema, `procrastinate` (created by the migration), and
its connections put that schema on their search path.

A job names one chunk (run id, chunk number). The queue hands each job to one worker; the
chunk's own claim (a conditional update committed with its results) is what guarantees no chunk
is screened twice, even when a job is retried or a chunk is also run in-process.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections import Counter
from collections.abc import Iterable

import procrastinate
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from api.webhooks import WebhookDispatcher
from screening.matching.live import LiveIndex
from screening.monitoring import runs
from screening.monitoring.results import Screener
from screening.policy.config import load_policy
from screening.policy.engine import PolicyEngine
from screening.settings import Settings

log = logging.getLogger(__name__)

QUEUE = "rescreen"
SCHEMA = "procrastinate"
TASK = "rescreen_chunk"


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def conninfo(url: str) -> str:
    """The libpq form of a SQLAlchemy URL (procrastinate speaks psycopg directly)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Runtime:
    """What a process needs to screen chunks: its sessions, a live index kept current with the
    active versions, the policy, and the plans of delta runs."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        *,
        index: LiveIndex | None = None,
        engine: PolicyEngine | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.index = index or LiveIndex(sessions)
        self.engine = engine or PolicyEngine(load_policy(settings.policy_file))
        self.plans = runs.PlanCache()
        self.name = worker_name()
        self._lock = threading.Lock()

    def screener(self) -> Screener:
        # A version activated elsewhere since the last chunk is loaded before this one.
        with self._lock:
            self.index.refresh_if_changed()
        return Screener(self.index.snapshot(), self.engine)

    def run_chunk(self, run_id: int, number: int) -> Counter[str] | None:
        """One chunk in its own transaction; None when it was done already."""
        screener = self.screener()
        with self.sessions.begin() as session:
            counts = runs.run_chunk(
                session,
                screener,
                run_id,
                number,
                actor=f"worker:{self.name}",
                worker=self.name,
                plans=self.plans,
            )
        with self.sessions.begin() as session:
            runs.finish_if_done(session, run_id)
        if counts is None:
            log.info("rescreen run %s chunk %s: done already", run_id, number)
        else:
            log.info("rescreen run %s chunk %s: %s", run_id, number, dict(counts))
        return counts


def make_queue(settings: Settings, runtime: Runtime) -> procrastinate.App:
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(settings.database_url),
        kwargs={"options": f"-c search_path={SCHEMA}"},
    )
    app = procrastinate.App(connector=connector)

    @app.task(
        name=TASK,
        queue=QUEUE,
        retry=procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2),
        pass_context=False,
    )
    def rescreen_chunk(run_id: int, number: int) -> None:
        runtime.run_chunk(run_id, number)

    return app


def enqueue(app: procrastinate.App, run_id: int, numbers: Iterable[int]) -> int:
    """One job per chunk; the queueing lock refuses a second job for a chunk still queued."""
    task = app.tasks[TASK]
    count = 0
    with app.open():
        for number in numbers:
            try:
                task.configure(queueing_lock=f"{run_id}:{number}").defer(
                    run_id=run_id, number=number
                )
            except procrastinate.exceptions.AlreadyEnqueued:
                continue
            count += 1
    return count


def work(
    app: procrastinate.App,
    *,
    wait: bool,
    concurrency: int = 1,
    dispatcher: WebhookDispatcher | None = None,
) -> None:
    """Run a worker on the rescreen queue: until stopped (`wait`), or until it is empty."""
    if dispatcher is not None:
        dispatcher.start()
    try:
        app.run_worker(
            queues=[QUEUE],
            wait=wait,
            concurrency=concurrency,
            name=worker_name(),
            install_signal_handlers=wait,
            fetch_job_polling_interval=2.0,
        )
    finally:
        if dispatcher is not None:
            dispatcher.stop()
