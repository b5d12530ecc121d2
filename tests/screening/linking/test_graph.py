"""The walk: strong signals link alone, weak ones only add up, shortest paths, bounded."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from screening.linking import kinds as k
from screening.linking.graph import links_from, walk
from screening.linking.rules import LinkRules


class Memory:
    """Accounts and the values they carry, in memory."""

    def __init__(self, carried: dict[int, set[tuple[str, str]]]) -> None:
        self.carried = carried

    def shared(
        self, accounts: Collection[int], at_least: float = 0.0
    ) -> Iterable[tuple[int, int, str, int]]:
        for account in accounts:
            for other, values in self.carried.items():
                if other != account:
                    for kind, value in self.carried[account] & values:
                        yield account, other, kind, hash((kind, value))


RULES = LinkRules(max_hops=3, through_values=1)


def test_a_strong_signal_links_alone_and_weak_ones_only_add_up() -> None:
    rows = [
        (1, 2, k.PAYMENT, 1),
        (1, 3, k.IP_PREFIX, 2),
        (1, 3, k.ASN, 3),
        (1, 3, k.BILLING_CITY, 4),
        (1, 4, k.IP_PREFIX, 5),
        (1, 4, k.BILLING_ADDRESS, 6),
        (1, 5, k.EMAIL, 7),
        (1, 5, k.EMAIL_NORMALISED, 8),
    ]
    found = links_from(rows, RULES)[1]
    assert set(found) == {2, 4, 5}  # 3 shares only weak signals that do not add up to a link
    assert found[4].kinds == (k.BILLING_ADDRESS, k.IP_PREFIX)
    assert found[5].score == 1.0  # an address and its normalised form are one mailbox


def test_the_walk_follows_shortest_paths_within_the_hop_limit() -> None:
    card, device, phone, other = (k.PAYMENT, "c"), (k.DEVICE, "d"), (k.PHONE, "p"), (k.DEVICE, "z")
    graph = Memory(
        {
            1: {card},
            2: {card, device},
            3: {device, phone},
            4: {phone, other},
            5: {other},
            6: {card, phone},
        }
    )
    walked = walk(graph, {1: 0}, RULES)
    hops = {a: r.hops for a, r in walked.reached.items()}
    assert hops == {2: 1, 6: 1, 3: 2, 4: 2, 5: 3}
    assert walked.reached[4].via == 6  # by the phone from 6, not the long way round
    short = walk(graph, {1: 0}, LinkRules(max_hops=1, through_values=1))
    assert set(short.reached) == {2, 6}


def test_stopped_accounts_are_touched_not_walked_through() -> None:
    card, device = (k.PAYMENT, "c"), (k.DEVICE, "d")
    graph = Memory({1: {card}, 2: {card, device}, 3: {device}})
    walked = walk(graph, {1: 0}, RULES, stop=lambda accounts: {2} & set(accounts))
    assert walked.reached == {}
    assert walked.touched == {2}


def test_the_walk_stops_at_the_cluster_limit() -> None:
    card = (k.PAYMENT, "c")
    graph = Memory({n: {card} for n in range(1, 11)})
    walked = walk(graph, {1: 0}, LinkRules(max_cluster=4))
    assert len(walked.reached) == 4
    assert walked.truncated


def test_the_walk_does_not_go_on_through_an_account_sharing_one_value() -> None:
    """A stolen card: many shell accounts share it with its owner, and only it. The owner goes
    to review; the owner's family (who share another card, their address and their home network
    with the owner) do not."""
    stolen, ring_device, family_card = (k.PAYMENT, "s"), (k.DEVICE, "r"), (k.PAYMENT, "f")
    home = {(k.BILLING_ADDRESS, "1 home"), (k.IP_PREFIX, "home")}
    graph = Memory(
        {
            1: {stolen, ring_device},  # the denied account
            2: {stolen, ring_device},  # a shell account
            3: {stolen, family_card, *home},  # the card's owner
            4: {family_card, *home},  # the owner's child
        }
    )
    walked = walk(graph, {1: 0}, LinkRules(through_values=2))
    assert set(walked.reached) == {2, 3}
    assert walked.through == {2}


class Pruned(Memory):
    """Leaves out the pairs whose weights cannot reach `at_least`, as the database does."""

    def shared(
        self, accounts: Collection[int], at_least: float = 0.0
    ) -> Iterable[tuple[int, int, str, int]]:
        rows = list(super().shared(accounts))
        totals: dict[tuple[int, int], float] = {}
        for a, b, kind, _ in rows:
            totals[(a, b)] = totals.get((a, b), 0.0) + LinkRules().weight(kind)
        return [r for r in rows if totals[(r[0], r[1])] >= at_least - 1e-6]


def test_leaving_out_pairs_too_weak_to_link_walks_the_same() -> None:
    """Where a city may vouch (through_score 0.2; by default it may not), account 2 is vouched
    for by its card (shared with 1) and its city (shared with 5 alone, reached by another value:
    a pair too weak to come back pruned): asked for again, it is walked through as before."""
    card, city = (k.PAYMENT, "c"), (k.BILLING_CITY, "x")
    one, two = (k.DEVICE, "d1"), (k.DEVICE, "d2")
    carried = {1: {card, one}, 2: {card, city, two}, 5: {one, city}, 3: {two}}
    two_values = LinkRules(through_values=2, through_score=0.2)
    no_crowd = LinkRules(through_values=2, through_score=0.2, crowd_min=0)
    for rules in (RULES, two_values, no_crowd):
        full, pruned = walk(Memory(carried), {1: 0}, rules), walk(Pruned(carried), {1: 0}, rules)
        assert full == pruned
    assert 3 in walk(Pruned(carried), {1: 0}, two_values).reached
