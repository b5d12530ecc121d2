"""Who owns whom: validated ownership holdings, the graph they form, and declared owners.

Pure: standard library and `screening.errors` only. Node ids are opaque strings chosen by the
caller (a curated party key, a declared node's derived id); this module never looks at names
except to carry them.

The rules in `screening.policy.ownership` walk the graph in topological order, so the graph
refuses what would make that order undefined or unbounded: cycles, chains deeper than
`MAX_DEPTH`, more than `MAX_HOLDINGS` holdings.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Final, TypeGuard

from screening.errors import InvalidQueryError

MAX_HOLDINGS: Final = 10_000
# Longest chain of holdings, owner to owned. Real groups stay within a dozen levels; deeper
# chains are data errors or attempts to make screening slow.
MAX_DEPTH: Final = 50
MAX_DECLARED_NODES: Final = 1_000
# Published stakes are rounded (33.33 + 33.33 + 33.34); 0.01 points absorbs that, not more.
STAKE_TOLERANCE: Final = 0.01

_DECLARATION_KEYS: Final = frozenset({"id", "name", "country", "percent", "owners"})
_COUNTRY = re.compile(r"[A-Za-z]{2}")


class OwnershipError(InvalidQueryError):
    """Ownership data that cannot be screened: a cycle, stakes over 100%, a malformed declaration.

    `cycle` holds the node ids of a refused cycle, owner first, the first id repeated at the end.
    """

    def __init__(self, detail: str, *, cycle: tuple[str, ...] | None = None) -> None:
        super().__init__(detail)
        self.cycle = cycle


def _is_percent(value: object) -> TypeGuard[int | float]:
    # bool is an int subclass; `True` as a stake is a malformed document, not 1%.
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 < value <= 100
    )


def fmt_percent(value: float) -> str:
    """`55`, `49.9`, `33.3333`: enough digits to tell 50 from just above or below it."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Holding:
    """`owner` holds `percent` of `owned`, as `source` says (as of `as_of`)."""

    owner: str
    owned: str
    percent: float
    source: str
    as_of: date | None = None
    # False for a stake nobody has checked (a curated note, a customer's unsupported claim): a
    # finding resting on it goes to review rather than deny.
    verified: bool = True

    def __post_init__(self) -> None:
        for label, value in (("owner", self.owner), ("owned", self.owned), ("source", self.source)):
            if not isinstance(value, str) or not value:
                raise OwnershipError(f"holding {label} must be a non-empty string, got {value!r}")
        if self.owner == self.owned:
            raise OwnershipError(f"a party cannot own itself: {self.owner} -> {self.owner}")
        if not _is_percent(self.percent):
            raise OwnershipError(
                f"stake of {self.owner} in {self.owned} must be a number in (0, 100], "
                f"got {self.percent!r}"
            )


class OwnershipGraph:
    """An acyclic, bounded set of holdings. Build with `OwnershipGraph.build`."""

    __slots__ = ("_depth", "_holdings", "_order", "_owners")

    def __init__(self, holdings: Iterable[Holding]) -> None:
        items = tuple(islice(holdings, MAX_HOLDINGS + 1))
        if len(items) > MAX_HOLDINGS:
            raise OwnershipError(f"more than {MAX_HOLDINGS} holdings in one ownership graph")
        owners: dict[str, list[Holding]] = {}
        owned_by: dict[str, list[str]] = {}
        seen: dict[tuple[str, str], Holding] = {}
        for h in items:
            if not isinstance(h, Holding):
                raise OwnershipError(f"not a Holding: {h!r}")
            earlier = seen.get((h.owner, h.owned))
            if earlier is not None:
                # Summing both would double-count one stake reported twice; keeping either is a
                # judgement about sources that belongs to the caller.
                raise OwnershipError(
                    f"two holdings of {h.owner} in {h.owned} ({fmt_percent(earlier.percent)}% "
                    f"from {earlier.source}, {fmt_percent(h.percent)}% from {h.source}): "
                    "reconcile them into one"
                )
            seen[(h.owner, h.owned)] = h
            owners.setdefault(h.owned, []).append(h)
            owners.setdefault(h.owner, [])
            owned_by.setdefault(h.owner, []).append(h.owned)
        for node, stakes in owners.items():
            total = math.fsum(h.percent for h in stakes)
            if total > 100 + STAKE_TOLERANCE:
                listed = ", ".join(
                    f"{h.owner} {fmt_percent(h.percent)}% ({h.source})" for h in stakes
                )
                raise OwnershipError(
                    f"stakes in {node} add up to {fmt_percent(total)}%, more than 100%: {listed}"
                )
        self._holdings = items
        self._owners = {node: tuple(stakes) for node, stakes in owners.items()}
        self._order = _topological_order(self._owners, owned_by)
        self._depth = _check_depth(self._order, self._owners)

    @classmethod
    def build(cls, holdings: Iterable[Holding]) -> OwnershipGraph:
        """Validate `holdings` into a graph; raises `OwnershipError` naming what is wrong."""
        return cls(holdings)

    @property
    def holdings(self) -> tuple[Holding, ...]:
        return self._holdings

    @property
    def nodes(self) -> frozenset[str]:
        return frozenset(self._owners)

    @property
    def order(self) -> tuple[str, ...]:
        """Every node, each after all of its owners."""
        return self._order

    @property
    def depth(self) -> int:
        """Holdings in the longest owner-to-owned chain."""
        return self._depth

    def owners_of(self, node: str) -> tuple[Holding, ...]:
        """The direct stakes held in `node`; empty for a node the graph does not know."""
        return self._owners.get(node, ())

    def ancestors(self, node: str) -> frozenset[str]:
        """Every node owning `node` directly or indirectly (not `node` itself)."""
        found: set[str] = set()
        todo = [node]
        while todo:
            for h in self._owners.get(todo.pop(), ()):
                if h.owner not in found:
                    found.add(h.owner)
                    todo.append(h.owner)
        return frozenset(found)


