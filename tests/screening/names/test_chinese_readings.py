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
