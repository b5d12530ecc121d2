"""`GET /v1/accounts/{id}/access` under load, as the authentication path sees it: 1,000,000
accounts stored, a real uvicorn server in its own process, clients sending a fixed 500
requests per second (open loop: a slow answer does not slow the senders down).

    python -m bench.access_latency [--accounts 1000000] [--rate 500] [--seconds 20]
                                   [--servers N] [--database-url postgresql+psycopg://...]
                                   [--reuse]

Prints p50/p90/p99/max in milliseconds and the rate achieved (target: p99 <= 5 ms).

By default the accounts go to a database made for the run and dropped after it (a temporary
SQLite file, or a fresh PostgreSQL database beside the one named). Writing a million takes
minutes, so `--reuse` keeps them instead: the database `--database-url` names (a PostgreSQL
database, created if missing, or a SQLite file) is used as it is, the accounts are written only
when it does not hold exactly `--accounts` of them, and it is left in place. Drop it by hand.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import create_engine, delete, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from api.http.app import create_app
from api.wiring import open_sessions, upgrade_database
from bench.monitoring_rescreen import database
from screening.db import utcnow
from screening.monitoring.models import Account, Customer, CustomerResult
from screening.settings import Settings

KEY = "bench-signup-key-0123456789"
THREADS = 4
BATCH = 10_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def kept_database(url: str) -> Iterator[str]:
    """The database `url` names, made if it is missing and never dropped (`--reuse`)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                exists = conn.scalar(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"),
                    {"name": parsed.database},
                )
                if not exists:
                    conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        finally:
            admin.dispose()
    yield url


def stored_accounts(sessions: sessionmaker[Session]) -> int:
    with sessions() as db:
        return db.scalar(select(func.count()).select_from(Account)) or 0


def clear_accounts(sessions: sessionmaker[Session]) -> None:
    """A kept database holding another count of accounts is written again from empty."""
    with sessions.begin() as db:
        for model in (CustomerResult, Account, Customer):
            db.execute(delete(model))


def write_accounts(sessions: sessionmaker[Session], count: int) -> None:
    """One customer per account, a third of them under review or denied."""
    started = time.perf_counter()
    now = utcnow()
    access = ("allow", "allow", "review", "deny")
    decision = {"allow": "clear", "review": "review", "deny": "deny"}
    for first in range(0, count, BATCH):
        ids = range(first + 1, min(first + BATCH, count) + 1)
        with sessions.begin() as db:
            db.execute(
                insert(Customer),
                [
                    {"id": i, "external_id": f"cust-{i}", "name": f"Customer {i} LLC",
                     "aliases": [], "owners": [], "data_hash": "0" * 64,
                     "created_at": now, "updated_at": now}
                    for i in ids
                ],
            )  # fmt: skip
            db.execute(
                insert(Account),
                [
                    {"account_id": f"acc-{i}", "customer_id": i, "status": "active",
                     "created_at": now}
                    for i in ids
                ],
            )  # fmt: skip
            db.execute(
                insert(CustomerResult),
                [
                    {"customer_id": i, "decision": decision[access[i % 4]], "screened_at": now,
                     "policy_version": "bench", "version_ids": {}, "screening_id": f"{i:032x}",
                     "data_hash": "0" * 64, "access": access[i % 4],
                     "access_reason": f"{access[i % 4]} by policy", "access_since": now}
                    for i in ids
                ],
            )  # fmt: skip
    print(f"{count:,} accounts written in {time.perf_counter() - started:.0f} s")
    with sessions.begin() as db:
        if db.get_bind().dialect.name == "postgresql":
            # A production database has planner statistics (autovacuum gathers them); a table
            # loaded a second ago has none, and the plans made without them are the bench's
            # finding, not the service's.
            db.execute(text("ANALYZE customers, accounts, customer_results"))


def app_from_env() -> FastAPI:
    """The app of one server process when several serve (settings from SCREENING_*)."""
    return create_app(Settings(), start_background=False)


