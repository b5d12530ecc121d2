"""Rescreen runs as the CLI, the scheduler and the API start them: in-process on SQLite, split
into chunks on the task queue on PostgreSQL (the starting process works the queue too, so a
run finishes even with no `screening worker` running)."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from api.queue import Runtime, enqueue, is_postgres, make_queue
from api.wiring import open_sessions
from screening.matching.live import LiveIndex
from screening.monitoring import runs
from screening.monitoring.delta import DELTA
from screening.monitoring.results import Screener
from screening.monitoring.runs import RunSummary
from screening.policy.engine import PolicyEngine
from screening.settings import Settings

OnChunk = Callable[[int, Counter[str]], None]


@dataclass(frozen=True, slots=True)
class Begun:
    run_id: int
    kind: str
    resumed: bool
    chunks: int

    def line(self) -> str:
        how = f"{self.kind} started"
        if self.resumed:
            how = f"continuing an unfinished {self.kind} run"
        return f"run {self.run_id}: {how} ({self.chunks} chunks to do)"


class Rescreens:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        *,
        index: LiveIndex | None = None,
        engine: PolicyEngine | None = None,
        use_queue: bool | None = None,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.runtime = Runtime(settings, sessions, index=index, engine=engine)
        queued = is_postgres(settings.database_url) if use_queue is None else use_queue
        self.queue = make_queue(settings, self.runtime) if queued else None
        # run_pending (the scheduler's entry) waits for the run to finish, working on it here.
        self.wait = True

    def begin(self, *, full: bool, actor: str) -> Begun | None:
        """Continue the unfinished run, else start a full one (`full`) or a delta over what is
        pending; None when nothing is pending."""
        # The index first: a run is started only once there is something to screen against.
        screener = self.runtime.screener()
        with self.sessions.begin() as session:
            run = runs.unfinished(session)
            resumed = run is not None
            if run is None and full:
                run = runs.start(
                    session,
                    actor=actor,
                    chunk_size=self.settings.rescreen_chunk_size,
                    versions=dict(screener.snapshot.version_ids),
                )
            elif run is None:
                run = runs.start_delta(
                    session, actor=actor, chunk_size=self.settings.rescreen_chunk_size
                )
            if run is None:
                return None
            return Begun(run.id, run.kind, resumed, len(runs.pending_chunks(session, run.id)))

    def run(self, run_id: int, *, wait: bool = True, on_chunk: OnChunk | None = None) -> RunSummary:
        """Every pending chunk of the run. With the queue, the chunks are deferred for the
        workers and this process works on them too: a chunk a worker holds is skipped and
        looked at again once that worker's transaction has ended (done, or rolled back by a
        crash and then screened here), never screened twice."""
        if self.queue is not None:
            with self.sessions() as session:
                enqueue(self.queue, run_id, runs.pending_chunks(session, run_id))
            if not wait:
                with self.sessions() as session:
                    return runs.summary(session, run_id)
        elif self._processes(run_id) > 1:
            self._side_by_side(run_id, self._processes(run_id), on_chunk)
        while True:
            with self.sessions() as session:
                numbers = runs.pending_chunks(session, run_id)
            if not numbers:
                break
            progressed = False
            for number in numbers:
                counts = self.runtime.run_chunk(run_id, number)
                if counts is not None:
                    progressed = True
                    if on_chunk is not None:
                        on_chunk(number, counts)
            if not progressed:
                time.sleep(0.5)  # the rest is in other workers' hands right now
        with self.sessions.begin() as session:
            runs.finish_if_done(session, run_id)
            return runs.summary(session, run_id)

    def _processes(self, run_id: int) -> int:
        """How many processes work a run here: several only on an SQLite file, for a run of
        more than one chunk, and only where processes can be forked."""
        wanted = self.settings.rescreen_processes
        url = self.settings.database_url
        if wanted <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            return 1
        if not url.startswith("sqlite") or url in ("sqlite://", "sqlite:///:memory:"):
            return 1
        with self.sessions() as session:
            return max(1, min(wanted, len(runs.pending_chunks(session, run_id))))

    def _side_by_side(self, run_id: int, processes: int, on_chunk: OnChunk | None) -> None:
        """Forked processes each take every n-th chunk with the index already built (shared
        with this process, copy on write); this process takes its own share. A chunk a
        process did not finish (it died) stays pending for the loop that follows."""
        screener = self.runtime.screener()
        plans = self.runtime.plans
        with self.sessions() as session:
            run = runs.get_run(session, run_id)
            if run.kind == DELTA:
                plans.get(session, run)  # built once, here, and inherited
        context = multiprocessing.get_context("fork")
        others = [
            context.Process(
                target=_work_share,
                args=(self.settings, screener, plans, run_id, (part, processes), self.runtime.name),
                daemon=True,
            )
            for part in range(1, processes)
        ]
        for other in others:
            other.start()
        try:
            runs.run_to_end(
                self.sessions,
                screener,
                run_id,
                actor=f"worker:{self.runtime.name}",
                worker=self.runtime.name,
                on_chunk=on_chunk,
                share=(0, processes),
                plans=plans,
            )
        finally:
            for other in others:
                other.join()
        if on_chunk is not None:
            # The other processes' chunks, for a caller that counts them (a progress bar).
            with self.sessions() as session:
                for number, counts in runs.done_by_others(session, run_id, self.runtime.name):
                    on_chunk(number, counts)

    def run_pending(self, *, actor: str, full: bool = False) -> RunSummary | None:
        begun = self.begin(full=full, actor=actor)
        if begun is None:
            return None
        return self.run(begun.run_id, wait=self.wait)


def _work_share(
    settings: Settings,
    screener: Screener,
    plans: runs.PlanCache,
    run_id: int,
    share: tuple[int, int],
    name: str,
) -> None:
    """A forked rescreen process: its own connections (never its parent's), the parent's
    index and policy."""
    with open_sessions(settings) as sessions:
        part = f"{name}-{share[0]}"
        runs.run_to_end(
            sessions,
            screener,
            run_id,
            actor=f"worker:{part}",
            worker=part,
            share=share,
            plans=plans,
        )
