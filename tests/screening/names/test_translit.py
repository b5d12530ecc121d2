from __future__ import annotations

import pytest

from screening.names.translit import has_non_latin, to_latin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("华为", "huawei"),
        ("華為技術有限公司", "huawei technology co ltd"),
        ("杭州海康威视数字技术股份有限公司", "hangzhou hikvision digital technology co ltd"),
        ("中国航天科技集团有限公司", "china aerospace science technology group co ltd"),
        ("Москва", "Moskva"),
        ("Αθήνα", "Athina"),
        ("Huawei", "Huawei"),
    ],
)
def test_to_latin(text: str, expected: str) -> None:
    assert " ".join(to_latin(text).split()) == expected


def test_unknown_han_run_is_one_pinyin_word() -> None:
    # 腾讯 is not in the word table: its syllables stay together as one word.
    assert to_latin("腾讯").split() == ["tengxun"]


def test_arabic_becomes_ascii_letters() -> None:
    out = to_latin("صدام حسين")
    assert out.isascii()
    assert len(out.split()) == 2


def test_has_non_latin() -> None:
    assert has_non_latin("Ромашка")
    assert not has_non_latin("Ærø Straße")


def test_numbered_institutes_are_numbers_in_the_sound_reading_too() -> None:
    # Read "disi" and "dishi", the 4th and the 10th academy were one letter apart.
    assert to_latin("中国电子科技集团公司第四研究院").split()[-2:] == ["4", "academy"]
    assert to_latin("航天科工一院").split()[-2:] == ["1", "academy"]
    assert "72 research institute" in " ".join(to_latin("航天科技一院第七十二研究所").split())
