"""The link graph, walked breadth-first from denied accounts. Pure: the signals two accounts
share come through the `Neighbours` protocol (the database in production, memory in tests)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from screening.linking import kinds as k
from screening.linking.rules import LinkRules

# (an account, another account, the kind of a value both carry, that value's id)
Shared = tuple[int, int, str, int]


class Neighbours(Protocol):
    def shared(self, accounts: Collection[int], at_least: float = 0.0) -> Iterable[Shared]:
        """One row for every counting signal value that an account of `accounts` and another
        account both carry, and that no more than the degree cut-off of accounts carry. With
        `at_least`, the rows of pairs whose weights cannot add up to it may be left out (every
        row of the other pairs is kept)."""
        ...


@dataclass(frozen=True, slots=True)
class Link:
    score: float
    kinds: tuple[str, ...]  # grouped, strongest first
    # A crowd link: weak links to this many accounts of the cluster, none enough alone.
    crowd: int = 0


@dataclass(frozen=True, slots=True)
class Reach:
    account: int
    hops: int
    via: int
    link: Link


def _link(kinds: set[str], rules: LinkRules) -> Link:
    grouped = sorted({k.group_of(kind) for kind in kinds}, key=lambda g: (-rules.weight(g), g))
    return Link(rules.score(kinds), tuple(grouped))


def pair_links(rows: Iterable[Shared], rules: LinkRules) -> dict[int, dict[int, Link]]:
    """What each pair shares, strong or not, by account then neighbour."""
    # Most pairs share one kind: held as the kind itself, a set only from the second (a walk
    # pairs millions of rows, and a set or a frozenset each costs more than the pairing).
    shared: dict[tuple[int, int], str | set[str]] = {}
    for account, other, kind, _ in rows:
        if account == other:
            continue
        key = (account, other)
        held = shared.get(key)
        if held is None:
            shared[key] = kind
        elif isinstance(held, str):
            if held != kind:
                shared[key] = {held, kind}
        else:
            held.add(kind)
    found: dict[int, dict[int, Link]] = {}
    # A walk meets a handful of combinations of kinds over millions of pairs: each is scored once.
    made: dict[str | frozenset[str], Link] = {}
    for (account, other), kinds in shared.items():
        combination = kinds if isinstance(kinds, str) else frozenset(kinds)
        link = made.get(combination)
        if link is None:
            link = made[combination] = _link({kinds} if isinstance(kinds, str) else kinds, rules)
        links = found.get(account)
        if links is None:
            links = found[account] = {}
        links[other] = link
    return found


def least_link(rules: LinkRules) -> float:
    """The least score a pair's link needs to count in a walk: the threshold, or a crowd's
    share of one."""
    return min(rules.threshold, rules.crowd_score) if rules.crowd_min > 0 else rules.threshold


def links_from(rows: Iterable[Shared], rules: LinkRules) -> dict[int, dict[int, Link]]:
    """Links at or above the threshold, by account then neighbour."""
    found: dict[int, dict[int, Link]] = {}
    for account, others in pair_links(rows, rules).items():
        strong = {o: link for o, link in others.items() if link.score >= rules.threshold}
        if strong:
            found[account] = strong
    return found


def crowd_link(
    support: Mapping[int, Link], rules: LinkRules, hops: Mapping[int, int] | None = None
) -> tuple[int, Link] | None:
    """Weak links to at least `rules.crowd_min` accounts of one cluster make one link (many
    shell accounts behind one proxy range and one story, none sharing a card or a device):
    (the strongest supporter, the crowd link), or None."""
    counted = {a: link for a, link in support.items() if link.score >= rules.crowd_score}
    if rules.crowd_min <= 0 or len(counted) < rules.crowd_min:
        return None
    # The supporter the path goes through: the nearest to the root, then the strongest.
    best = min(counted, key=lambda a: ((hops or {}).get(a, 0), -counted[a].score, a))
    kinds = sorted(
        {kind for link in counted.values() for kind in link.kinds},
        key=lambda g: (-rules.weight(g), g),
    )
    score = round(min(sum(link.score for link in counted.values()), 9.0), 6)
    return best, Link(score, tuple(kinds), crowd=len(counted))


def _links_vouch(rules: LinkRules) -> bool:
    """Whether every reached account passes: when one value suffices and every strong link
    holds a value heavy enough to vouch (the kinds too light to vouch cannot add up to a link;
    a crowd link passes anyway), the link that reached an account vouches for it."""
    light = sum(w for w in rules.weights.values() if w < rules.through_score)
    return rules.through_values <= 0 or (
        rules.through_values == 1 and light < rules.threshold - 1e-9
    )


def passes_through(shared_values: Collection[int], rules: LinkRules) -> bool:
    """Whether the walk goes on through an account: only when the cluster reaches it by at
    least `rules.through_values` distinct values. One reached by a single value (one card,
    however many shell accounts use it) may be the card's owner, whose card was stolen: it goes
    to review, but its family's and colleagues' links are not followed."""
    return len(shared_values) >= rules.through_values


def dense(link: Link, rules: LinkRules) -> bool:
    """Whether a link shares several values heavy enough to vouch (`rules.through_score`):
    what a household (an address and a home network) or colleagues (a domain, an office, a
    NAT) share. An account the cluster reaches by one value is not walked through such links."""
    return sum(1 for kind in link.kinds if rules.weight(kind) >= rules.through_score) >= 2


@dataclass(slots=True)
class Walk:
    reached: dict[int, Reach]
    # Accounts met that `stop` holds back (members of a cluster already): not walked through.
    touched: set[int]
    truncated: bool
    # The reached accounts the walk went on through (`passes_through`).
    through: set[int] = field(default_factory=set)


def _one_way(one: Reach, other: Reach) -> bool:
    """Whether two accounts of a level were reached the same way: from one account, by the
    same kinds (two holders of one stolen card)."""
    return one.via == other.via and one.link.kinds == other.link.kinds


def _nothing(accounts: Collection[int]) -> set[int]:
    return set()


def walk(
    neighbours: Neighbours,
    start: Mapping[int, int],
    rules: LinkRules,
    *,
    stop: Callable[[Collection[int]], set[int]] = _nothing,
    partly: Collection[int] = (),
    chunk: int = 500,
) -> Walk:
    """Every account reachable from `start` (account -> hops it is at already) within
    `rules.max_hops`, each by its shortest path (ties: the stronger link, then the lower id).
    Accounts `stop` returns (asked once per level, for the accounts that level offers) are
    neither reached nor walked through: they belong to a cluster already, which keeps its own
    paths. The walk goes on through every reached account, but through all its links only
    when the cluster reaches it by `rules.through_values` distinct values (`passes_through`;
    those are `through`), or by a crowd link (weak links from many accounts vouch by their
    number): the values it shares with accounts reached before it, and those it shares with
    accounts of its own level that the cluster reached by other values than it. An account
    reached by fewer (and the `partly` of `start`) is walked through only by links that share
    at most one value heavy enough to vouch: not into its household or workplace, who share
    an address and a home network, or a domain, an office and a NAT with it. The owner of a
    stolen card and the teammates who share that card are reached by the card alone (what
    they share with each other does not vouch: one piece of evidence, not two), so the walk
    does not go on into their company; a rotating campaign, whose accounts each share one card
    or one device with the next, is still followed. The walk ends early, `truncated`, at
    `rules.max_cluster` accounts."""
    seen: dict[int, int] = dict(start)
    reached: dict[int, Reach] = {}
    touched: set[int] = set()
    through: set[int] = set()
    # Weak links into the walked accounts, gathered over every level: enough of them make a
    # crowd link (rules.crowd_min).
    support: dict[int, dict[int, Link]] = {}
    frontier = sorted(a for a, hops in start.items() if hops < rules.max_hops)
    least = least_link(rules)
    heavy = {kind: rules.weight(kind) >= rules.through_score for kind in k.ALL}
    far = rules.max_hops + 1
    nothing: frozenset[int] = frozenset()

    def vouching(rows: Iterable[Shared]) -> dict[int, set[int]]:
        """The heavy values each account shares with accounts reached before it, and with
        accounts of its own level reached another way (by another account, or by other kinds):
        two colleagues reached by one stolen card, from one account, are one piece of evidence."""
        vouched: dict[int, set[int]] = {}
        heavy_of, seen_of = heavy.get, seen.get
        for account, other, kind, value in rows:
            weighty = heavy_of(kind)
            if weighty is None:
                weighty = heavy[kind] = rules.weight(kind) >= rules.through_score
            if not weighty:
                continue
            theirs = seen_of(other, far)
            mine = seen[account]
            if theirs > mine:
                continue
            if theirs == mine:
                peer, me = reached.get(other), reached.get(account)
                if peer is None or me is None or _one_way(peer, me):
                    continue
            held = vouched.get(account)
            if held is None:
                vouched[account] = {value}
            else:
                held.add(value)
        return vouched

    def passes(account: int, vouched: dict[int, set[int]]) -> bool:
        if account in start:
            return account not in partly
        if reached[account].link.crowd:
            return True
        return passes_through(vouched.get(account, nothing), rules)

    everyone = _links_vouch(rules)
    while frontier:
        offers: dict[int, Reach] = {}
        # Only an account whose support grew can have become a crowd link since last level.
        grown: set[int] = set()
        for first in range(0, len(frontier), chunk):
            part = frontier[first : first + chunk]
            # Pairs too weak to link leave out most rows (a city shared by 200 accounts); every
            # value heavy enough to vouch by default comes in the rows kept.
            rows = list(neighbours.shared(part, least))
            if everyone:
                passing = set(part) - set(partly)
            else:
                vouched = vouching(rows)
                if rules.through_score < least:
                    # Values lighter than a crowd's share may come only in the rows left out:
                    # asked again for the accounts in doubt.
                    doubt = [a for a in part if not passes(a, vouched)]
                    if doubt:
                        for account, values in vouching(neighbours.shared(doubt)).items():
                            vouched.setdefault(account, set()).update(values)
                passing = {a for a in part if passes(a, vouched)}
            through |= passing - set(start)
            for account, found in sorted(pair_links(rows, rules).items()):
                in_part = account not in passing
                hops = seen[account] + 1
                for other, link in found.items():
                    if other in seen:
                        continue
                    if in_part and link.score >= rules.threshold and dense(link, rules):
                        continue
                    if link.score < rules.threshold:
                        support.setdefault(other, {})[account] = link
                        grown.add(other)
                        continue
                    held = offers.get(other)
                    if held is None or (hops, -link.score, account) < (
                        held.hops,
                        -held.link.score,
                        held.via,
                    ):
                        offers[other] = Reach(other, hops, account, link)
        for other in sorted(grown):
            if other in seen or other in offers:
                continue
            crowd = crowd_link(support[other], rules, seen)
            if crowd is not None:
                via, link = crowd
                hops = seen[via] + 1
                if hops <= rules.max_hops:
                    offers[other] = Reach(other, hops, via, link)
        held_back = stop(sorted(offers)) if offers else set()
        touched |= held_back
        frontier = []
        for other in sorted(offers):
            if other in held_back:
                seen[other] = offers[other].hops
                continue
            if len(reached) >= rules.max_cluster:
                return Walk(reached, touched, True, through)
            reach = offers[other]
            seen[other] = reach.hops
            reached[other] = reach
            if reach.hops < rules.max_hops:
                frontier.append(other)
    return Walk(reached, touched, False, through)
