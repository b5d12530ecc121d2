"""Readings kept with a result give the same screen as reading the name again, and a record
made by other code is never used."""

from __future__ import annotations

import json

import pytest

from screening.listings.records import Address, EntityKind, ListEntry, Name
from screening.matching import MatchIndex, Query
from screening.matching import readings as kept_readings

ORG = EntityKind.ORGANIZATION
QUERIES = (
    Query("Huawei Technologies Singapore Pte Ltd", country="SG"),
    Query("华为技术有限公司"),
    Query("HUAW3I Technologies", country="CN"),
    Query("CETC 54th Research Institute"),
    Query("Acme Northwind Trading LLC", country="US"),
    Query("Ｈｕａｗｅｉ ⓒ Technologies", domain="huawei.com"),
    Query("Triangle Tech Group", address="12 Harbour Road, Wan Chai"),
)


def _index() -> MatchIndex:
    return MatchIndex.build(
        [
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
                "us_trade_csl",
                "el-2",
                ORG,
                "China Electronics Technology Group Corporation 54th Research Institute",
                lists=("EL",),
                aliases=(Name("CETC 54"),),
            ),
            ListEntry("us_ofac_sdn", "100", ORG, "TRIANGLE TECHNOLOGIES", lists=("SDN",)),
        ]
    )


def _through_json(queries: list[Query]) -> list[kept_readings.KeptQuery]:
    record = json.loads(json.dumps(kept_readings.keep(queries)))
    found = kept_readings.kept(record)
    assert found is not None
    return found


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_a_kept_query_screens_as_the_query_itself(query: Query) -> None:
    index = _index()
    (kept,) = _through_json([query])
    assert kept.query() == query
    fresh = index.screen(query, min_score=0.5)
    again = index.screen_read(kept.query(), kept.read, min_score=0.5)
    assert [(m.party_key, m.score, m.evidence) for m in again.matches] == [
        (m.party_key, m.score, m.evidence) for m in fresh.matches
    ]
    assert again.note == fresh.note


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
@pytest.mark.parametrize("floor", [0.5, 0.6, 0.785])
def test_may_meet_is_an_upper_bound_of_screen(query: Query, floor: float) -> None:
    index = _index()
    (kept,) = _through_json([query])
    if index.screen(query, limit=1, min_score=floor).matches:
        assert index.may_meet(kept.read, floor, kept.bonus)


def test_may_meet_finds_a_listed_name_and_rules_out_one_with_nothing_in_common() -> None:
    listed, unlisted = _through_json(
        [Query("HUAW3I Technologies", country="CN"), Query("Acme Northwind Trading LLC")]
    )
    assert _index().may_meet(listed.read, 0.785, listed.bonus)
    assert not _index().may_meet(unlisted.read, 0.6, unlisted.bonus)


def test_the_bonus_counts_only_the_facts_given() -> None:
    bare, country, everything = _through_json(
        [
            Query("A"),
            Query("A", country="US"),
            Query("A", country="US", domain="a.com", address="x", identifier="123456"),
        ]
    )
    assert bare.bonus == 0.0
    assert country.bonus == pytest.approx(0.03)
    assert everything.bonus == pytest.approx(0.25)


def test_a_record_made_by_other_code_is_not_used() -> None:
    record = kept_readings.keep([Query("Huawei")])
    assert kept_readings.kept(record) is not None
    assert kept_readings.kept({**record, "digest": "0" * 16}) is None
    assert kept_readings.kept(None) is None
    assert kept_readings.kept({}) is None


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.name)
def test_may_reach_is_an_upper_bound_of_may_meet(query: Query) -> None:
    index = _index()
    (kept,) = _through_json([query])
    terms = kept_readings.Terms.parse(kept_readings.Terms.of([query]).text())
    assert terms is not None
    if index.may_meet(kept.read, 0.5, kept.bonus):
        assert index.may_reach(terms)


def test_terms_rule_out_a_name_with_no_word_in_common_and_keep_their_digest() -> None:
    index = _index()
    listed = kept_readings.Terms.of([Query("Huawei Technologies Singapore")])
    unlisted = kept_readings.Terms.of([Query("Acme Northwind Trading LLC")])
    assert index.may_reach(listed)
    assert not index.may_reach(unlisted)
    # Written together, a listed name is still reached through its key.
    assert index.may_reach(kept_readings.Terms.of([Query("HuaweiTechnologies")]))
    stale = listed.text().replace(kept_readings.readings_digest(), "0" * 16)
    assert kept_readings.Terms.parse(stale) is None
    assert kept_readings.Terms.parse(None) is None
    assert kept_readings.Terms.parse(listed.text()) == listed
