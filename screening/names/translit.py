"""Romanisation of non-Latin scripts, the way company and person names are written in the lists.

Chinese (simplified and traditional) goes through a word table first (business words, places,
legal forms, known brands) and falls back to pinyin for the rest, with the syllables of one
unknown run joined into a single word, as Chinese company names are romanised: 华为 -> "huawei",
not "hua wei". Every other script (Cyrillic, Arabic, Greek, Hangul, kana, ...) goes through
anyascii, which is deterministic and close to what the lists themselves print.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii
from pypinyin import Style, lazy_pinyin

from screening.names.legal_forms import CHINESE_LEGAL_FORMS
from screening.names.numerals import institutes
from screening.names.vocab import CHINESE_WORDS, TRADITIONAL_CHARS

# CJK unified ideographs, extension A and compatibility ideographs; extension B+ is vanishingly
# rare in company names and anyascii still romanises it.
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _to_traditional(word: str) -> str:
    return "".join(TRADITIONAL_CHARS.get(ch, ch) for ch in word)


def _build_han_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for source in (CHINESE_WORDS, CHINESE_LEGAL_FORMS):
        for word, latin in source.items():
            table[word] = latin
            table.setdefault(_to_traditional(word), latin)
    return table


_HAN_TABLE: dict[str, str] = _build_han_table()
_MAX_HAN_WORD = max(len(w) for w in _HAN_TABLE)


def han_table() -> dict[str, str]:
    """Chinese word (simplified and traditional) -> its Latin words, from the word tables."""
    return _HAN_TABLE


def max_han_word() -> int:
    return _MAX_HAN_WORD


def _pinyin_word(chars: str) -> str:
    # v_to_u keeps ü for anyascii to fold to "u" (lü -> lu), which is how the lists print it.
    return anyascii("".join(lazy_pinyin(chars, style=Style.NORMAL, v_to_u=True))).lower()


def _han_run_to_latin(run: str) -> str:
    """Greedy longest match against the word table; unknown stretches become one pinyin word."""
    words: list[str] = []
    unknown_start = -1
    i = 0
    while i < len(run):
        for size in range(min(_MAX_HAN_WORD, len(run) - i), 0, -1):
            latin = _HAN_TABLE.get(run[i : i + size])
            if latin is not None:
                if unknown_start >= 0:
                    words.append(_pinyin_word(run[unknown_start:i]))
                    unknown_start = -1
                words.append(latin)
                i += size
                break
        else:
            if unknown_start < 0:
                unknown_start = i
            i += 1
    if unknown_start >= 0:
        words.append(_pinyin_word(run[unknown_start:]))
    return " ".join(words)


def has_non_latin(text: str) -> bool:
    """True if the text holds letters of a non-Latin script (accented Latin does not count)."""
    # U+024F ends Latin Extended-B; the Latin Extended Additional block (Vietnamese) is Latin too.
    return not text.isascii() and any(
        ch.isalpha() and ord(ch) > 0x24F and not 0x1E00 <= ord(ch) <= 0x1EFF for ch in text
    )


@lru_cache(maxsize=65536)
def to_latin(text: str) -> str:
    """Romanise any script to ASCII, translating Chinese business words on the way.

    Latin letters with diacritics are folded too ("Société" -> "Societe"). Han runs are
    surrounded by spaces so that "华为Technologies" still yields two words; numbered institutes
    are numbers ("第四研究院" -> "4 academy", not "disi research institute").
    """
    if text.isascii():
        return text
    text = _HAN_RUN.sub(lambda m: f" {_han_run_to_latin(m.group(0))} ", institutes(text))
    return anyascii(text)
