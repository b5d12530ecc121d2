from __future__ import annotations

import pytest

from screening.names.chinese import han_readings, to_simplified
from screening.names.native import native_names
from screening.names.numerals import chinese_number
from screening.names.pinyin import pinyin_reading, split_syllables, syllables


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一", 1), ("十", 10), ("十一", 11), ("五十四", 54), ("一百零二", 102),
        # written digit by digit, as institute numbers above 99 are
        ("七〇一", 701), ("七零一", 701), ("九八二", 982), ("一〇二", 102),
    ],
)  # fmt: skip
def test_chinese_numbers(text: str, number: int) -> None:
    assert chinese_number(text) == number


def test_traditional_becomes_simplified() -> None:
    assert to_simplified("華為技術") == "华为技术"


def test_readings_by_sound_and_by_meaning() -> None:
    sound, meaning = han_readings("红旗电子")
    assert sound == "hongqi electronics"
    assert meaning == "red flag electronics"


def test_numbered_institute_reading() -> None:
    assert "11 research institute" in han_readings("第十一研究所")[0]
    assert "701 research institute" in han_readings("中船重工第七〇一研究所")[0]
    assert "982 research institute" in han_readings("中电科九八二所")[-1]


def test_a_leading_zhong_alone_is_read_as_china_too() -> None:
    assert "china optics group" in han_readings("中光学集团")
    assert "china nuclear" in han_readings("中核")
    # A word jieba keeps whole (a city, a brand) keeps its own reading; one character is no name.
    assert not any(r.startswith("china") for r in han_readings("中山大学"))
    assert not any(r.startswith("china") for r in han_readings("中信集团"))
    assert not any(r.startswith("china") for r in han_readings("中 国"))


def test_an_unglossed_long_word_is_read_by_its_parts() -> None:
    # jieba keeps 平潭县 and 远洋渔业 whole and CC-CEDICT glosses neither: read by their parts,
    # not as the blobs "pingtanxian yuanyangyuye".
    meaning = han_readings("福建省平潭县远洋渔业有限公司")[-1]
    assert "pingtan county distant seas fishing industry" in meaning
    # A name with no glossed part stays pinyin.
    assert han_readings("嘉纳海威")[-1] == han_readings("嘉纳海威")[0]


def test_cloud_alone_after_a_group_name_is_read_as_cloud() -> None:
    # jieba leaves 云 as a word of its own after a group's name (华为云 Huawei Cloud, 京东云 JD
    # Cloud): by meaning it is "cloud", by sound still "yun"; inside a word (云南) it stays.
    sound, meaning = han_readings("华为云计算技术有限公司")
    assert "cloud computing technology" in meaning
    assert "yun computing technology" in sound
    assert han_readings("京东云")[-1] == "jingdong cloud"
    assert all("cloud" not in r for r in han_readings("云南白药集团"))


def test_solid_pinyin_is_split_and_known_words_translated() -> None:
    assert 380 <= len(syllables()) <= 450
    assert split_syllables("zhongguo") == ("zhong", "guo")
    assert split_syllables("bank") is None
    assert pinyin_reading("zhongguodianzi") == "china electronics"
    assert pinyin_reading("Huawei") is None


def test_native_name_rows_are_validated_and_marked() -> None:
    rows = native_names()
    assert len(rows) > 150
    assert all(r.source for r in rows)
    assert {r.kind for r in rows} <= {"legal", "short", "former"}
