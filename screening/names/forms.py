"""The forms under which one listed name is indexed, and the readings of one query.

A listed name is indexed as written, without its parentheses, and by a bracketed one-word short
name ("... (NUDT)"), but not by a bracketed place: "Wisdom Import and Export (Shanghai) Co." is
not a party called "Shanghai". A query is read as typed and, where it holds Chinese script or
digits typed for letters, in its other readings (`chinese.han_readings`, `evasion`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from screening.names.affiliate import place_words
from screening.names.chinese import HAN_RUN, han_readings
from screening.names.evasion import Finding, digit_readings, unmask
from screening.names.normalize import canonical, domain_brand_spaced, words
from screening.names.pinyin import pinyin_reading

_PARENTHESES: Final = re.compile(r"\s*\(([^()]*)\)")
MAX_READING_WORDS: Final = 60


def name_forms(value: str) -> list[str]:
    """The name, the name without parentheses, a bracketed one-word short name, and a short
    domain brand typed with a space ("01 AI" for "01.AI")."""
    forms = [value]
    spaced = domain_brand_spaced(value)
    if spaced is not None:
        forms.append(spaced)
    if "(" in value:
        bare = " ".join(_PARENTHESES.sub(" ", value).split())
        if bare and bare != value:
            forms.append(bare)
        shorts = [
            m
            for m in _PARENTHESES.findall(value)
            if len(m) >= 3 and m.isalnum() and not _is_place(m)
        ]
        forms.extend(shorts)
        # "China Aerospace Science and Industry Corporation (CASIC) 3rd Academy" is also
        # "CASIC 3rd Academy": the acronym stands for everything before it.
        for short in shorts:
            head, _, rest = value.partition(f"({short})")
            rest = rest.strip(" ,")
            if head.strip() and rest and "(" not in rest:
                forms.append(f"{short} {rest}")
    return forms


def _is_place(text: str) -> bool:
    tokens = words(text)
    return bool(tokens) and all(canonical(t) in place_words() for t in tokens)


@dataclass(frozen=True, slots=True)
class Reading:
    text: str
    # What was done to the query to get here, shown as evidence of any match it makes.
    findings: tuple[Finding, ...]
    # Digits read as letters: a guess, so matches through it cost a little.
    guessed: bool = False


def _script_halves(text: str) -> tuple[str, str]:
    """(the Chinese part, the Latin part) of a mixed-script name; either may be empty."""
    han = " ".join(HAN_RUN.findall(text))
    if not han:
        return "", ""
    latin = " ".join(HAN_RUN.sub(" ", text).split())
    return han, latin if any(c.isalpha() for c in latin) else ""


# A rescreen reads each name twice (to screen it, then to keep its readings).
@lru_cache(maxsize=65536)
def query_readings(name: str) -> tuple[Reading, ...]:
    """The query as typed (decorations removed, look-alikes folded, split letters joined),
    then its Chinese, pinyin and digit-as-letter readings."""
    base = unmask(name)
    out = [Reading(base.text, base.findings)]
    for text in han_readings(base.text):
        out.append(Reading(text, (*base.findings, Finding("chinese_reading", f"read as {text!r}"))))
    # "中芯国际 SMIC": the same name twice, once per script; each half is read on its own too.
    han, latin = _script_halves(base.text)
    if han and latin:
        for part in (latin, han, *han_readings(han)):
            found = Finding("script_part", f"read the part {part!r} on its own")
            out.append(Reading(part, (*base.findings, found)))
    pinyin = pinyin_reading(base.text)
    if pinyin is not None:
        out.append(
            Reading(pinyin, (*base.findings, Finding("pinyin_reading", f"read as {pinyin!r}")))
        )
    for text in digit_readings(base.text):
        found = Finding("digits_as_letters", f"digits read as letters: {text!r}")
        out.append(Reading(text, (*base.findings, found), guessed=True))
    seen: set[str] = set()
    unique: list[Reading] = []
    for r in out:
        # Only the first words of a name are scored; a reading is cut there before normalising,
        # so a pasted essay stays cheap however it is read.
        text = " ".join(r.text.split()[:MAX_READING_WORDS])
        if text not in seen:
            seen.add(text)
            unique.append(Reading(text, r.findings, r.guessed))
    return tuple(unique)


def warm_tables() -> None:
    """Load the tables a query may need (dictionary, confusables, syllables, word lists)."""
    for text in ("华为 Ｈuawei® R0sneft", "zhongguo dianzi", "红旗电子"):
        query_readings(text)
