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
        # Its Chinese name 中光学集团 (our native-names file) abbreviates 中国光学: China Optics.
        ListEntry("us_trade_csl", "cmic-2", ORG, "COSTAR GROUP CO., LTD.", lists=("CMIC",)),
        # Its Chinese name 中国船舶集团 reads "china shipbuilding group".
        ListEntry("us_trade_csl", "cmic-3", ORG, "CHINA STATE SHIPBUILDING CORPORATION LIMITED"),
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
        # The host country in its own language, or the parent's (CLDR rows of the table).
        ("Rosneft Germania", "Rosneft", "+ germania"),
        ("Hikvision Almanya", "Hangzhou Hikvision", "+ almanya"),
        # The trades Chinese firms' English names give (经济技术合作, 信息产业).
        ("Rosneft Economic and Technical Cooperation", "Rosneft", "+ economic, technical"),
        ("Rosneft Information Industry", "Rosneft", "+ information, industry"),
        # Romanised Russian organisation words: НК (oil company), Концерн (concern).
        ("НК Роснефть", "Rosneft", "+ nk"),
        ("Концерн Роснефть", "Rosneft", "+ kontsern"),
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


@pytest.mark.parametrize(
    ("name", "listed", "native"),
    [("China Optics Group Co., Ltd.", "COSTAR GROUP CO., LTD.", "中光学集团"),
     ("China Ship Group Co., Ltd.", "CHINA STATE SHIPBUILDING CORPORATION LIMITED",
      "中国船舶集团")],
)  # fmt: skip
def test_chinese_style_english_meets_a_native_name_read_word_by_word(
    index: MatchIndex, name: str, listed: str, native: str
) -> None:
    entity, score, explanation = _top(index, name)
    assert entity == listed
    assert score >= REVIEW_THRESHOLD
    assert native in explanation


def _wider() -> MatchIndex:
    return MatchIndex.build(
        [
            *_entries(),
            ListEntry("us_trade_csl", "x-1", ORG, "A.M. Prokhorov General Physics Institute"),
            ListEntry("us_ofac_sdn", "x-2", ORG, "KAZAN SHIPPING INCORPORATED"),
            ListEntry("us_ofac_sdn", "x-4", ORG, "BANCO NACIONAL DE CUBA"),
            ListEntry("us_ofac_sdn", "x-6", ORG, "SILVER ARROW LLC"),
            ListEntry("us_ofac_sdn", "x-7", ORG, "INNOVATION HUB LIMITED LIABILITY COMPANY"),
            ListEntry("us_trade_csl", "x-5", ORG, "Southwest Institute of Applied Electronics"),
            ListEntry(
                "us_ofac_sdn",
                "x-3",
                ORG,
                "LIMITED LIABILITY COMPANY RUSSIAN DIGITAL SOLUTIONS",
                aliases=(Name("LLC RUS.DIGITAL"),),
            ),
        ]
    )


@pytest.fixture(scope="module")
def wider() -> MatchIndex:
    return _wider()


@pytest.mark.parametrize(
    ("name", "listed", "says"),
    [
        ("Rosneft Trading House Rus LLC", "Rosneft", "+ trading, house, rus"),
        ("Rosneft do Brasil Ltda.", "Rosneft", "+ do, brasil"),
        ("Rosneft Polska Sp. z o.o.", "Rosneft", "+ polska"),
        ("PT Rosneft Indonesia", "Rosneft", "+ indonesia"),
        ("Rosneft Liaison Office Yiwu", "Rosneft", "+ liaison, office, yiwu"),
        ("Rosneft Real Estate Development", "Rosneft", "+ real, estate, development"),
        ("Sberbank Gulf DMCC", "SBERBANK", "+ gulf"),
        ("Sberbank High-Tech Co., Ltd.", "SBERBANK", "+ high, tech"),
        ("Hikvision Egypt S.A.E.", "Hangzhou Hikvision", "+ egypt, sae"),
        ("Hikvision Innovation Hub", "Hangzhou Hikvision", "+ innovation, hub"),
        ("Hikvision Labs", "Hangzhou Hikvision", "+ labs"),
        ("Hikvision R&D Center", "Hangzhou Hikvision", "+ rd, center"),
        ("A.M. Prokhorov General Physics Institute Moscow Branch", "A.M. Prokhorov", "+ moscow"),
        # A place of several words is a place only whole.
        ("Rosneft Ho Chi Minh City Branch", "Rosneft", "+ ho, chi, minh, city"),
        ("Sberbank Representative Office in Dar es Salaam", "SBERBANK", "+ representative"),
        # Two plain English words, neither a place nor a trade, are rarer together than alone.
        ("Silver Arrow Trading (Dubai) FZE", "SILVER ARROW", "+ trading, dubai"),
    ],
)
def test_affiliates_named_with_world_legal_forms_places_and_trades(
    wider: MatchIndex, name: str, listed: str, says: str
) -> None:
    entity, score, explanation = _top(wider, name)
    assert entity.startswith(listed)
    assert score >= REVIEW_THRESHOLD
    assert says in explanation


