from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.errors import InvalidQueryError
from screening.policy.ownership import (
    MAX_CHAINS,
    MAX_DECLARED_NODES,
    MAX_DEPTH,
    MAX_HOLDINGS,
    Holding,
    NodeFacts,
    OwnershipError,
    OwnershipFinding,
    OwnershipGraph,
    bis_affiliates,
    bis_affiliates_status,
    ofac_fifty_percent,
    owners_from_declaration,
    restricted_jurisdiction_control,
)

# An edge is (owner, owned, percent) or (owner, owned, percent, verified).
Edge = tuple[Any, ...]


def graph(*edges: Edge) -> OwnershipGraph:
    return OwnershipGraph.build(
        Holding(e[0], e[1], e[2], "curated", verified=e[3] if len(e) > 3 else True) for e in edges
    )


def facts(
    listed: Mapping[str, Iterable[str]] | None = None,
    hq: Mapping[str, str] | None = None,
    unverified_hq: Iterable[str] = (),
) -> dict[str, NodeFacts]:
    """Names are the ids; every node mentioned gets facts."""
    listed = listed or {}
    hq = hq or {}
    doubtful = set(unverified_hq)
    ids = set(listed) | set(hq)
    return {
        i: NodeFacts(i, i, hq.get(i), frozenset(listed.get(i, ())), i not in doubtful) for i in ids
    }


def paths(finding: OwnershipFinding) -> list[list[str]]:
    """Each chain as node ids, root first: [["X", "A", "C"], ...]."""
    return [[chain[0].owner, *(s.owned for s in chain)] for chain in finding.chains]


def one(findings: list[OwnershipFinding]) -> OwnershipFinding:
    assert len(findings) == 1, findings
    return findings[0]


# --- OFAC 50% rule ------------------------------------------------------------------------------

SDN_X = {"X": ["SDN"]}
SDN_XY = {"X": ["SDN"], "Y": ["SDN"]}


