from __future__ import annotations

import gc
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.errors import InvalidQueryError
from screening.listings.records import (
    Address,
    EntityKind,
    Identifier,
    ListEntry,
    Name,
    NameStrength,
)
from screening.matching import MatchIndex, Query
from screening.policy.decision import REVIEW_THRESHOLD, decide

ORG = EntityKind.ORGANIZATION


def _entries() -> list[ListEntry]:
    return [
        ListEntry(
            "us_trade_csl",
            "el-1",
            ORG,
            "HUAWEI TECHNOLOGIES CO., LTD.",
            lists=("EL",),
            addresses=(Address(country="CN"),),
            websites=("https://www.huawei.com",),
        ),
        ListEntry(
            "us_ofac_sdn", "100", ORG, "TRIANGLE TECHNOLOGIES", lists=("SDN",), party_key="ofac:100"
        ),
        ListEntry(
            "us_trade_csl",
            "csl-100",
            ORG,
            "Triangle Technologies",
            lists=("SDN",),
            aliases=(Name("TRIANGLE TECH GROUP"),),
            party_key="ofac:100",
        ),
        ListEntry("us_ofac_sdn", "101", ORG, "CLOUDWALK TECHNOLOGY CO., LTD.", lists=("SDN",)),
        ListEntry(
            "us_ofac_sdn",
            "102",
            EntityKind.PERSON,
            "SMITH, John Robert",
            lists=("SDN",),
            aliases=(Name("JOHNNY BOY", NameStrength.WEAK),),
            countries=("GB",),
        ),
        ListEntry(
            "us_ofac_cons",
            "103",
            ORG,
            "CHINA TELECOM CORPORATION LIMITED",
            lists=("CMIC",),
            aliases=(Name("China Telecom Holdings Corp", kind="issuer"),),
        ),
        ListEntry("un_sc_sanctions", "KPe.1", ORG, "KOREA MINING DEVELOPMENT TRADING CORPORATION"),
        ListEntry("us_ofac_sdn", "104", ORG, "NATIONAL UNIVERSITY OF DEFENSE TECHNOLOGY (NUDT)"),
    ]


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    return MatchIndex.build(_entries(), {"us_ofac_sdn": "2024-05-03", "us_trade_csl": "v7"})


@pytest.mark.parametrize(
    "name",
    ["HUAWEI TECH CO LTD", "华为技术有限公司", "華為技術有限公司",
     "Huawei Technologies Company Limited", "Huawie Technologies", "huawei technologies"],
)  # fmt: skip
def test_huawei_variants_reach_review(index: MatchIndex, name: str) -> None:
    result = index.screen(Query(name))
    assert decide(result.score) == "review"
    assert result.matches[0].entity_name == "HUAWEI TECHNOLOGIES CO., LTD."


def test_trane_is_not_triangle(index: MatchIndex) -> None:
    result = index.screen(Query("Trane Technologies"))
    assert decide(result.score) == "clear"
    assert all(m.score < REVIEW_THRESHOLD for m in result.matches)


def test_exact_match_scores_one_and_legal_form_difference_a_bit_less(index: MatchIndex) -> None:
    exact = index.screen(Query("HUAWEI TECHNOLOGIES CO., LTD.")).matches[0]
    bare = index.screen(Query("Huawei Technologies")).matches[0]
    assert (exact.score, exact.match_type) == (1.0, "exact")
    assert bare.match_type == "legal_form_differs"
    assert REVIEW_THRESHOLD <= bare.score < exact.score
    assert any(e.kind == "legal_form" and e.delta < 0 for e in bare.evidence)


def test_party_from_two_sources_is_returned_once(index: MatchIndex) -> None:
    result = index.screen(Query("Triangle Technologies"))
    triangle = [m for m in result.matches if m.party_key == "ofac:100"]
    assert len(triangle) == 1
    assert set(triangle[0].sources) == {"us_ofac_sdn", "us_trade_csl"}
    assert triangle[0].source == "us_ofac_sdn"


def test_spacing_and_person_order(index: MatchIndex) -> None:
    cloud = index.screen(Query("Cloud Walk Technology Co Ltd")).matches[0]
    assert cloud.match_type == "spacing"
    assert cloud.score >= REVIEW_THRESHOLD
    person = index.screen(Query("John Robert Smith")).matches[0]
    assert person.score == 1.0
    assert person.match_type == "token_reorder"


