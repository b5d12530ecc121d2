"""Linked accounts, measured: precision and recall of the accounts sent to review, per campaign
shape, and the share of legitimate accounts sent to review, on populations from
`bench.campaigns` (seeded).

    python -m bench.linking_quality [--seeds 2 3 4] [--legit 20000] [--database-url URL]

Per seed: a fresh database (SQLite file, or a database created on the PostgreSQL server of
--database-url and dropped after); every account a customer of its own, screened `clear`
except the campaigns' seeds (denied as a restricted lab); the signals of all but the late
accounts stored as the signals endpoint stores them; one sweep (the walk from the denied
seeds, timed); then the late accounts' observations through the signals use case, one by one
(timed: each links at once or not at all). Weights were tuned on seed 1 only; report the others.

Target (issue): recall >= 0.9 of campaign accounts at <= 0.5% of legitimate accounts in review.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, make_url, select, text
from sqlalchemy.orm import Session, sessionmaker

from api.wiring import upgrade_database
from bench.campaigns import SHAPES, Person, generate, lab_of
from lists.curated.cloud_networks import load_file
from screening.db import make_engine, make_sessionmaker
from screening.errors import InvalidQueryError
from screening.linking import service
from screening.linking.clusters import ACTIVE
from screening.linking.hashing import Keyer
from screening.linking.models import (
    AccountSignal,
    ClusterMember,
    ClusterRoot,
    LinkCluster,
    SignalValue,
)
from screening.linking.rules import LinkRules
from screening.linking.service import Context
from screening.linking.signals import Observation, signals_of
from screening.monitoring.models import Account, Customer, CustomerMatch, CustomerResult

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@contextmanager
def database(url: str | None, seed: int) -> Iterator[str]:
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"linking-{seed}.db"
            yield f"sqlite:///{path}"
        return
    admin = make_url(url)
    name = f"linking_bench_{seed}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def _observation(values: dict[str, Any]) -> Observation:
    return Observation(**values)


def load(sessions: sessionmaker[Session], people: list[Person], ctx: Context) -> dict[str, int]:
    """Customers, accounts and results in bulk; the early signals with their degrees."""
    pks = {p.account_id: n for n, p in enumerate(people, 1)}
    refused: Counter[str] = Counter()
    values: dict[tuple[str, str], dict[str, Any]] = {}
    carried: dict[tuple[int, tuple[str, str]], None] = {}
    for person in people:
        if person.late:
            continue
        for obs in person.observations:
            try:
                found = signals_of(_observation(obs), ctx.keyer, ctx.networks)
            except InvalidQueryError as exc:
                refused[exc.detail.split(" ", 1)[0]] += 1
                continue
            for signal in found:
                key = (signal.kind, signal.digest)
                values.setdefault(
                    key,
                    {"kind": signal.kind, "digest": signal.digest, "display": signal.display,
                     "counts": signal.counts, "accounts": 0},
                )  # fmt: skip
                if (pks[person.account_id], key) not in carried:
                    carried[(pks[person.account_id], key)] = None
                    values[key]["accounts"] += 1
    ids = {key: n for n, key in enumerate(values, 1)}
    with sessions.begin() as db:
        db.execute(
            insert(Customer),
            [
                {"id": pk, "external_id": f"c-{p.account_id}", "name": p.account_id,
                 "aliases": [], "owners": [], "data_hash": "bench", "created_at": NOW,
                 "updated_at": NOW}
                for p, pk in ((p, pks[p.account_id]) for p in people)
            ],
        )  # fmt: skip
        db.execute(
            insert(Account),
            [
                {"id": pks[p.account_id], "account_id": p.account_id,
                 "customer_id": pks[p.account_id], "status": "active", "created_at": NOW}
                for p in people
            ],
        )  # fmt: skip
        db.execute(
            insert(CustomerResult),
            [
                {"customer_id": pks[p.account_id], "decision": "deny" if p.seed else "clear",
                 "screened_at": NOW, "policy_version": "bench", "version_ids": {},
                 "screening_id": "0" * 32, "data_hash": "bench",
                 "access": "deny" if p.seed else "allow",
                 "access_reason": f"deny by policy: {lab_of(p)!r}" if p.seed else "clear",
                 "access_since": NOW}
                for p in people
            ],
        )  # fmt: skip
        db.execute(
            insert(CustomerMatch),
            [
                {"customer_id": pks[p.account_id], "party_key": f"curated_ai_labs:{lab_of(p)}",
                 "entity_name": lab_of(p), "decision": "deny"}
                for p in people if p.seed
            ],
        )  # fmt: skip
        db.execute(insert(SignalValue), [{"id": ids[k], **v} for k, v in values.items()])
        rows = [
            {"account_pk": pk, "signal_id": ids[key], "first_seen": NOW, "last_seen": NOW,
             "observations": 1}
            for pk, key in carried
        ]  # fmt: skip
        for first in range(0, len(rows), 20_000):
            db.execute(insert(AccountSignal), rows[first : first + 20_000])
        if db.get_bind().dialect.name == "postgresql":
            # Rows inserted with their ids leave the sequences behind.
            for statement in (
                "SELECT setval(pg_get_serial_sequence('customers', 'id'), "
                "(SELECT max(id) FROM customers))",
                "SELECT setval(pg_get_serial_sequence('accounts', 'id'), "
                "(SELECT max(id) FROM accounts))",
                "SELECT setval(pg_get_serial_sequence('signal_values', 'id'), "
                "(SELECT max(id) FROM signal_values))",
            ):
                db.execute(text(statement))
    return dict(refused)


def flagged(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Accounts in review (or denied) by links: account id -> cluster."""
    with sessions() as db:
        rows = db.execute(
            select(Account.account_id, ClusterMember.cluster_id)
            .join(ClusterMember, ClusterMember.account_pk == Account.id)
            .join(LinkCluster, LinkCluster.id == ClusterMember.cluster_id)
            .where(LinkCluster.status.in_(ACTIVE), ClusterMember.state == "review")
        )
        return {account_id: cluster for account_id, cluster in rows}