@pytest.mark.parametrize(
    ("edges", "listed", "subject", "aggregate", "chains", "basis"),
    [
        pytest.param(
            [("X", "S", 50)],
            SDN_X,
            "S",
            50.0,
            [["X", "S"]],
            "owned 50% in aggregate by blocked persons (OFAC 50% rule): X (SDN) -> 50% -> S",
            id="direct-50-blocked",
        ),
        pytest.param([("X", "S", 49.9)], SDN_X, "S", None, [], "", id="direct-49.9-clear"),
        pytest.param(
            [("X", "S", 30), ("Y", "S", 25)],
            SDN_XY,
            "S",
            55.0,
            [["X", "S"], ["Y", "S"]],
            "owned 55% in aggregate by blocked persons (OFAC 50% rule): "
            "X (SDN) -> 30% -> S; Y (SDN) -> 25% -> S",
            id="two-blocked-owners-aggregate-55",
        ),
        pytest.param(
            [("X", "S", 30), ("Y", "S", 19.9)], SDN_XY, "S", None, [], "", id="two-owners-49.9"
        ),
        pytest.param(
            # Decimal stakes whose binary sum falls a hair short of 50 still reach it.
            [("X", "S", 33.33), ("Y", "S", 16.67)],
            SDN_XY,
            "S",
            50.0,
            [["X", "S"], ["Y", "S"]],
            "owned 50% in aggregate by blocked persons (OFAC 50% rule): "
            "X (SDN) -> 33.33% -> S; Y (SDN) -> 16.67% -> S",
            id="decimal-stakes-reach-50",
        ),
        pytest.param(
            # Only aggregation catches C: no single path gives X 50% of it.
            [("X", "A", 60), ("A", "C", 30), ("X", "C", 25)],
            SDN_X,
            "C",
            55.0,
            [["X", "A", "C"], ["X", "C"]],
            "owned 55% in aggregate by blocked persons (OFAC 50% rule): "
            "X (SDN) -> 60% -> A (blocked by the 50% rule) -> 30% -> C; X (SDN) -> 25% -> C",
            id="three-level-C-blocked-55",
        ),
        pytest.param(
            [("X", "A", 60), ("A", "C", 30), ("X", "C", 25), ("C", "D", 50)],
            SDN_X,
            "D",
            50.0,
            [["X", "A", "C", "D"], ["X", "C", "D"]],
            "owned 50% in aggregate by blocked persons (OFAC 50% rule): "
            "X (SDN) -> 60% -> A (blocked by the 50% rule) -> 30% -> C (blocked by the 50% rule)"
            " -> 50% -> D; X (SDN) -> 25% -> C (blocked by the 50% rule) -> 50% -> D",
            id="three-level-D-blocked-through-C",
        ),
        pytest.param(
            # A is only 40% X's, so A is not blocked and its 30% of C does not count.
            [("X", "A", 40), ("A", "C", 30), ("X", "C", 25), ("C", "D", 50)],
            SDN_X,
            "D",
            None,
            [],
            "",
            id="three-level-no-path-reaches-50",
        ),
        pytest.param(
            # Not multiplicative: 50% of 50% is not 25%, B is blocked whole.
            [("X", "A", 50), ("A", "B", 100)],
            SDN_X,
            "B",
            100.0,
            [["X", "A", "B"]],
            "owned 100% in aggregate by blocked persons (OFAC 50% rule): "
            "X (SDN) -> 50% -> A (blocked by the 50% rule) -> 100% -> B",
            id="rule-blocked-entity-counts-for-its-holdings",
        ),
        pytest.param(
            # Blocked A and listed Y together: A's 20% and Y's 30% aggregate.
            [("X", "A", 75), ("A", "S", 20), ("Y", "S", 30)],
            SDN_XY,
            "S",
            50.0,
            [["Y", "S"], ["X", "A", "S"]],
            "owned 50% in aggregate by blocked persons (OFAC 50% rule): "
            "Y (SDN) -> 30% -> S; X (SDN) -> 75% -> A (blocked by the 50% rule) -> 20% -> S",
            id="listed-and-rule-blocked-owners-aggregate",
        ),
        pytest.param(
            [("X", "S", 60)], {"X": ["EL"]}, "S", None, [], "", id="entity-list-is-not-blocking"
        ),
    ],
)
def test_ofac_fifty_percent(
    edges: list[Edge],
    listed: dict[str, list[str]],
    subject: str,
    aggregate: float | None,
    chains: list[list[str]],
    basis: str,
) -> None:
    found = ofac_fifty_percent(graph(*edges), facts(listed), subject)
    if aggregate is None:
        assert found == []
        return
    f = one(found)
    assert f.rule == "ofac_50_percent"
    assert f.subject == subject
    assert f.aggregate_percent == pytest.approx(aggregate)
    assert paths(f) == chains
    assert f.basis == basis
    assert not f.depends_on_unverified
    assert not f.chains_truncated


def test_finding_carries_steps_via_and_names() -> None:
    g = graph(("rostec", "alpha", 60), ("alpha", "subj", 30), ("rostec", "subj", 25))
    nodes = {
        "rostec": NodeFacts("rostec", "ROSTEC", "RU", frozenset({"SDN"})),
        "alpha": NodeFacts("alpha", "Alpha Holdings", "CY"),
        "subj": NodeFacts("subj", "Subject Ltd", "AE"),
    }
    f = one(ofac_fifty_percent(g, nodes, "subj"))
    assert f.basis == (
        "owned 55% in aggregate by blocked persons (OFAC 50% rule): "
        "ROSTEC (SDN) -> 60% -> Alpha Holdings (blocked by the 50% rule) -> 30% -> Subject Ltd; "
        "ROSTEC (SDN) -> 25% -> Subject Ltd"
    )
    assert f.via == ("rostec",)
    first = f.chains[0]
    assert [(s.owner_name, s.owned_name, s.percent, s.source, s.verified) for s in first] == [
        ("ROSTEC", "Alpha Holdings", 60, "curated", True),
        ("Alpha Holdings", "Subject Ltd", 30, "curated", True),
    ]
    body = f.to_dict()
    assert json.loads(json.dumps(body)) == body
    assert body["chains"][1] == [
        {
            "owner": "rostec",
            "owner_name": "ROSTEC",
            "owned": "subj",
            "owned_name": "Subject Ltd",
            "percent": 25,
            "source": "curated",
            "verified": True,
            "as_of": None,
        }
    ]


