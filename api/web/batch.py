"""Batch screens started from the pages: a CSV in, screened row by row in a background thread,
results downloadable as CSV or JSONL.

Jobs and their rows live in the database (`screening.audit.batches`): any API process shows a
job's progress and results, and a job whose process stopped (its heartbeat stale for a minute)
is taken over and finished by the next process that shows the batch pages. Each row's answer is
the screen's audit record, never stored twice. Bounded: rows per file, jobs running at once.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session, sessionmaker

from api.cli.screen_file import CSV_COLUMNS, _header, csv_row, subject_of
from screening import leases
from screening.audit import batches
from screening.audit.models import BatchJob
from screening.errors import InvalidQueryError, ScreeningError
from screening.policy.subject import Subject

MAX_ROWS: Final = 10_000
MAX_RUNNING: Final = 2
# Rows read per query while screening, and how often abandoned jobs are looked for.
CHUNK: Final = 50
RESUME_EVERY_S: Final = 30.0

# (subject, context, owner, request id) -> the recorded answer as a dict.
Screen = Callable[[Subject, str, str, str | None], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Job:
    """What the pages show of a job."""

    id: str
    owner: str
    filename: str
    total: int
    state: str
    failure: str | None
    created_at: datetime
    finished_at: datetime | None
    done: int
    errors: int
    counts: dict[str, int]

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)


def _view(job: BatchJob, progress: dict[str, int]) -> Job:
    return Job(
        job.id, job.owner, job.filename, job.total, job.state, job.failure, job.created_at,
        job.finished_at, progress["done"], progress["errors"],
        {k: progress[k] for k in ("clear", "review", "deny")},
    )  # fmt: skip


def parse_upload(data: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded CSV (header `id,name` and the optional columns of screen-file);
    a file that cannot be read at all is refused whole, with why."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidQueryError(f"the file is not UTF-8 text: {exc}") from None
    if "\x00" in text:
        raise InvalidQueryError("the file holds NUL characters; it is not a CSV file")
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        reader.fieldnames = _header(reader.fieldnames)
        rows: list[dict[str, str]] = []
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise InvalidQueryError(f"at most {MAX_ROWS} rows per file")
            rows.append({k: (v or "").strip() for k, v in row.items() if k is not None})
    except csv.Error as exc:
        raise InvalidQueryError(f"not a readable CSV file: {exc}") from None
    if not rows:
        raise InvalidQueryError("the file has a header but no rows")
    return rows


class BatchJobs:
    def __init__(self, sessions: Callable[[], sessionmaker[Session]], screen: Screen) -> None:
        # `sessions` is read when first needed: the app's database opens with its lifespan.
        self._sessions = sessions
        self._screen = screen
        self._slots = threading.BoundedSemaphore(MAX_RUNNING)
        self.worker = leases.holder_id()
        self._resumed_at = 0.0

    def start(
        self, owner: str, filename: str, rows: list[dict[str, str]], request_id: str | None
    ) -> str:
        job_id = secrets.token_hex(8)
        with self._sessions().begin() as session:
            batches.create(
                session, job_id=job_id, owner=owner, filename=filename[:200], rows=rows,
                worker=self.worker, request_id=request_id,
            )  # fmt: skip
        self._spawn(job_id)
        return job_id

    def get(self, job_id: str, owner: str, *, admin: bool = False) -> Job | None:
        self._resume_abandoned()
        with self._sessions()() as session:
            job = batches.get(session, job_id)
            # Another analyst's upload is theirs: only they (or an admin) see it.
            if job is None or (job.owner != owner and not admin):
                return None
            return _view(job, batches.progress(session, job_id))

    def of(self, owner: str) -> list[Job]:
        self._resume_abandoned()
        with self._sessions()() as session:
            return [
                _view(j, batches.progress(session, j.id)) for j in batches.of_owner(session, owner)
            ]

    def results(self, job_id: str) -> list[dict[str, Any]]:
        with self._sessions()() as session:
            rows = batches.results(session, job_id)
        return [
            {"id": given.get("id", ""), **answer}
            if answer is not None
            else {"id": given.get("id", ""), "decision": None, "error": error, "matches": []}
            for given, answer, error in rows
        ]

    def csv_text(self, job_id: str) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for result in self.results(job_id):
            writer.writerow(csv_row(result))
        return buffer.getvalue()

    def jsonl_text(self, job_id: str) -> str:
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.results(job_id))

    def _resume_abandoned(self) -> None:
        if time.monotonic() - self._resumed_at < RESUME_EVERY_S:
            return
        self._resumed_at = time.monotonic()
        with self._sessions()() as session:
            stale = batches.abandoned(session)
        for job_id in stale:
            self._spawn(job_id)

    def _spawn(self, job_id: str) -> None:
        threading.Thread(target=self._run, args=(job_id,), daemon=True, name="web-batch").start()

    def _run(self, job_id: str) -> None:
        sessions = self._sessions()
        with self._slots:
            with sessions.begin() as session:
                if not batches.claim(session, job_id, self.worker):
                    return  # finished, or another process has it
                job = batches.get(session, job_id)
                assert job is not None
                owner, request_id = job.owner, job.request_id
            try:
                while True:
                    with sessions() as session:
                        todo = batches.pending(session, job_id, limit=CHUNK)
                    if not todo:
                        break
                    for line, given in todo:
                        result = _one(self._screen, given, owner, request_id)
                        with sessions.begin() as session:
                            ours = batches.record_row(
                                session, job_id, line, self.worker,
                                screening_id=result.get("screening_id"),
                                decision=result.get("decision"), error=result.get("error"),
                            )  # fmt: skip
                        if not ours:
                            return  # taken over after a long pause: the new holder goes on
                with sessions.begin() as session:
                    batches.finish(session, job_id, self.worker)
            except Exception as exc:  # a lost index or database: the job says so
                with sessions.begin() as session:
                    batches.finish(
                        session, job_id, self.worker, failure=f"{type(exc).__name__}: {exc}"[:500]
                    )


def _one(screen: Screen, row: dict[str, Any], owner: str, request_id: str | None) -> dict[str, Any]:
    try:
        subject, context = subject_of({**row, "context": row.get("context") or "vetting"})
        return {"id": row.get("id", ""), **screen(subject, context, owner, request_id)}
    except ScreeningError as exc:
        return {"id": row.get("id", ""), "decision": None, "error": exc.detail, "matches": []}
