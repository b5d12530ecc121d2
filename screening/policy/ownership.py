"""Ownership rules: is a subject owned, in aggregate, by restricted parties?

The policy engine builds an `OwnershipGraph` (curated holdings plus `owners_from_declaration`),
says for each node what it knows (`NodeFacts`: its name, headquarters, the list codes that name
it) and asks the rules here. Each rule returns at most one `OwnershipFinding` for the subject,
carrying the chains from the restricted roots down to the subject and the aggregate percentage,
so that a reviewer sees why without re-running anything.

All three rules share one shape, a fixpoint evaluated in topological order (owners first): a
node is *marked* if it is a root (listed; headquartered in a restricted jurisdiction), or if the
direct stakes held in it by marked nodes add up to the threshold. Stakes are never multiplied
along a chain: an entity that the rule marks counts whole for its own holdings, which is how OFAC
reads its 50% rule and how BIS reads the affiliates rule.

Pure: standard library and `screening.errors` only (through `ownership_graph`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal

from screening.policy.ownership_graph import (
    MAX_DECLARED_NODES,
    MAX_DEPTH,
    MAX_HOLDINGS,
    Declaration,
    DeclaredNode,
    Holding,
    OwnershipError,
    OwnershipGraph,
    fmt_percent,
    owners_from_declaration,
)

__all__ = [
    "BIS_AFFILIATES_CODES",
    "BIS_AFFILIATES_EFFECTIVE",
    "BIS_AFFILIATES_SUSPENDED_FROM",
    "BIS_AFFILIATES_SUSPENDED_THROUGH",
    "MAX_CHAINS",
    "MAX_DECLARED_NODES",
    "MAX_DEPTH",
    "MAX_HOLDINGS",
    "OFAC_BLOCKING_CODES",
    "RESTRICTED_JURISDICTIONS",
    "BisAffiliatesStatus",
    "ChainStep",
    "Declaration",
    "DeclaredNode",
    "Holding",
    "NodeFacts",
    "OwnershipError",
    "OwnershipFinding",
    "OwnershipGraph",
    "RuleName",
    "bis_affiliates",
    "bis_affiliates_status",
    "ofac_fifty_percent",
    "owners_from_declaration",
    "restricted_jurisdiction_control",
]

RuleName = Literal["ofac_50_percent", "bis_affiliates", "restricted_jurisdiction_control"]
BisAffiliatesStatus = Literal["in_force", "suspended", "not_yet"]

OFAC_BLOCKING_CODES: Final = frozenset({"SDN"})
BIS_AFFILIATES_CODES: Final = frozenset({"EL", "MEU"})
RESTRICTED_JURISDICTIONS: Final = frozenset({"CN", "RU", "IR", "KP"})

# BIS "Affiliates rule" (50% rule for the Entity List and MEU List): effective 2025-09-29, then
# suspended for one year from 2025-11-10 under the US-China arrangement of November 2025.
BIS_AFFILIATES_EFFECTIVE: Final = date(2025, 9, 29)
BIS_AFFILIATES_SUSPENDED_FROM: Final = date(2025, 11, 10)
BIS_AFFILIATES_SUSPENDED_THROUGH: Final = date(2026, 11, 9)

# Enough to show a reviewer every route in any real group; the bound is what keeps a dense,
# layered graph (2^n routes) from taking forever. Aggregates and `via` never depend on it.
MAX_CHAINS: Final = 100
_CHAINS_IN_BASIS: Final = 10
# Stakes arrive as decimals (33.33 + 16.67) whose binary sum lands a hair off the threshold.
_EPSILON: Final = 1e-9


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """What the caller knows about one node of the graph."""

    id: str
    name: str
    headquarters: str | None = None  # ISO 3166-1 alpha-2
    listed: frozenset[str] = frozenset()  # list codes that name this node: "SDN", "EL", ...
    # False where the headquarters comes from an unchecked note: a finding that needs it goes to
    # review, like one that needs an unverified holding.
    headquarters_verified: bool = True


@dataclass(frozen=True, slots=True)
class ChainStep:
    owner: str
    owner_name: str
    owned: str
    owned_name: str
    percent: float
    source: str
    verified: bool
    as_of: date | None = None


@dataclass(frozen=True, slots=True)
class OwnershipFinding:
    rule: RuleName
    subject: str
    # Sum of the direct stakes in the subject held by marked (blocked / restricted) owners.
    aggregate_percent: float
    # Each chain runs from a root (`via`) to the subject, owner first; at most MAX_CHAINS.
    chains: tuple[tuple[ChainStep, ...], ...]
    via: tuple[str, ...]  # ids of every root the marked owners trace back to, sorted
    basis: str
    # True if, with unverified holdings and headquarters left out, the rule would not fire.
    depends_on_unverified: bool
    chains_truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "subject": self.subject,
            "aggregate_percent": self.aggregate_percent,
            "chains": [
                [
                    {
                        "owner": s.owner,
                        "owner_name": s.owner_name,
                        "owned": s.owned,
                        "owned_name": s.owned_name,
                        "percent": s.percent,
                        "source": s.source,
                        "verified": s.verified,
                        "as_of": s.as_of.isoformat() if s.as_of else None,
                    }
                    for s in chain
                ]
                for chain in self.chains
            ],
            "via": list(self.via),
            "basis": self.basis,
            "depends_on_unverified": self.depends_on_unverified,
            "chains_truncated": self.chains_truncated,
        }


@dataclass(frozen=True, slots=True)
class _Rule:
    name: RuleName
    # Whether a node is a root, given its facts and whether unverified facts may be used.
    is_root: Callable[[NodeFacts, bool], bool]
    meets: Callable[[float], bool]
    root_label: Callable[[NodeFacts], str]
    marked_label: str  # for a node the rule itself marks
    owners_phrase: str


def ofac_fifty_percent(
    graph: OwnershipGraph,
    facts: Mapping[str, NodeFacts],
    subject: str,
    *,
    blocked_codes: Collection[str] = OFAC_BLOCKING_CODES,
) -> list[OwnershipFinding]:
    """OFAC 50% rule: blocked if owned 50% or more in aggregate by blocked persons."""
    codes = frozenset(blocked_codes)
    rule = _Rule(
        name="ofac_50_percent",
        is_root=lambda f, _use_unverified: bool(f.listed & codes),
        meets=lambda agg: agg >= 50 - _EPSILON,
        root_label=lambda f: ", ".join(sorted(f.listed & codes)),
        marked_label="blocked by the 50% rule",
        owners_phrase="blocked persons (OFAC 50% rule)",
    )
    return _evaluate(rule, graph, facts, subject)


def bis_affiliates_status(on: date, extension_until: date | None = None) -> BisAffiliatesStatus:
    """Whether the BIS affiliates rule applies on `on`.

    `extension_until` is the last day of a suspension extended beyond 2026-11-09; an earlier date
    changes nothing, since only a longer suspension has been provided for.
    """
    day = _as_day(on)
    through = BIS_AFFILIATES_SUSPENDED_THROUGH
    if extension_until is not None:
        through = max(through, _as_day(extension_until))
    if day < BIS_AFFILIATES_EFFECTIVE:
        return "not_yet"
    if BIS_AFFILIATES_SUSPENDED_FROM <= day <= through:
        return "suspended"
    return "in_force"


def _as_day(value: date) -> date:
    # A datetime is a date to the type checker but cannot be compared with one at run time.
    return value.date() if isinstance(value, datetime) else value


def bis_affiliates(
    graph: OwnershipGraph,
    facts: Mapping[str, NodeFacts],
    subject: str,
    *,
    on: date,
    codes: Collection[str] = BIS_AFFILIATES_CODES,
    extension_until: date | None = None,
) -> list[OwnershipFinding]:
    """BIS affiliates rule: 50% or more in aggregate by Entity List / MEU parties.

    No finding on a date the rule is not in force; `bis_affiliates_status` says why.
    """
    if bis_affiliates_status(on, extension_until) != "in_force":
        return []
    listed_codes = frozenset(codes)
    day = _as_day(on)
    rule = _Rule(
        name="bis_affiliates",
        is_root=lambda f, _use_unverified: bool(f.listed & listed_codes),
        meets=lambda agg: agg >= 50 - _EPSILON,
        root_label=lambda f: ", ".join(sorted(f.listed & listed_codes)),
        marked_label="covered by the affiliates rule",
        owners_phrase=(
            f"{'/'.join(sorted(listed_codes))} parties "
            f"(BIS affiliates rule, in force on {day.isoformat()})"
        ),
    )
    return _evaluate(rule, graph, facts, subject)


def restricted_jurisdiction_control(
    graph: OwnershipGraph,
    facts: Mapping[str, NodeFacts],
    subject: str,
    *,
    jurisdictions: Collection[str] = RESTRICTED_JURISDICTIONS,
) -> list[OwnershipFinding]:
    """More than 50% owned in aggregate by companies headquartered in restricted jurisdictions.

    Wherever the subject itself is: a Singapore subsidiary of a Chinese group is restricted. The
    subject's own headquarters is not looked at; that is the caller's separate, simpler reason.
    """
    places = frozenset(j.upper() for j in jurisdictions)

    def is_root(f: NodeFacts, use_unverified: bool) -> bool:
        hq = f.headquarters.upper() if f.headquarters else None
        return hq in places and (use_unverified or f.headquarters_verified)

    def root_label(f: NodeFacts) -> str:
        hq = (f.headquarters or "").upper()
        return f"headquartered in {hq}" + ("" if f.headquarters_verified else ", unverified")

    rule = _Rule(
        name="restricted_jurisdiction_control",
        is_root=is_root,
        meets=lambda agg: agg > 50 + _EPSILON,
        root_label=root_label,
        marked_label="more than 50% owned from restricted jurisdictions",
        owners_phrase=(
            "companies headquartered in restricted jurisdictions "
            f"({', '.join(sorted(places))}; more than 50% restricts)"
        ),
    )
    return _evaluate(rule, graph, facts, subject)


def _facts_for(facts: Mapping[str, NodeFacts], node: str) -> NodeFacts:
    found = facts.get(node)
    if found is None:
        return NodeFacts(node, node)
    if found.id != node:
        raise ValueError(f"facts[{node!r}] describes node {found.id!r}")
    return found


def _mark(
    rule: _Rule,
    graph: OwnershipGraph,
    facts: Mapping[str, NodeFacts],
    order: tuple[str, ...],
    use_unverified: bool,
) -> tuple[set[str], set[str]]:
    """(marked, roots) among `order`; owners come before what they own, so one pass suffices."""
    marked: set[str] = set()
    roots: set[str] = set()
    for node in order:
        if rule.is_root(_facts_for(facts, node), use_unverified):
            roots.add(node)
            marked.add(node)
        elif rule.meets(_aggregate(graph, node, marked, use_unverified)):
            marked.add(node)
    return marked, roots


def _aggregate(graph: OwnershipGraph, node: str, marked: set[str], use_unverified: bool) -> float:
    return math.fsum(
        h.percent
        for h in graph.owners_of(node)
        if h.owner in marked and (use_unverified or h.verified)
    )


def _evaluate(
    rule: _Rule, graph: OwnershipGraph, facts: Mapping[str, NodeFacts], subject: str
) -> list[OwnershipFinding]:
    ancestors = graph.ancestors(subject)
    if not ancestors:
        return []
    # Only the subject's ancestors can matter; the subject's own status as a root is ignored.
    order = tuple(node for node in graph.order if node in ancestors)
    marked, roots = _mark(rule, graph, facts, order, use_unverified=True)
    aggregate = _aggregate(graph, subject, marked, use_unverified=True)
    if not rule.meets(aggregate):
        return []
    verified_marked, _ = _mark(rule, graph, facts, order, use_unverified=False)
    verified_aggregate = _aggregate(graph, subject, verified_marked, use_unverified=False)
    depends = not rule.meets(verified_aggregate)

    def feeding(node: str) -> list[Holding]:
        # Largest stake first, so the chains a reviewer reads first carry the most weight.
        held = [h for h in graph.owners_of(node) if h.owner in marked]
        return sorted(held, key=lambda h: (-h.percent, h.owner))

    via = _roots_behind(subject, roots, feeding)
    paths, truncated = _chains(subject, roots, feeding)
    chains = tuple(tuple(_step(h, facts) for h in path) for path in paths)

    def label(node: str) -> str:
        f = _facts_for(facts, node)
        if node == subject:
            return f.name
        return f"{f.name} ({rule.root_label(f) if node in roots else rule.marked_label})"

    def render(path: tuple[Holding, ...]) -> str:
        parts = [label(path[0].owner)]
        for h in path:
            flag = " (unverified)" if not h.verified else ""
            parts.append(f"{fmt_percent(h.percent)}%{flag}")
            parts.append(label(h.owned))
        return " -> ".join(parts)

    shown = "; ".join(render(p) for p in paths[:_CHAINS_IN_BASIS])
    if truncated or len(paths) > _CHAINS_IN_BASIS:
        shown += "; and further chains"
    basis = f"owned {fmt_percent(aggregate)}% in aggregate by {rule.owners_phrase}: {shown}"
    if depends:
        basis += (
            f"; depends on unverified data: {fmt_percent(verified_aggregate)}% "
            "in aggregate without it"
        )
    finding = OwnershipFinding(
        rule=rule.name,
        subject=subject,
        aggregate_percent=aggregate,
        chains=chains,
        via=via,
        basis=basis,
        depends_on_unverified=depends,
        chains_truncated=truncated,
    )
    return [finding]


def _roots_behind(
    subject: str, roots: set[str], feeding: Callable[[str], list[Holding]]
) -> tuple[str, ...]:
    found: set[str] = set()
    visited = {subject}
    todo = [subject]
    while todo:
        for h in feeding(todo.pop()):
            if h.owner in roots:
                found.add(h.owner)
            elif h.owner not in visited:
                visited.add(h.owner)
                todo.append(h.owner)
    return tuple(sorted(found))


def _chains(
    subject: str, roots: set[str], feeding: Callable[[str], list[Holding]]
) -> tuple[list[tuple[Holding, ...]], bool]:
    """Root-to-subject paths through marked nodes, depth first, at most MAX_CHAINS."""
    # Every marked non-root node has marked owners (that is why it is marked) and the graph is
    # acyclic, so every branch ends at a root: the walk costs O(MAX_CHAINS * depth).
    paths: list[tuple[Holding, ...]] = []
    todo: list[tuple[Holding, ...]] = [(h,) for h in reversed(feeding(subject))]
    while todo:
        path = todo.pop()
        top = path[0].owner
        if top in roots:
            if len(paths) == MAX_CHAINS:
                return paths, True
            paths.append(path)
        else:
            todo.extend((h, *path) for h in reversed(feeding(top)))
    return paths, False


def _step(h: Holding, facts: Mapping[str, NodeFacts]) -> ChainStep:
    return ChainStep(
        owner=h.owner,
        owner_name=_facts_for(facts, h.owner).name,
        owned=h.owned,
        owned_name=_facts_for(facts, h.owned).name,
        percent=h.percent,
        source=h.source,
        verified=h.verified,
        as_of=h.as_of,
    )