def test_initials_stay_out_of_the_core_but_must_be_in_the_query(wider: MatchIndex) -> None:
    from screening.matching.scoring import compare, core_words
    from screening.names.normalize import normalize_name

    listed = normalize_name("A.M. Prokhorov General Physics Institute")
    # "A.M." no longer empties the core; it is left out of it.
    assert core_words(listed) == ("prokhorov", "physic")
    weights = [1.0] * len(listed.tokens)
    for query, contained in (
        ("A.M. Prokhorov General Physics Institute Moscow Branch", True),
        ("Prokhorov General Physics Institute Moscow Branch", False),
    ):
        q = normalize_name(query)
        scored = compare(q, [1.0] * len(q.tokens), listed, weights)
        assert (scored.match_type == "contained") is contained
    # Without its initials the institute is not carried to review by containment.
    assert _top(wider, "Prokhorov General Physics Institute Moscow Branch")[1] < REVIEW_THRESHOLD


@pytest.mark.parametrize(
    "name",
    [
        "Bank of America Kazan Branch",  # a city is not KAZAN SHIPPING's core
        "United Airlines Holdings Rus LLC",  # nor "Rus" the core of LLC RUS.DIGITAL
        "Banco Nacional de Panama",  # nor "Banco Nacional" BANCO NACIONAL DE CUBA's
        "Applied Materials",  # nor "Applied", an English word, the institute's
        "Rosneft Ho Holdings",  # "ho" of Ho Chi Minh is no place alone
        "Bank of America Innovation Hub",  # two trade words are no pair to carry a core
        "Arrow Electronics Singapore",  # nor one word of a pair
    ],
)
def test_places_and_trades_do_not_make_a_core(wider: MatchIndex, name: str) -> None:
    assert _top(wider, name)[1] < REVIEW_THRESHOLD


def test_a_whole_name_in_a_long_query_is_retrieved_whatever_the_floor(wider: MatchIndex) -> None:
    from screening.names.normalize import normalize_name

    # Many added words push the name's upper bound under a high floor; it is still a candidate.
    q = normalize_name("Silver Arrow Representative Office in Ho Chi Minh City")
    qw = wider._query_weights(q.tokens)
    listed = {nid for nid, name in enumerate(wider._names) if name.value == "SILVER ARROW LLC"}
    assert listed
    found = {nid for bound, nid in wider._candidates(q, qw, 0.99) if bound >= 0.99}
    assert listed <= found


def _curated_lab(key: str, name: str, *brands: str) -> ListEntry:
    aliases = tuple(Name(brand, kind="brand") for brand in brands)
    return ListEntry("curated_ai_labs", key, ORG, name, lists=("AI_LABS",), aliases=aliases)


def test_a_group_name_with_another_of_its_own_names_is_the_group() -> None:
    # "ByteDance Seed": the group's name and its own product's, which no business table holds.
    index = MatchIndex.build(
        [
            _curated_lab("bytedance", "ByteDance Ltd.", "Doubao", "Harvest Seed Labs"),
            ListEntry("us_ofac_sdn", "300", ORG, "ZORVAN MARITIME LLC", lists=("SDN",)),
        ]
    )
    name, score, why = _top(index, "ByteDance Doubao Singapore")
    assert name == "ByteDance Ltd."
    assert score >= REVIEW_THRESHOLD
    assert "(another of its names)" in why
    assert _top(index, "ByteDance Harvest")[1] >= REVIEW_THRESHOLD
    # A word of another party's names is no such word: "Maritime" is Zorvan's, not ByteDance's,
    # and a word of no listed name leaves the core alone as before.
    assert _top(index, "ByteDance Maritime Kestrel")[1] < REVIEW_THRESHOLD
    assert _top(index, "ByteDance Kestrel")[1] < REVIEW_THRESHOLD


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Huawei P30", "+ p30"),
        ("Rosneft-V3", "+ v3"),
        ("Hikvision DS2", "+ ds2"),
        ("Rosneft Chat", "+ chat"),
        ("Rosneft Assistant", "+ assistant"),
    ],
)
def test_a_product_or_model_after_a_group_name_is_the_group(
    index: MatchIndex, name: str, says: str
) -> None:
    _, score, why = _top(index, name)
    assert score >= REVIEW_THRESHOLD
    assert "listed name inside a longer name" in why
    assert says in why