def test_listed_root_is_not_expanded_and_via_lists_every_root() -> None:
    # Y is itself listed: the chain stops at Y, whoever owns Y.
    g = graph(("X", "Y", 100), ("Y", "A", 60), ("Z", "A", 40), ("A", "S", 50))
    f = one(ofac_fifty_percent(g, facts({"X": ["SDN"], "Y": ["SDN"], "Z": ["SDN"]}), "S"))
    assert f.via == ("Y", "Z")
    assert paths(f) == [["Y", "A", "S"], ["Z", "A", "S"]]


def test_subject_without_owners_or_unknown_to_the_graph_has_no_finding() -> None:
    g = graph(("X", "S", 100))
    assert ofac_fifty_percent(g, facts(SDN_X), "X") == []
    assert ofac_fifty_percent(g, facts(SDN_X), "nobody") == []


def test_custom_blocked_codes() -> None:
    g = graph(("X", "S", 50))
    assert ofac_fifty_percent(g, facts({"X": ["SSI"]}), "S") == []
    f = one(ofac_fifty_percent(g, facts({"X": ["SSI"]}), "S", blocked_codes=("SDN", "SSI")))
    assert f.basis.endswith("X (SSI) -> 50% -> S")


def test_facts_keyed_under_another_id_are_refused() -> None:
    g = graph(("X", "S", 50))
    with pytest.raises(ValueError, match="describes node 'Y'"):
        ofac_fifty_percent(g, {"X": NodeFacts("Y", "Y", listed=frozenset({"SDN"}))}, "S")


# --- unverified holdings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edges", "subject", "depends", "suffix"),
    [
        pytest.param(
            [("X", "S", 30), ("Y", "S", 25, False)],
            "S",
            True,
            "Y (SDN) -> 25% (unverified) -> S; depends on unverified data: 30% in aggregate "
            "without it",
            id="direct-unverified-stake-needed",
        ),
        pytest.param(
            [("X", "S", 50), ("Y", "S", 5, False)],
            "S",
            False,
            "Y (SDN) -> 5% (unverified) -> S",
            id="unverified-stake-not-needed",
        ),
        pytest.param(
            [("X", "A", 60, False), ("A", "S", 55)],
            "S",
            True,
            "X (SDN) -> 60% (unverified) -> A (blocked by the 50% rule) -> 55% -> S; "
            "depends on unverified data: 0% in aggregate without it",
            id="upstream-unverified-stake-needed",
        ),
    ],
)
def test_unverified_holdings_are_flagged(
    edges: list[Edge], subject: str, depends: bool, suffix: str
) -> None:
    f = one(ofac_fifty_percent(graph(*edges), facts(SDN_XY), subject))
    assert f.depends_on_unverified is depends
    assert f.basis.endswith(suffix)
    assert any(not s.verified for chain in f.chains for s in chain)


def test_unverified_headquarters_is_flagged_by_the_lab_rule() -> None:
    g = graph(("P", "S", 60))
    f = one(restricted_jurisdiction_control(g, facts(hq={"P": "CN"}, unverified_hq={"P"}), "S"))
    assert f.depends_on_unverified
    assert "P (headquartered in CN, unverified) -> 60% -> S" in f.basis


