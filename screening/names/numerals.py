"""Numbered institutes in Chinese: 第十一研究所 and 54所 become "11 research institute", the form
`normalize` gives "No. 11 Research Institute" and "11th Research Institute" too, in every reading
of a name (by sound as well as by meaning: 第四 read "disi" is one letter from 第十, "dishi")."""

from __future__ import annotations

import re
from typing import Final

_NUMERALS: Final = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
    "八": 8, "九": 9,
}  # fmt: skip
_UNITS: Final = {"十": 10, "百": 100, "千": 1000}
_INSTITUTE: Final = re.compile(
    r"第?([零〇一二两三四五六七八九十百千]+|[0-9]+)(研究所|研究院|所|院)"
)
_INSTITUTE_WORDS: Final = {"研究所": "research institute", "所": "research institute",
                           "研究院": "academy", "院": "academy"}  # fmt: skip


def chinese_number(text: str) -> int | None:
    """一 -> 1, 十一 -> 11, 五十四 -> 54, 一百零二 -> 102; digits as they are. Numerals without a
    unit are read digit by digit, as institute numbers above 99 are written: 七〇一 -> 701."""
    if text.isdigit():
        return int(text)
    if len(text) > 1 and all(ch in _NUMERALS and ch != "两" for ch in text):
        return int("".join(str(_NUMERALS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in _NUMERALS:
            digit = _NUMERALS[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def institutes(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        number = chinese_number(m.group(1))
        if number is None or number == 0:
            return m.group(0)
        return f" {number} {_INSTITUTE_WORDS[m.group(2)]} "

    return _INSTITUTE.sub(repl, text)
