"""Pinyin typed for a Chinese name: solid runs split into syllables, known words translated.

"zhongguodianzi keji" is 中国电子科技 typed without its characters; split into syllables (the
syllable table is every reading pypinyin gives a CJK character) and grouped into the words of our
Chinese table (中国 zhongguo -> china, 电子 dianzi -> electronics, 商汤 shangtang -> sensetime), it
meets the English listing. Words of one syllable are never translated: too many collide. The
syllable table (data/pinyin_syllables.txt) was written from pypinyin's readings of every CJK
character.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Final

from anyascii import anyascii
from pypinyin import Style, lazy_pinyin

from screening.names.translit import han_table

SYLLABLES: Final = Path(__file__).resolve().parent / "data" / "pinyin_syllables.txt"
MAX_SYLLABLE: Final = 6
MAX_WORD_SYLLABLES: Final = 8
_TOKEN = re.compile(r"[a-z]+|[^a-z\s]+")


@cache
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (about 400), from data/pinyin_syllables.txt."""
    text = SYLLABLES.read_text(encoding="utf-8")
    found = frozenset(
        w for line in text.splitlines() if not line.startswith("#") for w in line.split()
    )
    if not 380 <= len(found) <= 450 or "zhong" not in found or not all(w.isalpha() for w in found):
        raise RuntimeError(f"pinyin syllable table looks wrong: {len(found)} syllables")
    return found


@cache
def _pinyin_words() -> dict[tuple[str, ...], str]:
    """Syllables of a table word -> its Latin words, for words of two syllables or more."""
    out: dict[tuple[str, ...], str] = {}
    for han, latin in han_table().items():
        sylls = tuple(
            anyascii(p).lower() for p in lazy_pinyin(han, style=Style.NORMAL, v_to_u=True)
        )
        if len(sylls) >= 2 and all(s.isalpha() for s in sylls):
            out.setdefault(sylls, latin)
    return out


@lru_cache(maxsize=65536)
def split_syllables(token: str) -> tuple[str, ...] | None:
    """The fewest syllables that spell the token exactly, or None if it is not pinyin."""
    table = syllables()
    n = len(token)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(n):
        done = best[i]
        if done is None:
            continue
        for size in range(1, min(MAX_SYLLABLE, n - i) + 1):
            part = token[i : i + size]
            cand = best[i + size]
            if part in table and (cand is None or len(cand) > len(done) + 1):
                best[i + size] = (*done, part)
    return best[n]


@lru_cache(maxsize=16384)
def pinyin_reading(text: str) -> str | None:
    """The text with pinyin words translated through our table; None if nothing translated."""
    if not text.isascii():
        return None
    tokens = _TOKEN.findall(text.lower())
    # (syllable, index of the token it came from); non-pinyin tokens stand alone.
    units: list[tuple[str, int, bool]] = []
    for k, token in enumerate(tokens):
        split = split_syllables(token) if token.isalpha() else None
        if split is None:
            units.append((token, k, False))
        else:
            units.extend((s, k, True) for s in split)
    words = _pinyin_words()
    out: list[str] = []
    translated = False
    i = 0
    while i < len(units):
        for size in range(min(MAX_WORD_SYLLABLES, len(units) - i), 1, -1):
            window = units[i : i + size]
            if all(u[2] for u in window):
                latin = words.get(tuple(u[0] for u in window))
                if latin is not None:
                    out.append(latin)
                    translated = True
                    i += size
                    break
        else:
            # Syllables of one typed token that no table word took stay one word ("huawei").
            text_k, k, is_pinyin = units[i]
            if out and is_pinyin and out[-1].endswith("\0" + str(k)):
                out[-1] = out[-1].rsplit("\0", 1)[0] + text_k + "\0" + str(k)
            else:
                out.append(text_k + ("\0" + str(k) if is_pinyin else ""))
            i += 1
    if not translated:
        return None
    return " ".join(w.split("\0", 1)[0] for w in out)