# --- graph validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edges", "cycle"),
    [
        pytest.param([("A", "B", 10), ("B", "A", 10)], ("A", "B", "A"), id="two"),
        pytest.param(
            [("A", "B", 10), ("B", "C", 10), ("C", "A", 10)], ("A", "B", "C", "A"), id="three"
        ),
        pytest.param(
            # Named from its smallest id, in owner -> owned order, whatever the input order.
            [("Q", "C", 5), ("C", "A", 10), ("B", "C", 10), ("A", "B", 10), ("C", "Z", 1)],
            ("A", "B", "C", "A"),
            id="three-with-bystanders",
        ),
    ],
)
def test_cycles_are_refused_with_the_cycle_named(edges: list[Edge], cycle: tuple[str]) -> None:
    with pytest.raises(OwnershipError) as caught:
        graph(*edges)
    assert caught.value.cycle == cycle
    assert f"ownership cycle: {' -> '.join(cycle)};" in caught.value.detail
    assert isinstance(caught.value, InvalidQueryError)


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        pytest.param([("A", "A", 10)], "a party cannot own itself: A -> A", id="self"),
        pytest.param(
            [("A", "S", 60), ("B", "S", 45)],
            "stakes in S add up to 105%, more than 100%: A 60% (curated), B 45% (curated)",
            id="over-100",
        ),
        pytest.param(
            [("A", "S", 50), ("B", "S", 50.02)], "stakes in S add up to 100.02%", id="over-100.01"
        ),
        pytest.param(
            [("A", "S", 40), ("A", "S", 40)],
            "two holdings of A in S (40% from curated, 40% from curated): reconcile them",
            id="duplicate-pair",
        ),
        pytest.param([("A", "S", 0)], "must be a number in (0, 100], got 0", id="zero"),
        pytest.param([("A", "S", -5)], "got -5", id="negative"),
        pytest.param([("A", "S", 100.5)], "got 100.5", id="over-100-single"),
        pytest.param([("A", "S", math.nan)], "got nan", id="nan"),
        pytest.param([("A", "S", math.inf)], "got inf", id="inf"),
        pytest.param([("A", "S", True)], "got True", id="bool"),
        pytest.param([("", "S", 10)], "holding owner must be a non-empty string", id="empty-id"),
    ],
)
def test_invalid_holdings_are_refused(edges: list[Edge], message: str) -> None:
    with pytest.raises(OwnershipError) as caught:
        graph(*edges)
    assert message in caught.value.detail


def test_rounded_stakes_within_tolerance_are_accepted() -> None:
    g = graph(("A", "S", 33.33), ("B", "S", 33.33), ("C", "S", 33.35))
    assert math.fsum(h.percent for h in g.owners_of("S")) == pytest.approx(100.01)


def test_depth_is_bounded() -> None:
    chain = [(f"n{i + 1}", f"n{i}", 100) for i in range(MAX_DEPTH)]
    g = graph(*chain)
    assert g.depth == MAX_DEPTH
    f = one(ofac_fifty_percent(g, facts({f"n{MAX_DEPTH}": ["SDN"]}), "n0"))
    assert len(f.chains[0]) == MAX_DEPTH
    with pytest.raises(OwnershipError, match=f"deeper than {MAX_DEPTH} levels"):
        graph(*chain, (f"n{MAX_DEPTH + 1}", f"n{MAX_DEPTH}", 100))


def test_holding_count_is_bounded() -> None:
    def many(n: int) -> Iterable[Holding]:
        return (Holding(f"o{i}", f"s{i}", 1, "curated") for i in range(n))

    assert len(OwnershipGraph.build(many(MAX_HOLDINGS)).holdings) == MAX_HOLDINGS
    with pytest.raises(OwnershipError, match=f"more than {MAX_HOLDINGS} holdings"):
        OwnershipGraph.build(many(MAX_HOLDINGS + 1))


# --- declarations -------------------------------------------------------------------------------


def test_declaration_nested_three_levels() -> None:
    decl = owners_from_declaration(
        "acme",
        [
            {
                "name": "X Holdings",
                "country": "sg",
                "percent": 60,
                "owners": [
                    {
                        "name": "Mid Co",
                        "country": "HK",
                        "percent": 100,
                        "owners": [{"name": "Top Group", "country": "CN", "percent": 70}],
                    }
                ],
            },
            {
                "name": "Other",
                "percent": 40,
                "owners": [{"name": "X Holdings", "country": "SG", "percent": 51}],
            },
        ],
        as_of=date(2026, 12, 1),
    )
    assert decl.subject == "acme"
    assert [(n.id, n.name, n.country, n.location) for n in decl.nodes] == [
        ("acme/0", "X Holdings", "SG", "owners[0]"),
        ("acme/0/0", "Mid Co", "HK", "owners[0].owners[0]"),
        ("acme/0/0/0", "Top Group", "CN", "owners[0].owners[0].owners[0]"),
        ("acme/1", "Other", None, "owners[1]"),
        # Same name under another parent: another node.
        ("acme/1/0", "X Holdings", "SG", "owners[1].owners[0]"),
    ]
    assert [(h.owner, h.owned, h.percent) for h in decl.holdings] == [
        ("acme/0", "acme", 60),
        ("acme/0/0", "acme/0", 100),
        ("acme/0/0/0", "acme/0/0", 70),
        ("acme/1", "acme", 40),
        ("acme/1/0", "acme/1", 51),
    ]
    assert {(h.source, h.verified, h.as_of) for h in decl.holdings} == {
        ("declaration", True, date(2026, 12, 1))
    }

    # The whole way through: a declared Chinese group three levels up restricts acme.
    g = OwnershipGraph.build(decl.holdings)
    nodes = {n.id: NodeFacts(n.id, n.name, n.country) for n in decl.nodes}
    nodes["acme"] = NodeFacts("acme", "Acme Pte", "SG")
    f = one(restricted_jurisdiction_control(g, nodes, "acme"))
    assert f.aggregate_percent == 60
    assert f.basis.endswith(
        "Top Group (headquartered in CN) -> 70% -> Mid Co (more than 50% owned from restricted "
        "jurisdictions) -> 100% -> X Holdings (more than 50% owned from restricted "
        "jurisdictions) -> 60% -> Acme Pte"
    )