def test_weak_alias_is_capped_and_shown(index: MatchIndex) -> None:
    match = index.screen(Query("Johnny Boy")).matches[0]
    assert match.match_type == "weak_alias"
    assert match.score < REVIEW_THRESHOLD
    assert any(e.kind == "weak_alias" for e in match.evidence)


def test_issuer_alias_and_bracketed_acronym(index: MatchIndex) -> None:
    issuer = index.screen(Query("China Telecom Holdings Corp")).matches[0]
    assert issuer.matched_name_kind == "issuer"
    assert issuer.match_type == "alias"
    assert index.screen(Query("NUDT")).matches[0].source_key == "104"
    assert index.screen(Query("National University of Defense Technology")).score == 1.0


def test_generic_only_names_match_nothing(index: MatchIndex) -> None:
    for name in ("Co., Ltd.", "International Trading Company", "Technology Group Limited"):
        result = index.screen(Query(name))
        assert result.matches == []
        assert decide(result.score) == "clear"
        assert result.note


def test_secondary_evidence_moves_the_score(index: MatchIndex) -> None:
    plain = index.screen(Query("Huawei Technologies")).score
    agree = index.screen(Query("Huawei Technologies", country="cn")).matches[0]
    conflict = index.screen(Query("Huawei Technologies", country="US")).matches[0]
    domain = index.screen(Query("Huawei Technologies", domain="mail.huawei.com")).matches[0]
    assert conflict.score < plain < agree.score
    assert domain.score > plain
    assert {"country_conflict"} <= {e.kind for e in conflict.evidence}
    assert {"domain_match"} <= {e.kind for e in domain.evidence}


def test_an_affiliate_abroad_keeps_its_score_where_a_namesake_loses_it(index: MatchIndex) -> None:
    # Containment ("+ singapore"): another country is what a foreign operator of the group is.
    plain = index.screen(Query("Huawei Technologies Singapore")).matches[0]
    abroad = index.screen(Query("Huawei Technologies Singapore", country="SG")).matches[0]
    assert plain.match_type == abroad.match_type == "contained"
    assert abroad.score == plain.score
    (elsewhere,) = [e for e in abroad.evidence if e.kind == "country_elsewhere"]
    assert elsewhere.delta == 0.0
    assert "differs from listed CN" in elsewhere.detail
    assert "country_conflict" not in {e.kind for e in abroad.evidence}


def test_result_is_json_ready_and_names_versions(index: MatchIndex) -> None:
    data = index.screen(Query("Huawei Technologies")).to_dict()
    assert data["versions"] == {"us_ofac_sdn": "2024-05-03", "us_trade_csl": "v7"}
    match = data["matches"][0]
    assert match["lists"] == ["EL"]
    assert match["query_name"] == "Huawei Technologies"
    assert "Huawei Technologies" in match["explanation"]
    assert {"kind", "detail", "delta"} <= set(match["evidence"][0])


def test_evidence_deltas_add_up_to_the_score(index: MatchIndex) -> None:
    for name in ("Huawie Technologies", "Huawei Technologies", "Triangle Tech"):
        match = index.screen(Query(name, country="CN")).matches[0]
        total = sum(e.delta for e in match.evidence)
        assert match.score == pytest.approx(max(0.0, min(1.0, total)))


def test_screen_many_keeps_query_order(index: MatchIndex) -> None:
    results = index.screen_many([Query("Trane Technologies"), Query("Huawei Technologies")])
    assert [decide(r.score) for r in results] == ["clear", "review"]


def test_retrieval_agrees_with_full_scan(index: MatchIndex) -> None:
    for name in ("Huawie Tech", "Triangel Technologies", "Smith John", "China Telecom"):
        query = Query(name)
        full = {m.party_key for m in index.full_scan(query)}
        assert full == {m.party_key for m in index.screen(query, limit=100).matches}


def test_stats(index: MatchIndex) -> None:
    stats = index.stats()
    assert stats["parties"] == len(_entries()) - 1
    assert stats["names"] >= stats["parties"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"name": ""}, "empty"), ({"name": " \t\x00 "}, "empty"), ({"name": "x" * 1001}, "limit"),
     ({"name": "a", "country": "Atlantis"}, "ISO"), ({"name": "a", "identifier": "12-3"}, "short"),
     ({"name": "a", "domain": "not a domain"}, "host")],
)  # fmt: skip
def test_invalid_queries_raise_clear_errors(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidQueryError, match=message):
        Query(**kwargs)


