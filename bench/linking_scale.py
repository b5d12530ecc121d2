"""Linked accounts at scale, on PostgreSQL: ACCOUNTS accounts with OBSERVATIONS signal values
stored, one campaign of CLUSTER shell accounts around a denied seed, then

- the sweep that walks from the seed and sends the whole campaign to review (with an alert
  each): the "re-evaluate a cluster of 25,000 accounts after a denial" figure;
- NEW new accounts' observations through the signals use case, one transaction each, half of
  them linking to the campaign: p50 / p99.

    python -m bench.linking_scale --database-url URL [--accounts 1000000] [--cluster 25000]
        [--keep] [--reuse]

Values are generated already normalised (the normalisation is measured by the other bench) and
hashed with the real keyed hash; rows are written with COPY. The database is created on the
server of URL (named after the sizes) and dropped after, unless `--keep`: then `--reuse` finds
it on the next run, undoes what the last run wrote (clusters, alerts, the new accounts) and
skips the four minutes of storing. Targets (issue): 1,000,000 accounts and 10,000,000
observations stored; p99 <= 5 ms per new account; the cluster re-evaluated in <= 10 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import Engine, create_engine, event, make_url, text

from api.wiring import upgrade_database
from lists.curated.cloud_networks import load_file
from screening.db import make_engine, make_sessionmaker
from screening.linking import kinds as k
from screening.linking import pgstore, service
from screening.linking.hashing import Keyer
from screening.linking.rules import LinkRules
from screening.linking.service import Context
from screening.linking.signals import Observation
from screening.monitoring.models import Account, Customer

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
KINDS = (k.EMAIL, k.PAYMENT, k.DEVICE, k.PHONE, k.IP_PREFIX, k.BILLING_ADDRESS, k.BILLING_CITY)


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pace() -> str:
    """How fast this machine runs plain Python, so that figures from different machines (or
    from one machine on a busy day) can be compared."""
    started = time.perf_counter()
    total = 0
    for n in range(10_000_000):
        total += n
    return f"a 10,000,000-step Python loop takes {time.perf_counter() - started:.2f} s here"


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


# What a run writes, undone before a reused database is measured again (children first).
_RUN_TABLES = (
    "alert_events",
    "cluster_members",
    "alerts",
    "cluster_events",
    "cluster_roots",
    "link_clusters",
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_events",
)


def _reset(url: str, accounts: int) -> None:
    """Back to the state `populate` left: no cluster, no alert, no new account, every degree
    as stored."""
    with psycopg.connect(_plain(url)) as conn, conn.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(_RUN_TABLES)}")
        cur.execute(
            "CREATE TEMP TABLE touched AS SELECT DISTINCT signal_id FROM account_signals "
            "WHERE account_pk > %s",
            (accounts,),
        )
        cur.execute("DELETE FROM account_signals WHERE account_pk > %s", (accounts,))
        cur.execute(
            "UPDATE signal_values v SET accounts = (SELECT count(*) FROM account_signals s "
            "WHERE s.signal_id = v.id) WHERE v.id IN (SELECT signal_id FROM touched)"
        )
        cur.execute(
            "DELETE FROM signal_values WHERE accounts = 0 AND id IN (SELECT signal_id FROM touched)"
        )
        cur.execute("DELETE FROM accounts WHERE id > %s", (accounts,))
        cur.execute("DELETE FROM customers WHERE id > %s", (accounts,))
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('signal_values', 'id'), max(id)) "
            "FROM signal_values"
        )
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")


def _server(url: str) -> Engine:
    """The server of URL, through its maintenance database (the one URL names may not exist)."""
    maintenance = make_url(url).set(database="postgres")
    return create_engine(maintenance, isolation_level="AUTOCOMMIT")


@contextmanager
def database(url: str, name: str, *, keep: bool, reuse: bool) -> Iterator[tuple[str, bool]]:
    """(URL of the bench database, whether it was reused). A database is named `name` only once
    stored completely, so one that a killed run left half-written is never reused."""
    admin = make_url(url)
    engine = _server(url)
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        reused = reuse and exists.first() is not None
        if not reused:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False), reused
    finally:
        if not keep:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def _store(url: str, name: str, args: argparse.Namespace, keyer: Keyer) -> None:
    """Store the population under a temporary name, then give the database its own."""
    admin = make_url(url)
    partial = f"{name}_partial"
    engine = _server(url)
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{partial}"'))
        target = admin.set(database=partial).render_as_string(hide_password=False)
        upgrade_database(target)
        started = time.perf_counter()
        stored = populate(target, args.accounts, args.cluster, args.per_account, keyer)
        print(f"stored {args.accounts} accounts, {stored} observations in "
              f"{time.perf_counter() - started:.0f} s ({_load()})")  # fmt: skip
        # As autovacuum would after a bulk load: index-only scans need the visibility map.
        with psycopg.connect(_plain(target), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        with engine.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{partial}" RENAME TO "{name}"'))
    finally:
        engine.dispose()


def populate(url: str, accounts: int, cluster: int, per_account: int, keyer: Keyer) -> int:
    """Accounts 1..N (the campaign is N-cluster+1..N, seed N), their values, COPY'd in."""
    rng = random.Random(7)
    cards = [f"ring-card-{n}" for n in range(cluster // 20)]
    devices = [f"ring-dev-{n}" for n in range(cluster // 40)]
    value_ids: dict[tuple[str, str], int] = {}
    degree: dict[int, int] = {}

    def value(kind: str, raw: str) -> int:
        key = (kind, raw)
        found = value_ids.get(key)
        if found is None:
            found = value_ids[key] = len(value_ids) + 1
        degree[found] = degree.get(found, 0) + 1
        return found

    with psycopg.connect(_plain(url)) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY customers (id, external_id, name, aliases, owners, data_hash, created_at, "
            "updated_at) FROM STDIN"
        ) as copy:
            for n in range(1, accounts + 1):
                copy.write_row((n, f"c-{n}", f"c-{n}", "[]", "[]", "bench", NOW, NOW))
        with cur.copy(
            "COPY accounts (id, account_id, customer_id, status, created_at) FROM STDIN"
        ) as copy:
            for n in range(1, accounts + 1):
                copy.write_row((n, f"a-{n}", n, "active", NOW))
        with cur.copy(
            "COPY customer_results (customer_id, decision, screened_at, policy_version, "
            "version_ids, screening_id, data_hash, access, access_reason, access_since) "
            "FROM STDIN"
        ) as copy:
            for n in range(1, accounts + 1):
                denied = n == accounts
                access = "deny" if denied else "allow"
                reason = "deny by policy: 'DeepSeek'" if denied else "clear"
                decision = "deny" if denied else "clear"
                row = (n, decision, NOW, "bench", "{}", "0" * 32, "bench", access, reason, NOW)
                copy.write_row(row)
        carried: list[tuple[int, int]] = []
        for n in range(1, accounts + 1):
            campaign = n > accounts - cluster
            mine: set[int] = set()
            for kind in KINDS[:per_account]:
                if campaign and kind == k.PAYMENT:
                    raw = rng.choice(cards)
                elif campaign and kind == k.DEVICE:
                    raw = rng.choice(devices)
                elif kind == k.BILLING_CITY:
                    raw = f"city-{rng.randrange(5000)}"  # 200 accounts a city: at the cut-off
                elif kind == k.IP_PREFIX:
                    raw = f"isp-{rng.randrange(accounts // 8)}"  # ~8 households a /24
                else:
                    raw = f"{kind}-{n}"
                mine.add(value(kind, raw))
            for extra in range(per_account - len(mine)):
                mine.add(value(k.DEVICE, f"dev-{n}-{extra}"))
            carried.extend((n, signal_id) for signal_id in mine)
        values_copy = "COPY signal_values (id, kind, digest, display, counts, accounts) FROM STDIN"
        with cur.copy(values_copy) as copy:
            for (kind, raw), signal_id in value_ids.items():
                digest = keyer.digest(kind, raw)
                copy.write_row((signal_id, kind, digest, None, True, degree[signal_id]))
        rows_copy = (
            "COPY account_signals (account_pk, signal_id, first_seen, last_seen, observations) "
            "FROM STDIN"
        )
        with cur.copy(rows_copy) as copy:
            for n, signal_id in carried:
                copy.write_row((n, signal_id, NOW, NOW, 1))
        observations = len(carried)
        for table in ("customers", "accounts", "signal_values"):
            cur.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                (table, accounts if table != "signal_values" else len(value_ids)),
            )
        cur.execute("ANALYZE")
    return observations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--cluster", type=int, default=25_000)
    parser.add_argument("--per-account", type=int, default=10)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="leave the database for --reuse")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again")
    args = parser.parse_args()
    keyer = Keyer(b"bench-signal-key-" + b"0" * 32)
    rules = LinkRules(max_cluster=max(50_000, args.cluster * 2))
    ctx = Context(keyer, load_file(), rules)
    name = f"linking_scale_{args.accounts}_{args.cluster}_{args.per_account}"
    print(f"machine: {os.cpu_count()} cores; {_pace()} ({_load()})")
    with database(args.database_url, name, keep=args.keep, reuse=args.reuse) as (url, reused):
        if reused:
            _reset(url, args.accounts)
            print(f"reused {name}: {args.accounts} accounts ({_load()})")
        else:
            _store(args.database_url, name, args, keyer)
        upgrade_database(url)
        measure(url, args, rules, ctx)


def measure(url: str, args: argparse.Namespace, rules: LinkRules, ctx: Context) -> None:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        started = time.perf_counter()
        with sessions.begin() as db:
            report = service.sweep(db, rules, actor="bench")
        swept = time.perf_counter() - started
        with sessions() as db:
            members = db.execute(text("SELECT count(*) FROM cluster_members")).scalar_one()
        print(f"sweep from the denied seed: {members} accounts sent to review in {swept:.1f} s "
              f"({report.roots} roots; {_load()})")  # fmt: skip
        rng = random.Random(11)
        timings: list[float] = []
        client: list[float] = []
        with sessions.begin() as db:
            for n in range(args.new):
                db.add(Customer(id=args.accounts + 1 + n, external_id=f"new-{n}",
                                name=f"new-{n}", aliases=[], owners=[], data_hash="b",
                                created_at=NOW, updated_at=NOW))  # fmt: skip
            db.flush()
            for n in range(args.new):
                db.add(Account(id=args.accounts + 1 + n, account_id=f"new-{n}",
                               customer_id=args.accounts + 1 + n, created_at=NOW))  # fmt: skip
        joined = 0
        # Round trips per observation (statements, and the commit), counted on the engine.
        statements: list[int] = [0]

        def count(*_: object) -> None:
            statements[0] += 1

        event.listen(engine, "before_cursor_execute", count)
        event.listen(engine, "commit", count)
        # Statements sent together by psycopg's pipeline go unseen by the engine's events:
        # each batch is one round trip.
        pipelined = pgstore._pipelined

        def counted(*args: Any, **kw: Any) -> Any:
            count()
            return pipelined(*args, **kw)

        pgstore._pipelined = counted
        for n in range(args.new):
            values: dict[str, Any] = {
                "email": f"new{n}@example-{n}.org",
                "phone": f"+1202{rng.randint(200, 999)}{n % 10000:04d}",
            }
            ring = f"ring-card-{rng.randrange(args.cluster // 20)}"
            values["payment_fingerprint"] = ring if n % 2 == 0 else f"fresh-{n}"
            began, spent = time.perf_counter(), time.process_time()
            with sessions.begin() as db:
                account = service.find_account(db, f"new-{n}")
                done = service.record(db, account, Observation(**values), ctx, actor="bench")
            timings.append(time.perf_counter() - began)
            client.append(time.process_time() - spent)
            joined += done.cluster_id is not None
        timings.sort()
        client.sort()
        print(f"{args.new} new accounts' observations ({joined} joined the cluster): p50 "
              f"{1000 * statistics.median(timings):.1f} ms, p99 "
              f"{1000 * timings[int(0.99 * (len(timings) - 1))]:.1f} ms ({_load()})")  # fmt: skip
        # The rest of the wall time is the server's and the wait for it (or for a core).
        print(f"of which this process's CPU time: p50 {1000 * statistics.median(client):.1f} "
              f"ms, p99 {1000 * client[int(0.99 * (len(client) - 1))]:.1f} ms")  # fmt: skip
        print(f"round trips per observation: {statements[0] / args.new:.2f} (statements, "
              f"pipelined batches and the commit; the account's look-up included)")  # fmt: skip
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