def _serve(settings: Settings, port: int) -> None:
    app = create_app(settings, start_background=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _start_servers(settings: Settings, port: int, servers: int) -> Callable[[], None]:
    """One server in a spawned process, or `servers` uvicorn workers sharing the port."""
    if servers == 1:
        server = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(settings, port), daemon=True
        )
        server.start()

        def stop_one() -> None:
            server.terminate()
            server.join(timeout=10)

        return stop_one
    env = {
        **os.environ,
        "SCREENING_DATABASE_URL": settings.database_url,
        "SCREENING_DATA_DIR": str(settings.data_dir),
        "SCREENING_API_KEYS": f"signup:{KEY}",
        "SCREENING_SCHEDULER_IN_PROCESS": "false",
        "SCREENING_REFRESH_ON_START": "false",
    }
    process = subprocess.Popen(  # noqa: S603  (our interpreter, fixed arguments)
        [sys.executable, "-m", "uvicorn", "bench.access_latency:app_from_env", "--factory",
         "--workers", str(servers), "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        env=env,
    )  # fmt: skip

    def stop() -> None:
        process.terminate()
        process.wait(timeout=30)

    return stop


def _sender(
    port: int, accounts: int, rate: float, seconds: float, seed: int, out: list[float]
) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"X-API-Key": KEY}
    interval = 1.0 / rate
    start = time.perf_counter() + interval * rng.random()
    n = 0
    while True:
        due = start + n * interval
        if due - start > seconds:
            break
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        account = f"acc-{rng.randint(1, accounts)}"
        sent = time.perf_counter()
        conn.request("GET", f"/v1/accounts/{account}/access", headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"unexpected {response.status} for {account}")
        # From when the request was due: a sender that fell behind counts its lag as latency.
        out.append((time.perf_counter() - min(due, sent)) * 1000)
        n += 1
    conn.close()


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/v1/accounts/acc-1/access", headers={"X-API-Key": KEY})
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not answer within 120 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--servers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the accounts in the database --database-url names, for the next run",
    )
    args = parser.parse_args()
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url (a PostgreSQL database or a SQLite file)")
    place = kept_database(args.database_url) if args.reuse else database(args.database_url)
    with place as url, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=url,
            data_dir=Path(tmp) / "data",
            api_keys=[SecretStr(f"signup:{KEY}")],
            scheduler_in_process=False,
            refresh_on_start=False,
        )
        upgrade_database(url)
        with open_sessions(settings) as sessions:
            stored = stored_accounts(sessions)
            if stored == args.accounts:
                print(f"{stored:,} accounts already stored: reused")
            else:
                if stored:
                    clear_accounts(sessions)
                write_accounts(sessions, args.accounts)
        port = _free_port()
        stop = _start_servers(settings, port, args.servers)
        try:
            _wait_ready(port)
            # Warm the server's connections and caches, unmeasured.
            _sender(port, args.accounts, 200, 2, 99, [])
            timings: list[float] = []
            per_thread: list[list[float]] = [[] for _ in range(THREADS)]
            threads = [
                threading.Thread(
                    target=_sender,
                    args=(port, args.accounts, args.rate / THREADS, args.seconds, n, per_thread[n]),
                )
                for n in range(THREADS)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            stop()
    for part in per_thread:
        timings.extend(part)
    timings.sort()
    p90, p99 = (timings[min(len(timings) - 1, int(q * len(timings)))] for q in (0.90, 0.99))
    kind = "PostgreSQL" if "postgresql" in url else "SQLite"
    print(
        f"GET /v1/accounts/{{id}}/access, {kind}, {args.servers} server process(es), "
        f"{args.accounts:,} accounts, "
        f"{len(timings):,} requests at {len(timings) / elapsed:.0f} req/s "
        f"(asked {args.rate:.0f}): p50 {statistics.median(timings):.2f} ms, "
        f"p90 {p90:.2f} ms, p99 {p99:.2f} ms, max {timings[-1]:.1f} ms (target p99 <= 5 ms)"
    )


if __name__ == "__main__":
    main()