def _topological_order(
    owners: Mapping[str, Sequence[Holding]], owned_by: Mapping[str, Sequence[str]]
) -> tuple[str, ...]:
    pending = {node: len(stakes) for node, stakes in owners.items()}
    ready = deque(sorted(node for node, n in pending.items() if n == 0))
    order: list[str] = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for child in owned_by.get(node, ()):
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
    if len(order) < len(pending):
        cycle = _find_cycle({node for node, n in pending.items() if n > 0}, owners)
        raise OwnershipError(
            f"ownership cycle: {' -> '.join(cycle)}; a party cannot own itself, "
            "directly or through others",
            cycle=cycle,
        )
    return tuple(order)


def _find_cycle(stuck: set[str], owners: Mapping[str, Sequence[Holding]]) -> tuple[str, ...]:
    # Every node Kahn's algorithm could not place still has an owner among the stuck nodes, so
    # walking owner-wards from any of them must come back to a node already on the walk.
    walk = [min(stuck)]
    position = {walk[0]: 0}
    while True:
        nxt = min(h.owner for h in owners[walk[-1]] if h.owner in stuck)
        if nxt in position:
            loop = walk[position[nxt] :][::-1]  # owner first
            first = loop.index(min(loop))
            loop = loop[first:] + loop[:first]
            return (*loop, loop[0])
        position[nxt] = len(walk)
        walk.append(nxt)


def _check_depth(order: Sequence[str], owners: Mapping[str, Sequence[Holding]]) -> int:
    depth: dict[str, int] = {}
    for node in order:
        d = max((depth[h.owner] + 1 for h in owners[node]), default=0)
        if d > MAX_DEPTH:
            raise OwnershipError(f"ownership chain above {node} is deeper than {MAX_DEPTH} levels")
        depth[node] = d
    return max(depth.values(), default=0)


@dataclass(frozen=True, slots=True)
class DeclaredNode:
    """One owner named in a screening request's declaration."""

    id: str
    name: str
    country: str | None  # ISO 3166-1 alpha-2 of its headquarters, upper case, as declared
    location: str  # where in the declaration, e.g. "owners[0].owners[1]"


@dataclass(frozen=True, slots=True)
class Declaration:
    subject: str
    holdings: tuple[Holding, ...]
    nodes: tuple[DeclaredNode, ...]  # in declaration order, parents before their owners


@dataclass(frozen=True, slots=True)
class _Pending:
    obj: object
    owned: str
    node_id: str  # derived from the path; an explicit "id" in `obj` overrides it
    location: str
    depth: int