def test_a_code_is_no_name_and_a_number_no_code() -> None:
    index = MatchIndex.build(
        [
            ListEntry("us_ofac_sdn", "301", ORG, "ZORVAN KESTREL MARITIME LLC", lists=("SDN",)),
            ListEntry("us_ofac_sdn", "302", ORG, "NANJING PANDA ELECTRONICS COMPANY LIMITED"),
        ]
    )
    assert _top(index, "Zorvan Kestrel Maritime K7")[1] >= REVIEW_THRESHOLD
    # A code does not stand in for a listed word, and a code after ordinary words is nobody's
    # product.
    assert _top(index, "Zorvan K7 Maritime")[1] < REVIEW_THRESHOLD
    assert _top(index, "Panda Electronics V2")[1] < REVIEW_THRESHOLD
    # A number alone is no code (another institute, a branch number): never containment.
    numbered = index.screen(Query("Zorvan Kestrel Maritime 54")).matches[0]
    assert numbered.match_type != "contained"


def test_a_listed_name_in_pinyin_words_meets_it_in_characters_and_translated() -> None:
    # SDN lists print some Chinese names as pinyin words; a customer types the characters or
    # translates the words, and the query's reading of either is what the listed name reads as.
    index = MatchIndex.build(
        [
            ListEntry(
                "us_ofac_sdn",
                "303",
                ORG,
                "BEIJING ALITE TECHNOLOGIES CO., LTD.",
                aliases=(Name("BEIJING HAILI LIANHE KEJI YOUXIAN GONGSI"),),
            ),
        ]
    )
    for typed in ("北京海立联合科技有限公司", "Beijing Haili United Technology Co., Ltd."):
        name, score, _ = _top(index, typed)
        assert name == "BEIJING ALITE TECHNOLOGIES CO., LTD."
        assert score >= REVIEW_THRESHOLD
    # Another firm's words read the same way do not meet it.
    assert _top(index, "Beijing Huali United Technology Co., Ltd.")[1] < REVIEW_THRESHOLD


def test_a_domain_brand_meets_its_operators_not_a_namesake_word() -> None:
    index = MatchIndex.build(
        [_curated_lab("zhipu", "Beijing Zhipu Huazhang Technology Co., Ltd.", "Z.ai", "01.AI")]
    )
    for typed in ("Z.ai Singapore Pte. Ltd.", "01.AI Singapore", "01 AI"):
        assert _top(index, typed)[1] >= REVIEW_THRESHOLD, typed
    # "Zai" is a word unrelated firms are named by: it was denied as "Z ai" written together.
    for typed in ("Zai Trading", "Zai Group", "Zai"):
        assert _top(index, typed)[1] < REVIEW_THRESHOLD, typed


def test_arabic_script_meets_a_transliteration_by_consonants_and_only_reviews() -> None:
    index = MatchIndex.build(
        [
            ListEntry("us_ofac_sdn", "401", ORG, "BANK MELLI IRAN", lists=("SDN",)),
            ListEntry("us_ofac_sdn", "402", ORG, "PARSIAN BANK", lists=("SDN",)),
            ListEntry("us_ofac_sdn", "403", EntityKind.PERSON, "KARIMI, Reza", lists=("SDN",)),
        ]
    )
    result = index.screen(Query("بانک ملی ایران"))
    (match,) = result.matches
    assert match.entity_name == "BANK MELLI IRAN"
    assert match.match_type == "consonants"
    assert REVIEW_THRESHOLD <= match.score < 0.92  # the policy's deny bar: never a deny
    assert "consonants agree (bnkmlrn)" in match.explanation
    assert _top(index, "بانک پارسیان")[0] == "PARSIAN BANK"
    # Another bank, a Latin query and a person's name are not met by consonants.
    assert _top(index, "بانک ملت")[1] < REVIEW_THRESHOLD
    assert all(m.match_type != "consonants" for m in index.screen(Query("Bnk Mll Rn")).matches)
    assert _top(index, "رضا کریمی")[1] < REVIEW_THRESHOLD


def test_delta_rescreens_know_an_arabic_script_query_may_meet_by_consonants() -> None:
    from screening.matching.readings import Terms, read

    index = MatchIndex.build([ListEntry("us_ofac_sdn", "401", ORG, "BANK MELLI IRAN")])
    query = Query("بانک ملی ایران")
    assert index.may_reach(Terms.of([query]))
    assert index.may_meet(read(query.name), REVIEW_THRESHOLD, 0.0)
