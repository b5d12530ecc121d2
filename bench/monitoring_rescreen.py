"""Rescreen benchmarks: full and delta rescreens of many customers on the real lists.

    python -m bench.monitoring_rescreen [--customers 100000] [--database-url URL] [--workers N]

Steps, each timed and printed:
  1. the 2021 lists (../shared/data/mirror-2021) and the curated lists are loaded, the customers
     written (a small share named after real listed parties, the rest unlisted names);
  2. a full rescreen on the 2021 lists (the setup of the delta, timed too);
  3. the 2024 lists (../shared/data/mirror) activated, a delta rescreen (target <= 30 s);
  4. a custom list of 80 parties loaded, a delta rescreen (a change of under 100 parties,
     target <= 5 s);
  5. a full rescreen on the 2024 lists (target <= 60 s).

SQLite by default (a temporary file): `--workers N` runs full rescreens in N processes side by
side (SCREENING_RESCREEN_PROCESSES). With `--database-url postgresql+psycopg://...` a fresh
database is created beside the one named, and dropped afterwards; `--workers N` then starts N-1
`screening worker` processes and this process works the queue too.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from api.queue import is_postgres
from api.rescreen import Rescreens
from api.wiring import load_custom_list, open_sessions, upgrade_database
from bench.mirror import REPO, SHARED
from lists import get_source
from lists.fetch import HttpFetcher
from screening.db import utcnow
from screening.listings import store
from screening.listings.models import ListEntryRow
from screening.listings.rawstore import RawStore
from screening.listings.refresh import Refresher
from screening.monitoring.customers import CustomerData
from screening.monitoring.models import Account, Alert, Customer
from screening.monitoring.runs import RunSummary
from screening.settings import Settings

SOURCES = ("us_ofac_sdn", "us_ofac_cons", "us_trade_csl", "un_sc_sanctions")
CURATED = ("curated_ai_labs", "us_dod_1260h")
WORDS = tuple(
    " ".join(
        (
            "acme northwind harbor meadow copper falcon juniper summit lantern orchard prairie",
            "willow granite beacon cedar maple silver river blue stone aspen harvest pioneer",
            "crescent atlas vector quantum bright nova delta omega apex zenith horizon coastal",
            "alpine urban metro global pacific atlantic united general national premier royal",
            "golden green red white trading logistics foods analytics partners systems software",
            "solutions services capital energy medical health dental studio design media digital",
            "cloud data labs robotics retail",
        )
    ).split(" ")
)
SUFFIXES = ("LLC", "Inc", "Ltd", "GmbH", "SAS", "BV", "Pty Ltd", "Co", "Corp", "AB")
COUNTRIES = ("US", "GB", "DE", "FR", "NL", "SE", "AU", "CA", "JP", "SG", "AE", "IN", None)


def _syllables(rng: random.Random) -> str:
    parts = ["ka", "lo", "mi", "ra", "ven", "tor", "sel", "dun", "bri", "os", "ul", "nex", "zo"]
    return "".join(rng.choice(parts) for _ in range(rng.randint(2, 3))).capitalize()


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url is None or not is_postgres(url):
        with tempfile.TemporaryDirectory() as tmp:
            yield url or f"sqlite:///{tmp}/bench.db"
        return
    admin = make_url(url)
    name = f"bench_monitoring_{os.getpid()}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def refresh(sessions: sessionmaker[Session], data_dir: Path, mirror: Path) -> None:
    refresher = Refresher(sessions, get_source, _fetcher(), RawStore(data_dir),
                          mirror=mirror.as_uri(), max_drop_share=1.0)  # fmt: skip
    for outcome in refresher.refresh_many(SOURCES, allow_drop=True):
        print(f"  {outcome.line()}")
    # The curated lists come from the package itself, not the mirror.
    curated = Refresher(sessions, get_source, _fetcher(), RawStore(data_dir))
    for outcome in curated.refresh_many(CURATED):
        print(f"  {outcome.line()}")


def _fetcher() -> HttpFetcher:
    return HttpFetcher(timeout_s=30, retries=0)


def listed_names(sessions: sessionmaker[Session], count: int, rng: random.Random) -> list[str]:
    with sessions() as db:
        version_ids = list(store.active_version_ids(db).values())
        names = list(
            db.scalars(
                select(ListEntryRow.name).where(
                    ListEntryRow.version_id.in_(version_ids),
                    ListEntryRow.kind.in_(("organization", "person")),
                )
            )
        )
    return rng.sample(names, min(count, len(names)))


def write_customers(sessions: sessionmaker[Session], count: int, listed: list[str]) -> None:
    rng = random.Random(100)
    started = time.perf_counter()
    now = utcnow()
    batch: list[dict[str, object]] = []
    accounts: list[dict[str, object]] = []
    with sessions.begin() as db:
        for n in range(count):
            if n % 67 == 0 and listed:
                name = listed[(n // 67) % len(listed)]
            else:
                words = rng.sample(WORDS, rng.randint(1, 2))
                name = " ".join([_syllables(rng), *(w.capitalize() for w in words)])
                name += f" {rng.choice(SUFFIXES)}"
            country = rng.choice(COUNTRIES)
            data = CustomerData(name=name[:1000], country=country)
            batch.append(
                {
                    "id": n + 1,
                    "external_id": f"cust-{n}",
                    "name": data.name,
                    "aliases": [],
                    "country": country,
                    "owners": [],
                    "data_hash": data.digest(),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            accounts.append(
                {"account_id": f"acc-{n}", "customer_id": n + 1, "status": "active",
                 "created_at": now}
            )  # fmt: skip
            if len(batch) >= 5000:
                db.execute(insert(Customer), batch)
                db.execute(insert(Account), accounts)
                batch, accounts = [], []
        if batch:
            db.execute(insert(Customer), batch)
            db.execute(insert(Account), accounts)
    print(f"  {count:,} customers written in {time.perf_counter() - started:.1f} s")


def timed(
    label: str, rescreens: Rescreens, *, full: bool, profile: Path | None = None
) -> tuple[float, RunSummary | None]:
    profiler = cProfile.Profile() if profile is not None else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    summary = rescreens.run_pending(actor="bench", full=full)
    elapsed = time.perf_counter() - started
    if profiler is not None and profile is not None:
        profiler.disable()
        profile.mkdir(parents=True, exist_ok=True)
        out = profile / (re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") + ".prof")
        profiler.dump_stats(out)
        print(f"  profile of this process written to {out}")
    print(f"{label}: {elapsed:.1f} s" + (f" — {summary.line()}" if summary else " — nothing"))
    return elapsed, summary


def missed(sessions: sessionmaker[Session], since: datetime) -> None:
    """Alerts the last full run opened: what the deltas before it did not find."""
    with sessions() as db:
        rows = db.execute(
            select(Customer.name, Alert.entity_name, Alert.source, Alert.score, Alert.decision)
            .join(Customer, Customer.id == Alert.customer_id)
            .where(Alert.created_at >= since)
        ).all()
    print(f"  alerts the full run opened that the deltas had not: {len(rows)}")
    for name, entity, source, score, decision in rows[:10]:
        print(f"    {name!r} ~ {entity!r} [{source}] {score} {decision}")


def index_reload(rescreens: Rescreens) -> float:
    """The live index catching up with the active versions (part of every run after an
    activation, printed apart from the run itself)."""
    started = time.perf_counter()
    rescreens.runtime.screener()
    elapsed = time.perf_counter() - started
    print(f"  index (re)built in {elapsed:.1f} s")
    return elapsed


def custom_change(settings: Settings, sessions: sessionmaker[Session], names: list[str]) -> None:
    with sessions.begin() as db:
        store.add_custom_list(db, "custom_bench", "Bench partners", "bench")
    rows = ["key,name", *(f"p{n},{name.replace(',', ' ')}" for n, name in enumerate(names))]
    outcome = load_custom_list(settings, sessions, "custom_bench", "\n".join(rows).encode())
    print(f"  {outcome.line()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=500)
    parser.add_argument(
        "--profile", type=Path, default=None,
        help="write a cProfile of each timed step (this process only) into this directory",
    )  # fmt: skip
    args = parser.parse_args()
    if not (SHARED / "mirror-2021").is_dir():
        raise SystemExit(f"the real list snapshots are not at {SHARED}")
    rng = random.Random(7)
    with database(args.database_url) as url, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=url,
            data_dir=Path(tmp) / "data",
            api_keys=[SecretStr("admin:bench-admin-key-0123456789")],
            rescreen_chunk_size=args.chunk_size,
            # On SQLite, N processes side by side; on PostgreSQL, N-1 workers and this one.
            rescreen_processes=args.workers,
        )
        upgrade_database(url)
        kind = "PostgreSQL" if is_postgres(url) else "SQLite"
        cores = os.cpu_count()
        print(f"{kind}, {args.customers:,} customers, {args.workers} worker(s), {cores} cores")
        with open_sessions(settings) as sessions:
            print("2021 lists:")
            refresh(sessions, settings.data_dir, SHARED / "mirror-2021")
            write_customers(sessions, args.customers, listed_names(sessions, 1200, rng))
            workers: list[subprocess.Popen[bytes]] = []
            if is_postgres(url):
                env = {**os.environ, "SCREENING_DATABASE_URL": url, "PYTHONPATH": str(REPO)}
                for n in range(args.workers - 1):
                    log = Path(tmp) / f"worker{n}.log"
                    with log.open("wb") as handle:
                        workers.append(subprocess.Popen(
                            [sys.executable, "-m", "api", "worker", "--no-webhooks"],
                            env=env, stdout=handle, stderr=subprocess.STDOUT,
                        ))  # fmt: skip
            try:
                rescreens = Rescreens(settings, sessions)
                index_reload(rescreens)
                timed("full rescreen, 2021 lists", rescreens, full=True, profile=args.profile)
                print("2024 lists:")
                refresh(sessions, settings.data_dir, SHARED / "mirror")
                build_big = index_reload(rescreens)
                delta_big, _ = timed(
                    "delta rescreen after 2021 -> 2024", rescreens, full=False, profile=args.profile
                )
                with sessions() as db:
                    sample = [
                        n for (n,) in db.execute(
                            text("SELECT name FROM customers ORDER BY id LIMIT 20")
                        )
                    ]  # fmt: skip
                custom_change(settings, sessions, sample[:10] + [
                    f"{_syllables(rng)} Benchmark Holdings {n}" for n in range(70)
                ])  # fmt: skip
                build_small = index_reload(rescreens)
                delta_small, _ = timed(
                    "delta rescreen after 80 parties", rescreens, full=False, profile=args.profile
                )
                before_full = utcnow()
                full_new, summary = timed(
                    "full rescreen, 2024 lists", rescreens, full=True, profile=args.profile
                )
                missed(sessions, before_full)
            finally:
                for worker in workers:
                    worker.terminate()
                    worker.wait(timeout=30)
        with open_sessions(settings) as sessions, sessions() as db:
            entries = db.execute(
                text("SELECT count(*) FROM list_entries e JOIN list_sources s "
                     "ON s.active_version_id = e.version_id")
            ).scalar_one()  # fmt: skip
        assert summary is not None
        rate = summary.screened / full_new if full_new else 0.0
        print(
            f"summary ({kind}, {args.workers} worker(s), {entries:,} active entries): "
            f"full {full_new:.1f} s ({rate:,.0f} customers/s; target <= 60 s), "
            f"delta 2021->2024 {delta_big:.1f} s (+ {build_big:.1f} s index rebuild; "
            f"target <= 30 s), delta 80 parties {delta_small:.1f} s "
            f"(+ {build_small:.1f} s index rebuild; target <= 5 s)"
        )


if __name__ == "__main__":
    main()