def owners_from_declaration(
    subject: str,
    owners: Sequence[Mapping[str, object]],
    *,
    source: str = "declaration",
    verified: bool = True,
    as_of: date | None = None,
) -> Declaration:
    """Turn a request's nested owner declaration into holdings and nodes.

    `owners` is `[{"name": ..., "country": "CN", "percent": 60, "owners": [...]}]`, nested to any
    depth up to `MAX_DEPTH`, at most `MAX_DECLARED_NODES` objects in all. Each node's id is its
    parent's id, "/" and its index, so two owners both called "X Holdings" under different
    parents stay two nodes. An explicit `"id"` (a party key the caller knows) replaces the derived
    one; the same explicit id may appear more than once, naming one node, but may declare its
    own owners only once.
    """
    if not isinstance(subject, str) or not subject:
        raise OwnershipError("declaration subject must be a non-empty string")
    todo = [
        _Pending(o, subject, f"{subject}/{i}", f"owners[{i}]", 1)
        for i, o in enumerate(_owner_list(owners, "owners"))
    ][::-1]
    holdings: list[Holding] = []
    nodes: dict[str, DeclaredNode] = {}
    derived: set[str] = set()
    expanded: set[str] = set()
    totals: dict[str, list[float]] = {}
    where: dict[str, str] = {subject: "the subject"}
    seen = 0
    while todo:
        item = todo.pop()
        seen += 1
        if seen > MAX_DECLARED_NODES:
            raise OwnershipError(
                f"ownership declaration names more than {MAX_DECLARED_NODES} owners"
            )
        if item.depth > MAX_DEPTH:
            raise OwnershipError(f"ownership declaration is nested deeper than {MAX_DEPTH} levels")
        obj, loc = item.obj, item.location
        if not isinstance(obj, Mapping):
            raise OwnershipError(f"{loc} must be an object, got {type(obj).__name__}")
        unknown = sorted(str(k) for k in obj if k not in _DECLARATION_KEYS)
        if unknown:
            raise OwnershipError(f"{loc} has unknown keys: {', '.join(unknown)}")
        name = obj.get("name")
        if not isinstance(name, str) or not name.strip():
            raise OwnershipError(f"{loc}.name must be a non-empty string")
        name = name.strip()
        country = obj.get("country")
        if country is not None and not (isinstance(country, str) and _COUNTRY.fullmatch(country)):
            raise OwnershipError(
                f"{loc}.country must be an ISO 3166-1 alpha-2 code, got {country!r}"
            )
        percent = obj.get("percent")
        if not _is_percent(percent):
            raise OwnershipError(f"{loc}.percent must be a number in (0, 100], got {percent!r}")
        explicit = obj.get("id")
        if explicit is not None and (not isinstance(explicit, str) or not explicit):
            raise OwnershipError(f"{loc}.id must be a non-empty string")
        node_id = explicit if explicit is not None else item.node_id
        node = DeclaredNode(node_id, name, country.upper() if country else None, loc)
        earlier = nodes.get(node_id)
        if earlier is not None:
            if explicit is None or node_id in derived:
                raise OwnershipError(f"{loc} and {earlier.location} both have node id {node_id}")
            if (earlier.name, earlier.country) != (node.name, node.country):
                raise OwnershipError(
                    f"{loc} and {earlier.location} give node {node_id} different names or countries"
                )
        else:
            nodes[node_id] = node
            where[node_id] = loc
            if explicit is None:
                derived.add(node_id)
        holdings.append(Holding(node_id, item.owned, float(percent), source, as_of, verified))
        totals.setdefault(item.owned, []).append(float(percent))
        # JSON null is how many clients say "none declared"; treat it as an empty list.
        children = _owner_list(obj.get("owners") or [], f"{loc}.owners")
        if children:
            if node_id in expanded:
                raise OwnershipError(f"{loc}: the owners of node {node_id} are declared twice")
            expanded.add(node_id)
            todo.extend(
                _Pending(c, node_id, f"{node_id}/{i}", f"{loc}.owners[{i}]", item.depth + 1)
                for i, c in reversed(list(enumerate(children)))
            )
    for owned, stakes in totals.items():
        total = math.fsum(stakes)
        if total > 100 + STAKE_TOLERANCE:
            raise OwnershipError(
                f"declared owners of {where[owned]} add up to {fmt_percent(total)}%, more than 100%"
            )
    return Declaration(subject, tuple(holdings), tuple(nodes.values()))


def _owner_list(value: object, location: str) -> Sequence[object]:
    # A str is a Sequence too; an owners list given as text is a malformed document.
    if not isinstance(value, list | tuple):
        raise OwnershipError(f"{location} must be a list, got {type(value).__name__}")
    return value
