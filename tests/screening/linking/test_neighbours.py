"""The database's neighbours: with a bound, the rows of every pair that can reach it, each pair
whole (the walk scores a pair by every kind it shares)."""

from __future__ import annotations

import random
from collections import defaultdict

from sqlalchemy.orm import Session, sessionmaker

from screening.db import utcnow
from screening.linking import kinds as k
from screening.linking import store
from screening.linking.rules import LinkRules
from screening.linking.signals import Signal
from tests.screening.linking.conftest import NewAccount

RULES = LinkRules(max_degree=12)
# Few values a kind, so that pairs share one kind, two, or several, and some values go over the
# degree cut-off.
POOLS = {k.PAYMENT: 12, k.DEVICE: 10, k.IP_PREFIX: 6, k.ORGANISATION: 5, k.BILLING_CITY: 3,
         k.ASN: 3, k.CLOUD: 2, k.EMAIL_DOMAIN: 8}  # fmt: skip


def _pairs(rows: list[tuple[int, int, str, int]]) -> dict[tuple[int, int], set[tuple[str, int]]]:
    found: dict[tuple[int, int], set[tuple[str, int]]] = defaultdict(set)
    for account, other, kind, value in rows:
        found[(account, other)].add((kind, value))
    return dict(found)


def _population(
    sessions: sessionmaker[Session], new_account: NewAccount, n: int, *, seed: int, share: float
) -> list[int]:
    """`n` accounts, each showing a value of each kind with probability `share`."""
    rng = random.Random(seed)
    accounts = [new_account(f"a-{seed}-{i}") for i in range(n)]
    with sessions.begin() as db:
        for pk in accounts:
            signals = [
                Signal(kind, f"{kind}-{rng.randrange(size)}", None)
                for kind, size in POOLS.items()
                if rng.random() < share
            ]
            store.observe(db, pk, signals, utcnow(), degrees=RULES.degrees)
    return accounts


def test_a_bound_keeps_every_pair_that_reaches_it_whole(
    sessions: sessionmaker[Session], new_account: NewAccount
) -> None:
    accounts = _population(sessions, new_account, 40, seed=5, share=0.6)
    with sessions() as db:
        neighbours = store.DbNeighbours(db, RULES)
        asked = accounts[:15]
        every = _pairs(list(neighbours.shared(asked)))
        for bound in (0.4, 1.0):
            kept = _pairs(list(neighbours.shared(asked, bound)))
            reaching = {
                pair: values
                for pair, values in every.items()
                if RULES.score({kind for kind, _ in values}) >= bound
            }
            assert reaching, "the population gives pairs that reach the bound"
            # Each pair that can reach the bound comes with every value it shares.
            assert {pair: kept[pair] for pair in reaching} == reaching
            for pair, values in kept.items():
                assert values == every[pair]
        lone = _pairs(list(neighbours.shared(asked[:1], 0.4)))
        assert lone == {
            pair: values
            for pair, values in every.items()
            if pair[0] == asked[0] and RULES.score({kind for kind, _ in values}) >= 0.4
        }


def test_read_ahead_on_other_connections_gives_the_same_rows(
    sessions: sessionmaker[Session], new_account: NewAccount
) -> None:
    accounts = _population(sessions, new_account, 30, seed=9, share=1.0)
    parts = [accounts[i : i + 4] for i in range(0, len(accounts), 4)]
    with sessions() as db:
        alone = [sorted(store.DbNeighbours(db, RULES).shared(part, 0.4)) for part in parts]
        # Committed rows, read on connections of their own (the linker does so on PostgreSQL).
        ahead = store.ParallelNeighbours(db, RULES, workers=3).shared_many(parts, 0.4)
        assert [sorted(rows) for rows in ahead] == alone
        assert any(alone)
