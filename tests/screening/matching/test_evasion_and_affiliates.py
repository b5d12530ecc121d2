"""Affiliates, evasion tricks, kinds and native-script aliases, on a small hand-made list."""

from __future__ import annotations

import pytest

from screening.errors import InvalidQueryError
from screening.listings.records import EntityKind, ListEntry, Name
from screening.matching import MatchIndex, Query
from screening.policy.decision import REVIEW_THRESHOLD

ORG = EntityKind.ORGANIZATION


def _entries() -> list[ListEntry]:
    return [
        ListEntry("us_trade_csl", "el-1", ORG, "HUAWEI TECHNOLOGIES CO., LTD.", lists=("EL",)),
        # Huawei is a group with several listed companies: its affiliates may add any business.
        ListEntry("us_trade_csl", "el-6", ORG, "HUAWEI INVESTMENT & HOLDING CO., LTD."),
        ListEntry("us_trade_csl", "el-7", ORG, "Huawei Device Co., Ltd."),
        ListEntry("us_trade_csl", "el-2", ORG, "Rosneft", lists=("EL",)),
        ListEntry("us_ofac_sdn", "200", ORG, "SBERBANK OF RUSSIA", lists=("SDN",)),
        ListEntry("us_trade_csl", "cmic-1", ORG, "Hangzhou Hikvision Digital Technology Co., Ltd."),
        ListEntry("us_ofac_sdn", "201", ORG, "NANJING PANDA ELECTRONICS COMPANY LIMITED"),
        ListEntry("us_ofac_sdn", "202", EntityKind.VESSEL, "SEA CLIFF", lists=("SDN",)),
        ListEntry(
            "us_trade_csl",
            "el-3",
            ORG,
            "China Electronics Technology Group Corporation",
            aliases=(Name("CETC"),),
        ),
        ListEntry(
            "us_trade_csl",
            "el-4",
            ORG,
            "China Electronics Technology Group Corporation 54th Research Institute",
        ),
        ListEntry("us_trade_csl", "isn-1", ORG, "Wisdom Import and Export (Shanghai) Co., Ltd."),
        ListEntry("us_trade_csl", "el-5", ORG, "Shanghai Micro Electronics Equipment Co., Ltd."),
    ]


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    return MatchIndex.build(_entries())


def _top(index: MatchIndex, name: str, **kw: str) -> tuple[str, float, str]:
    result = index.screen(Query(name, **kw))
    if not result.matches:
        return "", 0.0, ""
    m = result.matches[0]
    return m.entity_name, m.score, m.explanation


@pytest.mark.parametrize(
    ("name", "listed", "says"),
    [
        ("Huawei Technologies Singapore Pte. Ltd.", "HUAWEI TECHNOLOGIES", "+ singapore"),
        ("Huawei Cloud Services", "HUAWEI TECHNOLOGIES", "+ cloud, services"),
        ("Hikvision USA", "Hangzhou Hikvision", "+ usa"),
        ("Rosneft AI", "Rosneft", "+ ai"),
        ("Sberbank Digital", "SBERBANK", "+ digital"),
    ],
)
def test_a_listed_name_inside_a_longer_name_reaches_review(
    index: MatchIndex, name: str, listed: str, says: str
) -> None:
    entity, score, explanation = _top(index, name)
    assert entity.startswith(listed)
    assert score >= REVIEW_THRESHOLD
    assert "listed name inside a longer name" in explanation
    assert says in explanation


@pytest.mark.parametrize(
    "name", ["Panda Restaurant Group", "Shanghai Trading Co", "Digital Bank Ltd"]
)
def test_one_shared_ordinary_word_never_reaches_review(index: MatchIndex, name: str) -> None:
    assert _top(index, name)[1] < REVIEW_THRESHOLD


@pytest.mark.parametrize(
    ("name", "evidence"),
    [
        ("Rosneft 😀", "decoration_removed"),
        ("Sberbank™ of Russia", "decoration_removed"),
        ("Huawei® Technologies", "decoration_removed"),
        ("R\u043esneft", "confusable_folded"),
        ("Ros\u200bneft", "invisible_removed"),
        ("R\u202eosneft\u202c", "invisible_removed"),
        ("R.o.s.n.e.f.t", "split_letters_joined"),
        ("R-o-s-n-e-f-t", "split_letters_joined"),
        ("R0sneft", "digits_as_letters"),
    ],
)
def test_evasion_does_not_hide_a_name_and_shows_as_evidence(
    index: MatchIndex, name: str, evidence: str
) -> None:
    result = index.screen(Query(name))
    match = result.matches[0]
    assert match.score >= REVIEW_THRESHOLD
    assert evidence in {e.kind for e in match.evidence}
    assert "grinning" not in match.explanation


def test_symbols_are_not_romanised_into_words() -> None:
    from screening.names.evasion import unmask

    assert unmask("Sberbank™ ©").text == "Sberbank"


def test_digits_are_only_tried_inside_words(index: MatchIndex) -> None:
    from screening.names.evasion import digit_readings

    assert digit_readings("Boeing 747") == ()
    assert digit_readings("12345") == ()
    assert "Hikvision" in digit_readings("Hikv1s1on")


def test_organisations_do_not_meet_vessels_unless_asked(index: MatchIndex) -> None:
    assert _top(index, "Sea Cliff Capital LLC")[1] == 0.0
    assert _top(index, "Sea Cliff")[1] == 0.0
    vessel = index.screen(Query("Sea Cliff", kind="vessel")).matches
    assert vessel
    assert vessel[0].entity_name == "SEA CLIFF"
    assert not index.screen(Query("Rosneft", kind="vessel")).matches


def test_kind_is_validated() -> None:
    assert Query.from_fields({"name": "x", "kind": "Organisation"}).kind == "organization"
    with pytest.raises(InvalidQueryError):
        Query("x", kind="ship")


def test_a_bracketed_place_is_not_a_name_of_the_party(index: MatchIndex) -> None:
    found = index.screen(Query("Shanghai")).matches
    assert all(m.entity_name != "Wisdom Import and Export (Shanghai) Co., Ltd." for m in found)


@pytest.mark.parametrize(
    "name",
    ["中国电子科技集团公司第五十四研究所", "CETC 54th Research Institute", "中电科54所",
     "No. 54 Research Institute of China Electronics Technology Group Corporation"],
)  # fmt: skip
def test_numbered_institutes_meet_in_every_writing(index: MatchIndex, name: str) -> None:
    entity, score, _ = _top(index, name)
    assert entity.endswith("54th Research Institute")
    assert score >= REVIEW_THRESHOLD


@pytest.mark.parametrize("name", ["中电科", "中国电科", "zhongguodianzi keji jituan"])
def test_chinese_short_names_and_pinyin_meet_the_group(index: MatchIndex, name: str) -> None:
    entity, score, _ = _top(index, name)
    assert entity == "China Electronics Technology Group Corporation"
    assert score >= REVIEW_THRESHOLD