def test_declaration_explicit_ids_name_one_node() -> None:
    # The caller's id says both mentions are the same (listed) party: a diamond, not two nodes.
    decl = owners_from_declaration(
        "s",
        [
            {
                "name": "A",
                "percent": 30,
                "owners": [{"id": "ofac:1", "name": "X", "percent": 60}],
            },
            {"id": "ofac:1", "name": "X", "percent": 25},
        ],
    )
    assert [n.id for n in decl.nodes] == ["s/0", "ofac:1"]
    g = OwnershipGraph.build(decl.holdings)
    f = one(ofac_fifty_percent(g, facts({"ofac:1": ["SDN"]}), "s"))
    assert f.aggregate_percent == 55
    assert paths(f) == [["ofac:1", "s/0", "s"], ["ofac:1", "s"]]


def test_thousand_level_declaration_is_refused_cleanly() -> None:
    deepest: dict[str, Any] = {"name": "L999", "percent": 100}
    for level in range(998, -1, -1):
        deepest = {"name": f"L{level}", "percent": 100, "owners": [deepest]}
    with pytest.raises(OwnershipError, match=f"nested deeper than {MAX_DEPTH} levels"):
        owners_from_declaration("s", [deepest])


def test_declaration_depth_limit_is_inclusive() -> None:
    node: dict[str, Any] = {"name": f"L{MAX_DEPTH}", "percent": 100}
    for level in range(MAX_DEPTH - 1, 0, -1):
        node = {"name": f"L{level}", "percent": 100, "owners": [node]}
    decl = owners_from_declaration("s", [node])
    assert OwnershipGraph.build(decl.holdings).depth == MAX_DEPTH


def test_declaration_node_count_is_bounded() -> None:
    flat = [{"name": f"O{i}", "percent": 0.05} for i in range(MAX_DECLARED_NODES + 1)]
    with pytest.raises(OwnershipError, match=f"more than {MAX_DECLARED_NODES} owners"):
        owners_from_declaration("s", flat)
    assert len(owners_from_declaration("s", flat[:-1]).nodes) == MAX_DECLARED_NODES


def test_self_referencing_declaration_terminates() -> None:
    loop: dict[str, Any] = {"name": "Loop", "percent": 10}
    loop["owners"] = [loop]
    with pytest.raises(OwnershipError, match="nested deeper"):
        owners_from_declaration("s", [loop])


