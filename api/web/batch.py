"""Batch screens started from the pages: a CSV in, screened row by row in a background thread,
results downloadable as CSV or JSONL.

Jobs live in the memory of the process that runs them (a restart loses unfinished jobs and their
results; every screen is in the audit trail regardless). They are bounded: rows per file, jobs
kept, and jobs running at once.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from api.cli.screen_file import CSV_COLUMNS, _header, csv_row, subject_of
from screening.errors import InvalidQueryError, ScreeningError
from screening.policy.subject import Subject

MAX_ROWS: Final = 10_000
MAX_JOBS: Final = 50
MAX_RUNNING: Final = 2

# (subject, context) -> the recorded answer as a dict.
Screen = Callable[[Subject, str], dict[str, Any]]


@dataclass(slots=True)
class Job:
    id: str
    owner: str
    filename: str
    total: int
    rows: list[dict[str, str]]
    done: int = 0
    errors: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"clear": 0, "review": 0, "deny": 0})
    results: list[dict[str, Any]] = field(default_factory=list)
    state: str = "queued"  # queued | running | finished | failed
    failure: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)

    def csv_text(self) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for result in self.results:
            writer.writerow(csv_row(result))
        return buffer.getvalue()

    def jsonl_text(self) -> str:
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.results)


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
    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_RUNNING)

    def start(self, owner: str, filename: str, rows: list[dict[str, str]], screen: Screen) -> Job:
        job = Job(secrets.token_hex(8), owner, filename[:200], len(rows), rows)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].state in ("queued", "running"):
                    break
                self._jobs.popitem(last=False)
        threading.Thread(
            target=self._run, args=(job, screen), daemon=True, name="web-batch"
        ).start()
        return job

    def get(self, job_id: str, owner: str, *, admin: bool = False) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
        # Another analyst's upload is theirs: only they (or an admin) see it.
        if job is None or (job.owner != owner and not admin):
            return None
        return job

    def of(self, owner: str) -> list[Job]:
        with self._lock:
            return [j for j in reversed(self._jobs.values()) if j.owner == owner]

    def _run(self, job: Job, screen: Screen) -> None:
        with self._slots:
            job.state = "running"
            try:
                for row in job.rows:
                    job.results.append(_one(screen, row))
                    result = job.results[-1]
                    if result.get("error"):
                        job.errors += 1
                    elif result.get("decision") in job.counts:
                        job.counts[result["decision"]] += 1
                    job.done += 1
                job.state = "finished"
            except Exception as exc:  # a lost index or database: the job says so
                job.state, job.failure = "failed", f"{type(exc).__name__}: {exc}"[:500]
            finally:
                job.rows = []
                job.finished = time.time()


def _one(screen: Screen, row: dict[str, str]) -> dict[str, Any]:
    try:
        subject, context = subject_of({**row, "context": row.get("context") or "vetting"})
        return {"id": row.get("id", ""), **screen(subject, context)}
    except ScreeningError as exc:
        return {"id": row.get("id", ""), "decision": None, "error": exc.detail, "matches": []}
