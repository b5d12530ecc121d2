"""Latency of `POST /v1/screen` while a refresh activates a NEW list version and the service swaps
its match index: the API runs as its own process (`screening serve`) with the 2021 lists loaded,
clients send screens at a fixed open-loop rate, and after a warm-up the lists are refreshed to
../shared/data/mirror.

    python -m bench.refresh_latency [--database-url URL] [--rate 100] [--seconds 40]
                                    [--mode process|child] [--clients 8]

--mode process (default): `screening lists refresh` in its own process, as the scheduler or an
operator does in a multi-process deployment; the API notices within SCREENING_INDEX_POLL_S.
--mode child: POST /v1/lists/{source}/refresh, which the API runs in a spawned child process.
--database-url: a PostgreSQL server URL; a fresh database is created on it and dropped after.
Default: a fresh SQLite file.

Target (issue): p99 <= 25 ms at 100 req/s during the refresh and rebuild, and no errors.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from pydantic import SecretStr
from sqlalchemy import create_engine, make_url, text

from api.wiring import make_refresher, open_sessions, upgrade_database
from bench.api_latency import KEY as SIGNUP_KEY
from bench.api_latency import _free_port
from bench.build_eval_set import SEED, negatives
from bench.mirror import MIRROR, SHARED, SOURCES, load_mirror
from screening.settings import Settings

OLD_MIRROR = SHARED / "mirror-2021"
CURATED = ("curated_ai_labs", "us_dod_1260h")
ADMIN_KEY = "bench-admin-key-0123456789abcdef"
TARGET_P99_MS = 25.0
WARMUP_S = 5.0
# Connections and caches are cold for the first requests; that is not what the target is about.
COLD_S = 1.0
# The watcher publishes the loaded versions before it has collected the old index's garbage, so
# the window stays open a little after the new versions are seen to be served.
GRACE_S = 2.0
MIN_AFTER_S = 5.0
# A refresh that has not been served by then is a finding in itself; stop waiting.
SERVE_DEADLINE_S = 180.0
POLL_S = 0.25
INDEX_POLL_S = 2
NAMES = 600


def _names(count: int = NAMES) -> list[str]:
    """Half listed names (primary names of the new mirror), half real-looking unlisted ones."""
    rng = random.Random(SEED)
    entries, _ = load_mirror(MIRROR)
    listed = sorted({entry.name for entry in entries})
    unlisted = sorted({str(item["query"]) for item in negatives(rng, entries)})
    names = rng.sample(listed, count // 2) + rng.sample(unlisted, count - count // 2)
    rng.shuffle(names)
    return names


@contextmanager
def _database(server_url: str, tmp: Path) -> Iterator[str]:
    """A fresh database URL: a SQLite file, or a new database on the given PostgreSQL server."""
    if not server_url:
        yield f"sqlite:///{tmp}/bench.db"
        return
    name = f"bench_refresh_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            # FORCE: a server process that did not exit cleanly may still hold connections.
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _service_env(url: str, data_dir: Path) -> dict[str, str]:
    # Inherited SCREENING_* variables would make the run depend on the caller's shell.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    env.update(
        SCREENING_DATABASE_URL=url,
        SCREENING_DATA_DIR=str(data_dir),
        SCREENING_API_KEYS=f"admin:{ADMIN_KEY},signup:{SIGNUP_KEY}",
        SCREENING_LIST_MIRROR=MIRROR.as_uri(),
        SCREENING_SCHEDULER_IN_PROCESS="false",
        SCREENING_REFRESH_ON_START="false",
        SCREENING_INDEX_POLL_S=str(INDEX_POLL_S),
        SCREENING_MAX_DROP_SHARE="1.0",
    )
    return env


def _screening_command() -> str:
    # The console script of the interpreter running this, so the venv need not be activated.
    command = Path(sys.executable).with_name("screening")
    if not command.exists():
        raise SystemExit(f"no `screening` command beside {sys.executable}; pip install -e .")
    return str(command)


def _source_versions(body: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """(active, loaded) version per source from a /v1/readyz body."""
    try:
        return {
            s: (body["sources"][s]["active_version"], body["sources"][s]["loaded_version"])
            for s in SOURCES
        }
    except (KeyError, TypeError) as exc:
        raise SystemExit(f"/v1/readyz body lacks {exc}: {body}") from None


def _wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    last = "no answer"
    with requests.Session() as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"the server exited ({server.returncode}):\n{_tail(log)}")
            try:
                response = client.get(f"{base}/v1/readyz", timeout=2)
                body: dict[str, Any] = response.json()
                if response.status_code == 200 and body.get("ready"):
                    return body
                last = f"{response.status_code} {body}"
            except (requests.RequestException, ValueError) as exc:
                last = type(exc).__name__
            time.sleep(0.2)
    raise SystemExit(f"the server was not ready within 120 s (last: {last}):\n{_tail(log)}")


def _tail(path: Path, lines: int = 30) -> str:
    # Access-log lines would bury the one traceback that explains a failure.
    kept = [x for x in path.read_text(errors="replace").splitlines() if 'HTTP/1.1" ' not in x]
    return "\n".join(kept[-lines:])


@dataclass(frozen=True, slots=True)
class Sample:
    scheduled: float  # perf_counter time the request was due
    latency_ms: float  # from `scheduled`, so time spent waiting for a free client counts
    ok: bool


@dataclass
class Load:
    """Open-loop load: request n is due at start + n / rate whatever earlier answers took; a few
    keep-alive clients take the next due slot as soon as they are free, so a stall shows up as
    latency of the requests queued behind it rather than as a lower offered rate."""

    base: str
    names: list[str]
    rate: float
    clients: int
    start: float = 0.0
    stop_at: float = math.inf  # the main thread moves it once it knows when the swap happened
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _slots: Iterator[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def begin(self) -> None:
        self.start = time.perf_counter() + 0.1
        for number in range(self.clients):
            thread = threading.Thread(target=self._client, name=f"load-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def join(self) -> None:
        for thread in self._threads:
            thread.join()

    def _client(self) -> None:
        url = f"{self.base}/v1/screen"
        with requests.Session() as client:
            client.headers["X-API-Key"] = SIGNUP_KEY
            while True:
                with self._lock:
                    slot = next(self._slots)
                scheduled = self.start + slot / self.rate
                if scheduled >= self.stop_at:
                    return
                delay = scheduled - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                ok = False
                try:
                    response = client.post(
                        url, json={"name": self.names[slot % len(self.names)]}, timeout=10
                    )
                    ok = response.status_code == 200
                    if not ok:
                        self.errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
                except requests.RequestException as exc:
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                latency = (time.perf_counter() - scheduled) * 1000
                self.samples.append(Sample(scheduled, latency, ok))


class Refresh:
    """The refresh to the new mirror, run in a thread so the main thread keeps watching."""

    def __init__(self, mode: str, base: str, env: dict[str, str], cwd: Path) -> None:
        self.mode, self.base, self.env, self.cwd = mode, base, env, cwd
        self.report: list[str] = []
        self.started = 0.0
        self.finished: float | None = None
        self._thread = threading.Thread(target=self._run, name="refresh", daemon=True)
        self._process: subprocess.Popen[str] | None = None

    def begin(self) -> None:
        self.started = time.perf_counter()
        self._thread.start()

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)

    def _run(self) -> None:
        try:
            if self.mode == "process":
                self._run_process()
            else:
                self._run_endpoint()
        except Exception as exc:  # reported with the figures, not lost in a thread
            self.report.append(f"refresh failed: {type(exc).__name__}: {exc}")
        finally:
            self.finished = time.perf_counter()

    def _run_process(self) -> None:
        self._process = subprocess.Popen(  # noqa: S603  (our own console script, fixed args)
            [_screening_command(), "lists", "refresh", *SOURCES],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output, _ = self._process.communicate()
        self.report.extend(output.splitlines())
        self.report.append(f"`screening lists refresh` exit status {self._process.returncode}")

    def _run_endpoint(self) -> None:
        with requests.Session() as client:
            client.headers["X-API-Key"] = ADMIN_KEY
            for source in SOURCES:
                response = client.post(f"{self.base}/v1/lists/{source}/refresh", timeout=600)
                if response.status_code != 200:
                    self.report.append(f"{source}: HTTP {response.status_code} {response.text}")
                    continue
                body = response.json()
                self.report.append(
                    f"{source}: {body['status']} version {body['version']} "
                    f"({body['records']} records) {body['detail'] or ''}".rstrip()
                )


@dataclass
class Swap:
    """When the new versions became active in the database and when the API served them."""

    active_at: float | None = None
    served_at: float | None = None
    ended_at: float = 0.0
    polls: int = 0
    last_body: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _watch(base: str, before: dict[str, tuple[Any, Any]], refresh: Refresh) -> Swap:
    swap = Swap()
    deadline = refresh.started + SERVE_DEADLINE_S
    seen_active = {s: active for s, (active, _) in before.items()}
    initial_active = dict(seen_active)
    served_since: float | None = None
    with requests.Session() as client:
        while time.perf_counter() < deadline:
            now = time.perf_counter()
            try:
                response = client.get(f"{base}/v1/readyz", timeout=5)
                swap.last_body = response.json()
                versions = _source_versions(swap.last_body)
            except (requests.RequestException, ValueError) as exc:
                swap.problems.append(f"/v1/readyz: {type(exc).__name__}: {exc}")
                time.sleep(POLL_S)
                continue
            swap.polls += 1
            if response.status_code != 200:
                swap.problems.append(f"/v1/readyz answered {response.status_code} during the swap")
            active = {s: a for s, (a, _) in versions.items()}
            if active != seen_active:
                # Sources may activate one after another: the last change is the one that counts.
                seen_active, swap.active_at = active, now
            swapped = active != initial_active and all(a == b for a, b in versions.values())
            served_since = (served_since or now) if swapped else None
            if refresh.done:
                swap.served_at = served_since
                if swapped or active == initial_active:
                    break
            time.sleep(POLL_S)
    swap.ended_at = time.perf_counter()
    if swap.served_at is None:
        if seen_active == initial_active:
            swap.problems.append("the refresh activated no new version")
        else:
            swap.problems.append(f"new versions not served within {SERVE_DEADLINE_S:.0f} s")
    return swap


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def _row(label: str, samples: list[Sample]) -> str:
    if not samples:
        return f"{label:<34} {0:>8}"
    ms = sorted(s.latency_ms for s in samples)
    errors = sum(not s.ok for s in samples)
    return (
        f"{label:<34} {len(ms):>8} {errors:>6} {statistics.median(ms):>7.2f} "
        f"{_pct(ms, 0.90):>7.2f} {_pct(ms, 0.99):>7.2f} {ms[-1]:>8.1f}"
    )


def _timeline(samples: list[Sample], origin: float) -> None:
    print("\nper second, by due time relative to the refresh start:")
    by_second: dict[int, list[float]] = {}
    for sample in samples:
        by_second.setdefault(math.floor(sample.scheduled - origin), []).append(sample.latency_ms)
    for second, values in sorted(by_second.items()):
        values.sort()
        print(
            f"  {second:>+4d} s  {len(values):>4}  p50 {statistics.median(values):7.2f}  "
            f"p99 {_pct(values, 0.99):7.2f}  max {values[-1]:7.1f}"
        )


def _report(
    load: Load, refresh: Refresh, swap: Swap, log: Path, label: str, *, timeline: bool
) -> None:
    samples = sorted(load.samples, key=lambda s: s.scheduled)
    # Never served: every request after the refresh started was answered from the old index.
    window_end = (swap.served_at or swap.ended_at) + GRACE_S
    phases = {
        f"cold start (first {COLD_S:.0f} s)": [
            s for s in samples if s.scheduled < load.start + COLD_S
        ],
        "before refresh": [
            s for s in samples if load.start + COLD_S <= s.scheduled < refresh.started
        ],
        "during refresh + rebuild": [
            s for s in samples if refresh.started <= s.scheduled < window_end
        ],
        "after": [s for s in samples if s.scheduled >= window_end],
    }
    print(f"\n{label}")
    print("refresh:")
    for line in refresh.report:
        print(f"  {line}")
    rebuilds = [line for line in log.read_text(errors="replace").splitlines() if "rebuilt" in line]
    for line in rebuilds:
        print(f"  server: {line}")
    print(
        f"\n{'phase':<34} {'requests':>8} {'errors':>6} {'p50':>7} {'p90':>7} {'p99':>7} "
        f"{'max':>8}  (ms)"
    )
    for name, part in phases.items():
        print(_row(name, part))
        if name == "during refresh + rebuild" and swap.active_at is not None:
            # Which half hurts: the refresh's work elsewhere, or this process's rebuild.
            print(
                _row(
                    "  refresh, until new version active",
                    [s for s in part if s.scheduled < swap.active_at],
                )
            )
            print(
                _row(
                    "  active, until served + grace",
                    [s for s in part if s.scheduled >= swap.active_at],
                )
            )
    print(_row("all", samples))
    if timeline:
        _timeline(samples, refresh.started)

    def since_start(at: float | None) -> str:
        return f"{at - refresh.started:.2f} s" if at is not None else "never"

    print(f"\nrefresh start -> new versions active in the database: {since_start(swap.active_at)}")
    print(f"refresh start -> new versions served by the API:      {since_start(swap.served_at)}")
    print(f"refresh start -> refresh finished:                    {since_start(refresh.finished)}")
    print(
        f"window: refresh start to {GRACE_S:.0f} s after the new versions were "
        f"{'served' if swap.served_at is not None else 'given up on'} "
        f"({window_end - refresh.started:.2f} s); readyz polled {swap.polls} times"
    )
    if samples:
        span = max(s.scheduled for s in samples) - samples[0].scheduled
        rate = (len(samples) - 1) / span if span > 0 else 0.0
        print(f"offered {load.rate:.0f} req/s, achieved {rate:.1f} req/s over {span:.1f} s")
        # Other work on the machine shows in every phase, not only in the refresh window.
        print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for problem in dict.fromkeys(swap.problems):
        print(f"problem: {problem}")
    for error in list(dict.fromkeys(load.errors))[:5]:
        print(f"error: {error}")
    if swap.problems or load.errors:
        print(f"last /v1/readyz body: {swap.last_body}")
        print(f"server log, last lines:\n{_tail(log)}")

    window = sorted(s.latency_ms for s in phases["during refresh + rebuild"])
    window_p99 = _pct(window, 0.99) if window else math.inf
    errors = sum(not s.ok for s in samples)
    overall = _pct(sorted(s.latency_ms for s in samples), 0.99) if samples else math.inf
    passed = window_p99 <= TARGET_P99_MS and errors == 0 and swap.served_at is not None
    print(
        f"\noverall p99 {overall:.2f} ms; window p99 {window_p99:.2f} ms (target <= "
        f"{TARGET_P99_MS:.0f} ms), {errors} errors, new version served: "
        f"{'yes' if swap.served_at is not None else 'no'}"
    )
    print(f"RESULT: {'PASS' if passed else 'FAIL'}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL server URL")
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=40.0, help="length of the load")
    parser.add_argument("--mode", choices=("process", "child"), default="process")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--timeline", action="store_true", help="also print figures per second")
    args = parser.parse_args()
    if not (MIRROR.is_dir() and OLD_MIRROR.is_dir()):
        print(f"skipped: the list mirrors are not at {SHARED} (mirror, mirror-2021)")
        return
    names = _names()
    # The parsed mirror is garbage now; collect it before the load so the clients' own pauses
    # do not show up as server latency.
    gc.collect()
    gc.freeze()
    with tempfile.TemporaryDirectory() as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        url = stack.enter_context(_database(args.database_url, tmp))
        database = "SQLite" if url.startswith("sqlite") else f"PostgreSQL {url.split('@')[-1]}"
        settings = Settings(
            database_url=url,
            data_dir=tmp / "data",
            list_mirror=OLD_MIRROR.as_uri(),
            api_keys=[SecretStr(f"admin:{ADMIN_KEY}"), SecretStr(f"signup:{SIGNUP_KEY}")],
            max_drop_share=1.0,
        )
        upgrade_database(url)
        started = time.perf_counter()
        with open_sessions(settings) as sessions:
            # The curated lists too (the mirror lacks them: their packaged copies are read), so
            # the screens run against every list the service would hold, as issue 7 asks.
            outcomes = make_refresher(settings, sessions).refresh_many((*SOURCES, *CURATED))
        print(f"old lists ({OLD_MIRROR.name}) loaded in {time.perf_counter() - started:.1f} s:")
        for outcome in outcomes:
            print(f"  {outcome.line()}")

        env = _service_env(url, settings.data_dir)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = tmp / "server.log"
        server = subprocess.Popen(  # noqa: S603  (our own console script, fixed args)
            [_screening_command(), "-v", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=tmp,
            stdout=stack.enter_context(log.open("wb")),
            stderr=subprocess.STDOUT,
        )
        stack.callback(_stop, server)
        started = time.perf_counter()
        before = _source_versions(_wait_ready(base, server, log))
        print(f"server ready in {time.perf_counter() - started:.1f} s; versions {before}")

        load = Load(base, names, args.rate, args.clients)
        refresh = Refresh(args.mode, base, env, tmp)
        stack.callback(refresh.stop)
        load.begin()
        stack.callback(_stop_load, load)
        time.sleep(max(0.0, load.start + WARMUP_S - time.perf_counter()))
        refresh.begin()
        swap = _watch(base, before, refresh)
        end = load.start + args.seconds
        if swap.served_at is not None:
            end = max(end, swap.served_at + GRACE_S + MIN_AFTER_S)
        load.stop_at = end
        load.join()
        _report(
            load,
            refresh,
            swap,
            log,
            f"POST /v1/screen at {args.rate:.0f} req/s, {args.clients} clients, {database}, "
            f"refresh to {MIRROR.name} in mode {args.mode}",
            timeline=args.timeline,
        )


def _stop_load(load: Load) -> None:
    load.stop_at = 0.0
    load.join()


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
