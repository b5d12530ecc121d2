"""The link graph, walked breadth-first from denied accounts. Pure: the signals two accounts
share come through the `Neighbours` protocol (the database in production, memory in tests)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

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


@runtime_checkable
class ManyNeighbours(Neighbours, Protocol):
    def shared_many(
        self, parts: Sequence[Collection[int]], at_least: float = 0.0
    ) -> Iterator[list[Shared]]:
        """`shared` of each part, in order; read ahead of the caller as the reader can."""
        ...


def _each(
    neighbours: Neighbours, parts: Sequence[Collection[int]], at_least: float
) -> Iterator[list[Shared]]:
    if isinstance(neighbours, ManyNeighbours):
        yield from neighbours.shared_many(parts, at_least)
        return
    for part in parts:
        yield list(neighbours.shared(part, at_least))


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


def group_crowd(
    account: int,
    mates: Collection[int],
    support: Mapping[int, Mapping[int, Link]],
    values: Mapping[int, Iterable[tuple[int, int]]],
    rules: LinkRules,
    hops: Mapping[int, int] | None = None,
) -> tuple[int, Link] | None:
    """A crowd over the accounts one strong value ties together (`mates`: shell accounts on one
    drop address, each behind a different proxy range): weak links into the cluster through at
    least `rules.crowd_min` distinct values, counted over `account` and its mates together,
    make a link for `account`. A household or a team shares one home or office network, so its
    weak links come through one or two values however many of them there are. `values`: for
    each outside account, (a supporter, a value heavy enough for a crowd that they share).
    (The nearest supporter of `account`, the link), or None."""
    own = support.get(account)
    if rules.crowd_min <= 0 or not own:
        return None
    through: set[int] = set()
    backers: set[int] = set()
    for one in (account, *mates):
        links = support.get(one)
        if not links:
            continue
        for supporter, value in values.get(one, ()):
            link = links.get(supporter)
            if link is not None and link.score >= rules.crowd_score:
                through.add(value)
                backers.add(supporter)
    if len(through) < rules.crowd_min:
        return None
    counted = {a: link for a, link in own.items() if link.score >= rules.crowd_score}
    if not counted:
        return None
    best = min(counted, key=lambda a: ((hops or {}).get(a, 0), -counted[a].score, a))
    return best, Link(counted[best].score, counted[best].kinds, crowd=len(backers))


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
    or one device with the next, is still followed. When a level offers no new account, the
    outside accounts that several walked accounts link to weakly (`rules.group_support`) are
    read, at most `rules.group_reads` a walk, for a group crowd (`group_crowd`): shell accounts
    on one drop address behind many proxy ranges, none with a crowd of its own. The walk ends
    early, `truncated`, at `rules.max_cluster` accounts."""
    seen: dict[int, int] = dict(start)
    reached: dict[int, Reach] = {}
    touched: set[int] = set()
    through: set[int] = set()
    # Weak links into the walked accounts, gathered over every level: enough of them make a
    # crowd link (rules.crowd_min).
    support: dict[int, dict[int, Link]] = {}
    # Group crowds (`group_crowd`) read more, but only when the walk stalls and at most
    # rules.group_reads accounts a walk: the strong links of the outside accounts most
    # supported, and the weak values behind the support of them and of their mates.
    mates_of: dict[int, set[int]] = {}
    weak_values: dict[int, list[tuple[int, int]]] = {}
    valued: dict[int, int] = {}  # an account -> how many supported it when its values were read
    reads_left = rules.group_reads if rules.crowd_min > 0 and rules.group_support > 0 else 0
    weakish = frozenset(
        kind for kind in k.ALL if rules.crowd_score <= rules.weight(kind) < rules.threshold
    )
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

    def read_values(accounts: list[int]) -> list[Shared]:
        nonlocal reads_left
        reads_left -= len(accounts)
        rows = list(neighbours.shared(accounts, min(rules.crowd_score, rules.threshold)))
        for account in accounts:
            weak_values[account] = []
            valued[account] = len(support.get(account, ()))
        for account, other, kind, value in rows:
            if kind in weakish and other in support.get(account, ()):
                weak_values[account].append((other, value))
        return rows

    everyone = _links_vouch(rules)
    while frontier:
        offers: dict[int, Reach] = {}
        # Only an account whose support grew can have become a crowd link since last level.
        grown: set[int] = set()
        parts = [frontier[first : first + chunk] for first in range(0, len(frontier), chunk)]
        # Pairs too weak to link leave out most rows (a city shared by 200 accounts); every
        # value heavy enough to vouch by default comes in the rows kept.
        for part, rows in zip(parts, _each(neighbours, parts, least), strict=True):
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
        if not offers and reads_left:
            # Stalled: the links and crowds are exhausted. The outside accounts most supported
            # have their strong links read (bounded: most of a big cluster's outside neighbours
            # are single households behind its members' networks).
            wanted = sorted(
                (-n, other)
                for other, links in support.items()
                if len(links) >= rules.group_support
                and other not in seen
                and other not in mates_of
                and (n := sum(1 for link in links.values() if link.score >= rules.crowd_score))
                >= rules.group_support
            )[:reads_left]
            read = [other for _, other in wanted]
            if read:
                strong = links_from(read_values(read), rules)
                for other in read:
                    mates_of[other] = set(strong.get(other, {}))
            # Their mates' values, and those that more accounts support since they were read.
            stale = sorted(
                {
                    one
                    for other, mates in mates_of.items()
                    if other not in seen
                    for one in (other, *mates)
                    if one not in seen and one in support and valued.get(one) != len(support[one])
                }
            )[:reads_left]
            if stale:
                read_values(stale)
            for other in sorted(mates_of):
                if other in seen or other in offers:
                    continue
                mates = [m for m in mates_of[other] if m not in seen]
                group = group_crowd(other, mates, support, weak_values, rules, seen)
                if group is not None:
                    via, link = group
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
