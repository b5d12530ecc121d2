from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.matching.scoring import (
    allowed_edits,
    compare,
    compound_keys,
    is_compound,
    token_similarity,
)
from screening.names.normalize import normalize_name


@pytest.mark.parametrize(
    ("a", "b", "positive"),
    [("huawei", "huawei", True), ("huawie", "huawei", True), ("trane", "triangle", False),
     ("abc", "abd", False), ("technolgy", "technology", True), ("amcor", "amor", True)],
)  # fmt: skip
def test_token_similarity(a: str, b: str, positive: bool) -> None:
    assert (token_similarity(a, b) > 0) is positive


@given(st.text(alphabet="abcdefghij", max_size=12), st.text(alphabet="abcdefghij", max_size=12))
def test_token_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    s = token_similarity(a, b)
    assert s == token_similarity(b, a)
    assert 0.0 <= s <= 1.0
    assert (s == 1.0) == (a == b)


def test_allowed_edits_grow_with_length() -> None:
    assert [allowed_edits(n) for n in (3, 4, 7, 8)] == [0, 1, 1, 2]


def _score(q: str, c: str, person: bool = False) -> float:
    qn, cn = normalize_name(q), normalize_name(c)
    return compare(qn, [1.0] * len(qn.tokens), cn, [1.0] * len(cn.tokens), person=person).score


def test_rare_words_carry_the_match() -> None:
    # Words outside the affiliate table, so only the weights decide.
    q, c = normalize_name("Zyxel Orchard"), normalize_name("Zyxel Meadow")
    rare_first = compare(q, [10.0, 1.0], c, [10.0, 1.0]).score
    generic_first = compare(q, [1.0, 10.0], c, [1.0, 10.0]).score
    assert rare_first > 0.8 > generic_first


def test_reorder_costs_organisations_only() -> None:
    assert _score("Smith John", "John Smith", person=True) == 1.0
    assert _score("Walk Cloud", "Cloud Walk") < 1.0


def test_dropped_word_keeps_a_high_score() -> None:
    assert 0.8 < _score("Kim Chol", "Kim Song Chol") < 1.0


def test_a_misspelt_everyday_word_alone_is_another_name() -> None:
    # "Entergy" and "Evergy" are brands one letter from "energies"; "Rosneff" is Rosneft misspelt.
    coined = _score("Entergy", "JSC ENERGIES")
    assert coined < _score("Energies", "JSC ENERGIES") - 0.09
    assert _score("Rosneff", "ROSNEFT") > coined + 0.09
    # With one word met as written, the misspelt one is just a typing error.
    assert _score("Goldne Star", "GOLDEN STAR CO") > 0.8


def test_an_unmet_unknown_word_weighs_as_rare() -> None:
    q, c = normalize_name("Gartner Digital Services"), normalize_name("DIGITAL SERVICES EAD")
    qw, cw = [3.9, 7.1, 2.7], [7.1, 2.7]  # "gartner" weighs as its neighbour "partner"
    near = compare(q, qw, c, cw).score
    alone = compare(q, qw, c, cw, alone=[10.8, 7.1, 2.7]).score
    assert near > 0.8 > 0.7 > alone
    # Met (a typo of a listed word), it keeps its neighbour's weight.
    typo = normalize_name("Digitel Services")
    assert (
        compare(typo, [7.1, 2.7], c, cw, alone=[10.8, 2.7]).score
        == compare(typo, [7.1, 2.7], c, cw).score
    )


def test_numbers_that_differ_are_other_institutes() -> None:
    listed = "CASC 1st Academy 702 Research Institute"
    assert _score("CASC First Academy No. 702 Research Institute", listed) > 0.9
    assert _score("CASC 1st Academy 72 Research Institute", listed) < 0.75
    assert _score("CASC 2nd Academy 702 Research Institute", listed) < 0.75
    # A number on one side only is a word dropped, not a conflict.
    assert _score("CASC 1st Academy Research Institute", listed) > 0.8