_LISTED = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Nd", "Lo", "Zs", "Po")), min_size=1, max_size=60
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(_LISTED, st.text(max_size=80))
def test_scores_in_unit_interval_and_identity_scores_one(listed: str, other: str) -> None:
    index = MatchIndex.build([ListEntry("s", "1", ORG, listed), *_entries()])
    try:
        result = index.screen(Query(listed), min_score=0.0)
    except InvalidQueryError:
        return
    assert all(0.0 <= m.score <= 1.0 for m in result.matches)
    if result.matches and not result.note:
        assert result.score == 1.0
    try:
        query = Query(other)
    except InvalidQueryError:
        return
    assert all(0.0 <= m.score <= 1.0 for m in index.screen(query, min_score=0.0).matches)


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=1, max_size=10).map(lambda s: (s * 1000)[:1000]))
def test_hostile_names_are_fast(index: MatchIndex, name: str) -> None:
    started = time.perf_counter()
    try:
        index.screen(Query(name + "\x00\u202e华为 Москва"[: max(0, 1000 - len(name))]))
    except InvalidQueryError:
        return
    assert time.perf_counter() - started < 1.0


def test_ten_thousand_character_name_is_rejected_clearly() -> None:
    with pytest.raises(InvalidQueryError, match="1000"):
        Query("A" * 10_000)


def test_country_names_are_accepted_as_codes() -> None:
    assert Query("a", country="China").country == "CN"
    assert Query("a", country="Korea, North").country == "KP"
    assert Query("a", country="ru").country == "RU"


def test_listed_identifier_is_evidence() -> None:
    entry = ListEntry(
        "us_ofac_cons",
        "30947",
        EntityKind.ORGANIZATION,
        "HUAWEI TECHNOLOGIES CO., LTD.",
        identifiers=(Identifier("Unified Social Credit Code (USCC)", "914403001922038216", "CN"),),
        email_domains=("huawei.com", "gmail.com"),
    )
    index = MatchIndex.build([entry])
    plain = index.screen(Query("Huawei Tech")).matches[0]
    with_id = index.screen(Query("Huawei Tech", identifier="9144 0300 1922 038216")).matches[0]
    assert with_id.score > plain.score
    assert any(e.kind == "identifier_match" for e in with_id.evidence)
    # A mailbox provider shared by millions is no evidence; the party's own domain is.
    assert not any(
        e.kind == "domain_match"
        for e in index.screen(Query("Huawei Tech", domain="gmail.com")).matches[0].evidence
    )
    assert any(
        e.kind == "domain_match"
        for e in index.screen(Query("Huawei Tech", domain="huawei.com")).matches[0].evidence
    )


def test_a_replaced_index_is_freed_by_reference_counting_alone() -> None:
    # The live index freezes the heap out of cyclic collection after a build: an index caught
    # in a reference cycle would never be freed (this leaked ~95 MB per list change).
    built = MatchIndex.build(_entries())
    built.screen(Query("Huawie Technologies"))  # fills the typo-expansion cache
    postings = built._postings
    gc.disable()
    try:
        held = sys.getrefcount(postings)
        del built
        assert sys.getrefcount(postings) == held - 1
    finally:
        gc.enable()


def test_dismantle_empties_the_index() -> None:
    built = MatchIndex.build(_entries())
    built.dismantle()
    assert built._postings == {}
    assert built._deletes == {}
    assert built._names == ()


def test_a_derived_acronym_is_not_read_inside_a_longer_name() -> None:
    # EOG is derived from ELEMENTO OIL & GAS LTD (the list gives no acronym): "EOG Resources" read
    # as "Elemento Oil & Gas Resources" would be an affiliate of ELEMENTO LIMITED.
    entries = [
        ListEntry("us_ofac_sdn", "1", ORG, "ELEMENTO OIL & GAS LTD", lists=("SDN",)),
        ListEntry("us_ofac_sdn", "2", ORG, "ELEMENTO LIMITED", lists=("SDN",)),
        ListEntry(
            "us_ofac_sdn",
            "3",
            ORG,
            "CHINA ELECTRONICS TECHNOLOGY GROUP CORPORATION",
            lists=("SDN",),
            aliases=(Name("CETC"),),
        ),
    ]
    index = MatchIndex.build(entries, {"us_ofac_sdn": "v1"})
    assert index.screen(Query("EOG Resources")).score < REVIEW_THRESHOLD
    # A published acronym is still read as its name.
    found = index.screen(Query("CETC Singapore Pte Ltd")).matches[0]
    assert found.entity_name == "CHINA ELECTRONICS TECHNOLOGY GROUP CORPORATION"
    assert found.score >= REVIEW_THRESHOLD
