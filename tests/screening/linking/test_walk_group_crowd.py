"""Group crowds: shell accounts on one drop address, each behind a different proxy range, link
by the distinct ranges they share with the cluster together, where no range alone has a
crowd; a household behind one home network does not, and the extra reads are bounded."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable

from screening.linking import kinds as k
from screening.linking.graph import Link, Shared, group_crowd, walk
from screening.linking.rules import LinkRules
from tests.screening.linking.test_graph import Memory

RULES = LinkRules()


class Counting(Memory):
    """Memory that remembers which accounts the walk asked about."""

    def __init__(self, carried: dict[int, set[tuple[str, str]]]) -> None:
        super().__init__(carried)
        self.asked: list[int] = []

    def shared(self, accounts: Collection[int], at_least: float = 0.0) -> Iterable[Shared]:
        self.asked.extend(accounts)
        return list(super().shared(accounts, at_least))


def _net(n: int) -> tuple[str, str]:
    return (k.IP_PREFIX, f"proxy-{n}")


def _two_drops() -> dict[int, set[tuple[str, str]]]:
    """The denied account (1) and its drop-mates (2-6) on drop A; drop B's accounts (20-24)
    each behind one of the ranges A's accounts use; one range (1) carries two of A's."""
    drop_a, drop_b = (k.BILLING_ADDRESS, "drop a"), (k.BILLING_ADDRESS, "drop b")
    carried: dict[int, set[tuple[str, str]]] = {1: {drop_a, _net(0)}}
    for n in range(1, 5):
        carried[1 + n] = {drop_a, _net(n)}
    carried[6] = {drop_a, _net(1)}
    for n in range(5):
        carried[20 + n] = {drop_b, _net(n), (k.PAYMENT, f"fresh {n}")}
    return carried


def test_a_drops_accounts_link_by_the_ranges_they_share_with_the_cluster_together() -> None:
    walked = walk(Memory(_two_drops()), {1: 0}, RULES)
    assert set(walked.reached) == {2, 3, 4, 5, 6, 20, 21, 22, 23, 24}
    # The most supported of drop B (two of A's accounts behind its range) links by the group.
    first = walked.reached[21]
    assert first.link.crowd == 6
    assert first.link.kinds == (k.IP_PREFIX,)
    assert first.via in {2, 6}
    # It vouches as a crowd does: the walk goes on through its address to its mates.
    assert 21 in walked.through
    assert {walked.reached[b].via for b in (20, 22, 23, 24)} == {21}


def test_without_group_crowds_no_range_alone_has_enough_of_the_cluster() -> None:
    off = dataclasses.replace(RULES, group_reads=0)
    walked = walk(Memory(_two_drops()), {1: 0}, off)
    assert set(walked.reached) == {2, 3, 4, 5, 6}


def test_a_household_behind_one_network_is_not_a_group_crowd() -> None:
    """Four of the cluster's accounts behind a family's home /24 (a residential proxy): the
    family share an address and that one network, one value however many they are."""
    drop, home, house = (k.BILLING_ADDRESS, "drop"), _net(99), (k.BILLING_ADDRESS, "home")
    carried: dict[int, set[tuple[str, str]]] = {1: {drop}}
    for n in range(2, 6):
        carried[n] = {drop, home} if n < 5 else {drop, _net(n)}
    for n in range(30, 34):
        carried[n] = {house, home, (k.PAYMENT, f"own {n}")}
    walked = walk(Memory(carried), {1: 0}, RULES)
    assert set(walked.reached) == {2, 3, 4, 5}


def test_the_extra_reads_are_bounded() -> None:
    carried = _two_drops()
    # Accounts behind the cluster's ranges with nothing else shared: candidates too.
    for n in range(40, 60):
        carried[n] = {_net(n % 5), (k.PAYMENT, f"own {n}")}
    for budget in (0, 3, 500):
        graph = Counting(carried)
        walked = walk(graph, {1: 0}, dataclasses.replace(RULES, group_reads=budget))
        outside = [a for a in graph.asked if a not in walked.reached and a != 1]
        assert len(outside) <= budget
    assert 20 in walked.reached  # with enough reads, drop B still links


def test_group_crowd_counts_distinct_values_over_the_group() -> None:
    one = Link(RULES.score({k.IP_PREFIX}), (k.IP_PREFIX,))
    support = {10: {1: one, 2: one}, 11: {3: one}, 12: {4: one}, 13: {5: one}}
    values = {10: [(1, 100), (2, 100)], 11: [(3, 101)], 12: [(4, 102)], 13: [(5, 103)]}
    assert group_crowd(10, [11, 12, 13], support, values, RULES) is None  # four ranges
    support[14], values[14] = {6: one}, [(6, 104)]
    found = group_crowd(10, [11, 12, 13, 14], support, values, RULES, {1: 1, 2: 0})
    assert found is not None
    via, crowd = found
    assert via == 2
    assert crowd.crowd == 6
