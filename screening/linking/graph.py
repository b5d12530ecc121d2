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
    """Whether every reached account passes: when one value suffices and every link a walk
    follows holds a value heavy enough to vouch (the kinds too light to vouch cannot add up to
    a link), the link that reached an account vouches for it."""
    light = sum(w for w in rules.weights.values() if w < rules.through_score)
    return rules.through_values <= 0 or (
        rules.through_values == 1 and light < least_link(rules) - 1e-9
    )


def passes_through(shared_values: Collection[int], rules: LinkRules) -> bool:
    """Whether the walk goes on through an account: only when it shares at least
    `rules.through_values` distinct values with the cluster. One that shares a single value
    (one card, however many shell accounts use it) may be the card's owner, whose card was
    stolen: it goes to review, but its family's and colleagues' links are not followed."""
    return len(shared_values) >= rules.through_values


@dataclass(slots=True)
class Walk:
    reached: dict[int, Reach]
    # Accounts met that `stop` holds back (members of a cluster already): not walked through.
    touched: set[int]
    truncated: bool
    # The reached accounts the walk went on through (`passes_through`).
    through: set[int] = field(default_factory=set)


def _nothing(accounts: Collection[int]) -> set[int]:
    return set()


def walk(
    neighbours: Neighbours,
    start: Mapping[int, int],
    rules: LinkRules,
    *,
    stop: Callable[[Collection[int]], set[int]] = _nothing,
    chunk: int = 500,
) -> Walk:
    """Every account reachable from `start` (account -> hops it is at already) within
    `rules.max_hops`, each by its shortest path (ties: the stronger link, then the lower id).
    Accounts `stop` returns (asked once per level, for the accounts that level offers) are
    neither reached nor walked through: they belong to a cluster already, which keeps its own
    paths. A reached account is walked through only when it shares `rules.through_values`
    distinct values with accounts reached no later than itself (`passes_through`): its own
    family and colleagues do not vouch for it. The walk ends early, `truncated`, at
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

    def vouching(rows: Iterable[Shared]) -> dict[int, set[int]]:
        vouched: dict[int, set[int]] = {}
        for account, other, kind, value in rows:
            weighty = heavy.get(kind)
            if weighty is None:
                weighty = heavy[kind] = rules.weight(kind) >= rules.through_score
            if weighty and seen.get(other, far) <= seen[account]:
                vouched.setdefault(account, set()).add(value)
        return vouched

    everyone = _links_vouch(rules)
    while frontier:
        offers: dict[int, Reach] = {}
        # Only an account whose support grew can have become a crowd link since last level.
        grown: set[int] = set()
        for first in range(0, len(frontier), chunk):
            part = frontier[first : first + chunk]
            # Pairs too weak to link leave out most rows (a city shared by 200 accounts); the
            # values they share may still vouch for an account: asked again for those in doubt.
            rows = list(neighbours.shared(part, least))
            if everyone:
                passing = set(part)
            else:
                vouched = vouching(rows)
                doubt = [
                    a
                    for a in part
                    if a not in start and not passes_through(vouched.get(a, ()), rules)
                ]
                if doubt:
                    vouched.update(vouching(neighbours.shared(doubt)))
                passing = {
                    a for a in part if a in start or passes_through(vouched.get(a, ()), rules)
                }
            through |= passing - set(start)
            for account, found in sorted(pair_links(rows, rules).items()):
                if account not in passing:
                    continue
                hops = seen[account] + 1
                for other, link in found.items():
                    if other in seen:
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