@pytest.mark.parametrize(
    ("owners", "message"),
    [
        pytest.param(
            [{"name": "A", "percent": 10, "share_class": "B"}],
            "owners[0] has unknown keys: share_class",
            id="unknown-key",
        ),
        pytest.param(
            [{"name": "A", "percent": 10, "owners": [{"name": "B", "pct": 5}]}],
            "owners[0].owners[0] has unknown keys: pct",
            id="unknown-key-nested",
        ),
        pytest.param([{"name": "A"}], "owners[0].percent must be a number", id="percent-missing"),
        pytest.param([{"name": "A", "percent": 0}], "got 0", id="percent-zero"),
        pytest.param([{"name": "A", "percent": 100.5}], "got 100.5", id="percent-over-100"),
        pytest.param([{"name": "A", "percent": "60"}], "got '60'", id="percent-text"),
        pytest.param([{"percent": 10}], "owners[0].name must be a non-empty", id="name-missing"),
        pytest.param([{"name": "  ", "percent": 10}], "name must be a non-empty", id="blank"),
        pytest.param(
            [{"name": "A", "percent": 10, "country": "China"}],
            "owners[0].country must be an ISO 3166-1 alpha-2 code, got 'China'",
            id="country",
        ),
        pytest.param(
            [{"name": "A", "percent": 10, "owners": {"name": "B"}}],
            "owners[0].owners must be a list, got dict",
            id="owners-not-list",
        ),
        pytest.param(["A"], "owners[0] must be an object, got str", id="not-object"),
        pytest.param(
            [{"name": "A", "percent": 60}, {"name": "B", "percent": 50}],
            "declared owners of the subject add up to 110%, more than 100%",
            id="over-100-at-subject",
        ),
        pytest.param(
            [
                {
                    "name": "A",
                    "percent": 60,
                    "owners": [{"name": "B", "percent": 70}, {"name": "C", "percent": 40}],
                }
            ],
            "declared owners of owners[0] add up to 110%",
            id="over-100-nested",
        ),
        pytest.param(
            [{"id": "s/1", "name": "A", "percent": 10}, {"name": "B", "percent": 10}],
            "owners[1] and owners[0] both have node id s/1",
            id="explicit-id-clashes-with-derived",
        ),
        pytest.param(
            [{"id": "k", "name": "A", "percent": 10}, {"id": "k", "name": "B", "percent": 10}],
            "give node k different names or countries",
            id="explicit-id-disagrees",
        ),
        pytest.param(
            [
                {"id": "k", "name": "A", "percent": 10, "owners": [{"name": "P", "percent": 5}]},
                {"id": "k", "name": "A", "percent": 10, "owners": [{"name": "P", "percent": 5}]},
            ],
            "owners[1]: the owners of node k are declared twice",
            id="explicit-id-owners-twice",
        ),
        pytest.param(
            [{"id": "s", "name": "Me", "percent": 10}],
            "a party cannot own itself: s -> s",
            id="explicit-id-is-subject",
        ),
    ],
)
def test_malformed_declarations_are_refused(owners: list[Any], message: str) -> None:
    with pytest.raises(OwnershipError) as caught:
        owners_from_declaration("s", owners)
    assert message in caught.value.detail


# --- the lab rule: restricted-jurisdiction control ----------------------------------------------


@pytest.mark.parametrize(
    ("edges", "hq", "aggregate", "chains", "basis"),
    [
        pytest.param([("P", "S", 50)], {"P": "CN"}, None, [], "", id="exactly-50-clear"),
        pytest.param(
            [("P", "S", 60)],
            {"P": "CN"},
            60.0,
            [["P", "S"]],
            "owned 60% in aggregate by companies headquartered in restricted jurisdictions "
            "(CN, IR, KP, RU; more than 50% restricts): P (headquartered in CN) -> 60% -> S",
            id="60-restricted",
        ),
        pytest.param(
            [("P", "S", 30), ("Q", "S", 25)],
            {"P": "CN", "Q": "CN"},
            55.0,
            [["P", "S"], ["Q", "S"]],
            "owned 55% in aggregate by companies headquartered in restricted jurisdictions "
            "(CN, IR, KP, RU; more than 50% restricts): P (headquartered in CN) -> 30% -> S; "
            "Q (headquartered in CN) -> 25% -> S",
            id="two-chinese-parents-55",
        ),
        pytest.param(
            [("P", "S", 30), ("R", "S", 21)],
            {"P": "cn", "R": "RU"},
            51.0,
            [["P", "S"], ["R", "S"]],
            "owned 51% in aggregate by companies headquartered in restricted jurisdictions "
            "(CN, IR, KP, RU; more than 50% restricts): P (headquartered in CN) -> 30% -> S; "
            "R (headquartered in RU) -> 21% -> S",
            id="mixed-jurisdictions-aggregate",
        ),
        pytest.param(
            # Singapore subsidiary of a Singapore holding that a Chinese group controls.
            [("G", "H", 60), ("H", "S", 100)],
            {"G": "CN", "H": "SG", "S": "SG"},
            100.0,
            [["G", "H", "S"]],
            "owned 100% in aggregate by companies headquartered in restricted jurisdictions "
            "(CN, IR, KP, RU; more than 50% restricts): G (headquartered in CN) -> 60% -> "
            "H (more than 50% owned from restricted jurisdictions) -> 100% -> S",
            id="singapore-chain-restricted",
        ),
        pytest.param(
            # The holding is exactly 50% Chinese: not controlled, so it does not pass it on.
            [("G", "H", 50), ("H", "S", 100)],
            {"G": "CN", "H": "SG", "S": "SG"},
            None,
            [],
            "",
            id="singapore-chain-holding-at-50-clear",
        ),
        pytest.param(
            # The subject's own headquarters is the caller's separate reason, not this rule's.
            [("U", "S", 100)],
            {"U": "US", "S": "CN"},
            None,
            [],
            "",
            id="subject-hq-alone-not-an-ownership-finding",
        ),
    ],
)
def test_restricted_jurisdiction_control(
    edges: list[Edge],
    hq: dict[str, str],
    aggregate: float | None,
    chains: list[list[str]],
    basis: str,
) -> None:
    found = restricted_jurisdiction_control(graph(*edges), facts(hq=hq), "S")
    if aggregate is None:
        assert found == []
        return
    f = one(found)
    assert f.rule == "restricted_jurisdiction_control"
    assert f.aggregate_percent == pytest.approx(aggregate)
    assert paths(f) == chains
    assert f.basis == basis