def report(
    people: list[Person], sent: dict[str, int], sessions: sessionmaker[Session]
) -> dict[str, Any]:
    by_id = {p.account_id: p for p in people}
    with sessions() as db:
        roots = db.execute(
            select(Account.account_id, ClusterRoot.cluster_id).join(
                ClusterRoot, ClusterRoot.account_pk == Account.id
            )
        ).all()
    shape_clusters: dict[str, set[int]] = defaultdict(set)
    for account_id, cluster in roots:
        shape_clusters[by_id[account_id].shape].add(cluster)
    figures: dict[str, Any] = {}
    for shape in SHAPES:
        members = [p for p in people if p.group == f"campaign:{shape}" and not p.seed]
        found = sum(1 for p in members if p.account_id in sent)
        # Clusters of two campaigns that share proxies merge: any shell account is a right one.
        in_clusters = [a for a, c in sent.items() if c in shape_clusters[shape]]
        right = sum(1 for a in in_clusters if not by_id[a].legit)
        figures[shape] = {
            "accounts": len(members),
            "recall": found / len(members),
            "precision": right / len(in_clusters) if in_clusters else 1.0,
            "late_recall": _share([p for p in members if p.late], sent),
        }
    legit = [p for p in people if p.legit]
    wrong = [p for p in legit if p.account_id in sent]
    campaign = [p for p in people if not p.legit and not p.seed]
    figures["all"] = {
        "recall": _share(campaign, sent),
        "precision": (len(sent) - len(wrong)) / len(sent) if sent else 1.0,
        "false_review_rate": len(wrong) / len(legit),
        "false_reviews": len(wrong),
        "legit": len(legit),
        "false_by_kind": dict(Counter(p.shape for p in wrong)),
    }
    return figures


def _share(group: list[Person], sent: dict[str, int]) -> float:
    return sum(1 for p in group if p.account_id in sent) / len(group) if group else 1.0