def test_distinct_words_are_not_typos_of_each_other() -> None:
    q, c = normalize_name("CASIC 1st Academy"), normalize_name("CASC First Academy")
    weights = [5.0, 3.0, 1.0]
    assert compare(q, weights, c, weights).score > 0.8
    assert compare(q, weights, c, weights, distinct=frozenset({"casc", "casic"})).score < 0.75


def test_two_forms_of_one_word_meet() -> None:
    listed = "National Supercomputing Center Changsha"
    assert _score("Changsha National Supercomputer Center", listed) > 0.85
    evidence = compare(
        normalize_name("National Supercomputer Center"), [1.0] * 3,
        normalize_name("National Supercomputing Center"), [1.0] * 3,
    ).evidence  # fmt: skip
    assert [e.kind for e in evidence if e.kind in ("typo", "word_form")] == ["word_form"]
    # Different words on one stem's first letters stay apart.
    assert _score("Universal Trading", "University Trading") < 0.8


def test_an_english_word_inside_another_is_a_form_of_it() -> None:
    # How a customer translates 船舶 and 渔业 word by word: a word, not its compound.
    for query, listed in [("China Ship Group", "China Shipbuilding Group"),
                          ("Deep Sea Fishery", "Deep Sea Fishing")]:  # fmt: skip
        qn, cn = normalize_name(query), normalize_name(listed)
        found = compare(qn, [1.0] * 3, cn, [1.0] * 3)
        assert found.score > 0.9
        assert "word_form" in [e.kind for e in found.evidence]
    # A coined name does not decompose: "Sber" is not Sberbank, nor "Neft" Rosneft.
    assert _score("Sber Star", "Sberbank Star") < 0.75
    assert _score("Neft Star", "Rosneft Star") < 0.75


@pytest.mark.parametrize(
    ("a", "b", "forms"),
    [("ship", "shipbuilding", True), ("fishery", "fishing", True), ("north", "northern", True),
     ("national", "international", False),  # generic words, and the head is on the right
     ("building", "shipbuilding", False), ("chin", "china", False),
     ("electric", "electronic", False), ("sber", "sberbank", False)],
)  # fmt: skip
def test_which_words_are_compounds_or_derivations_of_each_other(
    a: str, b: str, forms: bool
) -> None:
    assert is_compound(a, b) is forms
    assert is_compound(b, a) is forms
    # The index finds partners through a shared key.
    assert bool(set(compound_keys(a)) & set(compound_keys(b))) or not forms


def test_a_place_met_as_written_does_not_vouch_for_a_misspelt_word() -> None:
    assert _score("Entergy Malaysia", "NOOR ENERGY (MALAYSIA) LTD.") < 0.75
    assert _score("Noor Enregy Malaysia", "NOOR ENERGY (MALAYSIA) LTD.") > 0.8


def test_only_a_two_syllable_pinyin_brand_stays_out_of_business_affiliates() -> None:
    def kind(query: str, listed: str) -> str:
        q, c = normalize_name(query), normalize_name(listed)
        return compare(q, [5.0] * len(q.tokens), c, [5.0] * len(c.tokens)).match_type

    # "Huaxin" is a brand many unrelated Chinese firms share; "Sabalan" (sa ba lan) and
    # "Butembo" (bu te m bo) only happen to be spelt in pinyin.
    assert kind("Huaxin Software Development Center", "HUAXIN COMPANY") != "contained"
    assert kind("Huaxin Singapore", "HUAXIN COMPANY") == "contained"
    assert kind("Sabalan Software Development Center", "SABALAN COMPANY") == "contained"
    assert kind("Butembo Energy", "BUTEMBO AIRLINES") == "contained"


def test_an_arabic_article_may_be_dropped_by_an_affiliate() -> None:
    q, c = normalize_name("Jund Khilafah Singapore"), normalize_name("JUND AL-KHILAFAH")
    assert compare(q, [5.0] * 3, c, [5.0] * 3).match_type == "contained"


def test_a_typo_in_a_long_name_of_everyday_words_is_a_typo() -> None:
    listed = "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert _score("Korea Mining Developmnt Trading", listed) > 0.85