def test_lab_rule_jurisdictions_are_configurable() -> None:
    g = graph(("P", "S", 60))
    assert restricted_jurisdiction_control(g, facts(hq={"P": "HK"}), "S") == []
    f = one(restricted_jurisdiction_control(g, facts(hq={"P": "HK"}), "S", jurisdictions=["hk"]))
    assert f.via == ("P",)


# --- BIS affiliates rule ------------------------------------------------------------------------

EXT = date(2027, 6, 30)


@pytest.mark.parametrize(
    ("on", "extension_until", "status"),
    [
        pytest.param(date(2025, 9, 28), None, "not_yet", id="before"),
        pytest.param(date(2025, 9, 29), None, "in_force", id="first-day"),
        pytest.param(date(2025, 10, 1), None, "in_force", id="2025-10-01"),
        pytest.param(date(2025, 11, 9), None, "in_force", id="last-day-before-suspension"),
        pytest.param(date(2025, 11, 10), None, "suspended", id="suspension-starts"),
        pytest.param(date(2026, 1, 15), None, "suspended", id="2026-01-15"),
        pytest.param(date(2026, 11, 9), None, "suspended", id="suspension-last-day"),
        pytest.param(date(2026, 11, 10), None, "in_force", id="back-in-force"),
        pytest.param(date(2026, 12, 1), EXT, "suspended", id="extended-2026-12-01"),
        pytest.param(date(2027, 6, 30), EXT, "suspended", id="extended-last-day"),
        pytest.param(date(2027, 7, 1), EXT, "in_force", id="after-extension"),
        pytest.param(date(2026, 12, 1), date(2026, 1, 1), "in_force", id="shorter-ignored"),
        pytest.param(datetime(2026, 1, 15, 12, 0), None, "suspended", id="datetime"),
    ],
)
def test_bis_affiliates_status_and_findings(
    on: date, extension_until: date | None, status: str
) -> None:
    assert bis_affiliates_status(on, extension_until) == status
    g = graph(("E", "A", 60), ("A", "S", 30), ("M", "S", 20))
    found = bis_affiliates(
        g, facts({"E": ["EL"], "M": ["MEU"]}), "S", on=on, extension_until=extension_until
    )
    if status != "in_force":
        assert found == []
        return
    f = one(found)
    assert f.rule == "bis_affiliates"
    assert f.aggregate_percent == 50
    assert f.via == ("E", "M")
    assert f.basis == (
        "owned 50% in aggregate by EL/MEU parties (BIS affiliates rule, in force on "
        f"{on:%Y-%m-%d}): E (EL) -> 60% -> A (covered by the affiliates rule) -> 30% -> S; "
        "M (MEU) -> 20% -> S"
    )


def test_bis_affiliates_ignores_sdn_by_default() -> None:
    g = graph(("X", "S", 60))
    assert bis_affiliates(g, facts(SDN_X), "S", on=date(2025, 10, 1)) == []