def run(seed: int, legit: int, url: str | None, rules: LinkRules) -> dict[str, Any]:
    people = generate(seed, legit=legit)
    ctx = Context(Keyer(b"bench-signal-key-" + b"0" * 32), load_file(), rules)
    with database(url, seed) as db_url:
        upgrade_database(db_url)
        engine = make_engine(db_url)
        sessions = make_sessionmaker(engine)
        try:
            started = time.perf_counter()
            refused = load(sessions, people, ctx)
            loaded_s = time.perf_counter() - started
            started = time.perf_counter()
            with sessions.begin() as db:
                swept = service.sweep(db, rules, actor="bench")
            sweep_s = time.perf_counter() - started
            timings = []
            for person in (p for p in people if p.late):
                for obs in person.observations:
                    began = time.perf_counter()
                    with sessions.begin() as db:
                        account = service.find_account(db, person.account_id)
                        try:
                            service.record(db, account, _observation(obs), ctx, actor="bench")
                        except InvalidQueryError as exc:
                            refused[exc.detail.split(" ", 1)[0]] += 1
                    timings.append(time.perf_counter() - began)
            figures = report(people, flagged(sessions), sessions)
        finally:
            engine.dispose()
    timings.sort()
    figures["timing"] = {
        "load_s": loaded_s,
        "sweep_s": sweep_s,
        "roots": swept.roots,
        "record_p50_ms": 1000 * statistics.median(timings),
        "record_p99_ms": 1000 * timings[int(0.99 * (len(timings) - 1))],
        "late_observations": len(timings),
        "refused": dict(refused),
        "accounts": len(people),
    }
    return figures


def show(seed: int, figures: dict[str, Any]) -> None:
    timing = figures["timing"]
    print(f"seed {seed}: {timing['accounts']} accounts, {figures['all']['legit']} legitimate")
    print(f"  {'shape':<12} {'accounts':>8} {'recall':>7} {'precision':>9} {'late recall':>11}")
    for shape in SHAPES:
        row = figures[shape]
        print(
            f"  {shape:<12} {row['accounts']:>8} {row['recall']:>7.3f} {row['precision']:>9.3f} "
            f"{row['late_recall']:>11.3f}"
        )
    total = figures["all"]
    print(
        f"  all campaigns: recall {total['recall']:.3f}, precision {total['precision']:.3f}; "
        f"legitimate sent to review: {total['false_reviews']} of {total['legit']} "
        f"({100 * total['false_review_rate']:.2f}%) {total['false_by_kind']}"
    )
    print(
        f"  sweep from {timing['roots']} seeds {timing['sweep_s']:.2f} s; late observations "
        f"({timing['late_observations']}) p50 {timing['record_p50_ms']:.1f} ms, p99 "
        f"{timing['record_p99_ms']:.1f} ms; refused values {timing['refused']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[2, 3, 4])
    parser.add_argument("--legit", type=int, default=20_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--max-degree", type=int, default=LinkRules().max_degree)
    parser.add_argument("--personal-max-degree", type=int, default=LinkRules().personal_max_degree)
    parser.add_argument("--max-hops", type=int, default=LinkRules().max_hops)
    parser.add_argument("--through-values", type=int, default=LinkRules().through_values)
    args = parser.parse_args()
    rules = LinkRules(
        max_degree=args.max_degree,
        personal_max_degree=max(args.personal_max_degree, args.max_degree),
        max_hops=args.max_hops,
        through_values=args.through_values,
    )
    print(f"rules: cut-off {rules.max_degree} accounts ({rules.personal_max_degree} for a card, "
          f"device, phone or mailbox), {rules.max_hops} hops, crowd "
          f"{rules.crowd_min} x {rules.crowd_score}, through {rules.through_values} values, "
          f"weights {dict(rules.weights)}")  # fmt: skip
    for seed in args.seeds:
        show(seed, run(seed, args.legit, args.database_url, rules))


if __name__ == "__main__":
    main()