# --- size -------------------------------------------------------------------------------------


def test_dense_layers_bound_the_chains_not_the_answer() -> None:
    # 25 layers of two nodes, each owning 50% of both nodes below: 2^25 routes to the subject.
    edges: list[Edge] = []
    for layer in range(25):
        for a in "ab":
            for b in "ab":
                edges.append((f"{a}{layer}", f"{b}{layer + 1}", 50))
    edges += [("a25", "S", 50), ("b25", "S", 50)]
    f = one(ofac_fifty_percent(graph(*edges), facts({"a0": ["SDN"], "b0": ["SDN"]}), "S"))
    assert f.aggregate_percent == 100
    assert f.via == ("a0", "b0")
    assert len(f.chains) == MAX_CHAINS
    assert f.chains_truncated
    assert f.basis.endswith("; and further chains")


def test_few_thousand_holdings() -> None:
    # 3,000 holdings: many small stakes across a group plus one controlling chain 40 levels deep.
    edges: list[Edge] = [(f"minor{i}", f"co{i % 40}", 0.5) for i in range(2_961)]
    edges += [(f"co{i}", f"co{i + 1}", 51) for i in range(39)]
    nodes = facts({"co0": ["SDN"]}, hq={"co0": "RU"})
    g = graph(*edges)
    assert len(g.holdings) == 3_000
    f = one(ofac_fifty_percent(g, nodes, "co39"))
    assert len(f.chains) == 1
    assert len(f.chains[0]) == 39
    assert one(restricted_jurisdiction_control(g, nodes, "co39")).aggregate_percent == 51


# --- the one-pass fixpoint agrees with the definition --------------------------------------------


@st.composite
def small_groups(draw: st.DrawFn) -> tuple[list[Edge], set[str]]:
    n = draw(st.integers(2, 8))
    edges: list[Edge] = []
    held: dict[int, float] = {}
    for owner in range(n):
        for owned in range(owner + 1, n):
            if draw(st.booleans()):
                p = draw(st.sampled_from([10, 20, 25, 30, 49.9, 50, 60, 100]))
                if held.get(owned, 0) + p <= 100:
                    held[owned] = held.get(owned, 0) + p
                    edges.append((f"n{owner}", f"n{owned}", p))
    listed = {f"n{i}" for i in range(n - 1) if draw(st.booleans())}
    return edges, listed


@pytest.mark.parametrize("rule", ["ofac", "lab"])
@given(group=small_groups())
def test_rules_match_the_iterated_definition(rule: str, group: tuple[list[Edge], set[str]]) -> None:
    edges, roots = group
    if not edges:
        return
    subject = edges[-1][1]

    def meets(aggregate: float) -> bool:
        return aggregate >= 50 if rule == "ofac" else aggregate > 50

    # The guidance taken literally: add controlled entities until nothing changes.
    marked = set(roots)
    changed = True
    while changed:
        changed = False
        for node in {e[1] for e in edges} - marked:
            if meets(sum(e[2] for e in edges if e[1] == node and e[0] in marked)):
                marked.add(node)
                changed = True
    expected = sum(e[2] for e in edges if e[1] == subject and e[0] in marked - {subject})
    g = graph(*edges)
    if rule == "ofac":
        found = ofac_fifty_percent(g, facts({i: ["SDN"] for i in roots}), subject)
    else:
        found = restricted_jurisdiction_control(g, facts(hq=dict.fromkeys(roots, "CN")), subject)
    if not meets(expected):
        assert found == []
        return
    f = one(found)
    assert f.aggregate_percent == pytest.approx(expected)
    assert set(f.via) <= roots
    # Every chain starts at a root and passes only through marked parties.
    for chain in f.chains:
        assert chain[0].owner in roots
        assert all(s.owner in marked for s in chain)
        assert chain[-1].owned == subject
    last_steps = {(c[-1].owner, c[-1].percent) for c in f.chains}
    assert math.fsum(p for _, p in last_steps) == pytest.approx(expected)


def test_declaration_owners_null_means_none() -> None:
    decl = owners_from_declaration("s", [{"name": "A", "percent": 10, "owners": None}])
    assert [(h.owner, h.owned, h.percent) for h in decl.holdings] == [("s/0", "s", 10)]
