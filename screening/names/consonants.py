"""Consonant keys: how a name in Arabic or Persian script meets its Latin transliteration.

The script writes no short vowels, so "بانک ملی ایران" romanises to "bnk mly yrn" while the
lists print "BANK MELLI IRAN": no word of one is a word of the other, but their consonants are
the same. A key keeps a name's consonants only (vowels, and the long-vowel letters y, w and v
dropped; doubled letters once; spellings that transliteration schemes disagree on made one),
so the two meet. The key is lossy by design, so it is only asked of a query written in Arabic
script, and only a long key (five consonants or more) is kept: short ones would meet too much.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from screening.names.normalize import normalize_name

# Arabic, Arabic Supplement and Extended-A, and the presentation forms.
_ARABIC: Final = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Letters transliteration schemes write differently: ق q / gh, ذ dh / z, ث th / s, ف ph / f.
_FOLDS: Final = (("gh", "q"), ("dh", "z"), ("th", "s"), ("ph", "f"))
_NOT_CONSONANT: Final = re.compile(r"[aeiouywv0-9]")
_DOUBLED: Final = re.compile(r"(.)\1+")
MIN_CONSONANTS: Final = 5
# Letters Persian has and Arabic does not (پ چ ژ گ ک ی): the text is Persian.
_PERSIAN: Final = re.compile("[\u067e\u0686\u0698\u06af\u06a9\u06cc]")


def has_arabic_script(text: str) -> bool:
    return _ARABIC.search(text) is not None


def _skeleton(token: str) -> str:
    # Vowels first: the script's romanisation has none, so a digraph is only ever what is left
    # once they are gone ("sepah" and "سپه" are both "sph", then "sf").
    token = _NOT_CONSONANT.sub("", token)
    for spelt, one in _FOLDS:
        token = token.replace(spelt, one)
    return _DOUBLED.sub(r"\1", token)


def consonant_keys(words: Sequence[str]) -> tuple[str, ...]:
    """The consonants of a name's words (as written, legal forms out: `NormName.raw`; the
    plural and abbreviation folds of matching would cut "Ghods" to "ghod") in word order, and
    in sorted word order ("Parsian Bank" is also typed "Bank Parsian"); () when they are too
    few to tell names apart."""
    parts = [s for s in (_skeleton(w) for w in words) if s]
    ordered = _DOUBLED.sub(r"\1", "".join(parts))
    if len(ordered) < MIN_CONSONANTS:
        return ()
    unordered = _DOUBLED.sub(r"\1", "".join(sorted(parts)))
    return (ordered,) if unordered == ordered else (ordered, unordered)


def query_keys(text: str) -> tuple[str, ...]:
    """`consonant_keys` of a query written in Arabic script; () for any other."""
    if not has_arabic_script(text):
        return ()
    if _PERSIAN.search(text):
        # ض is "d" in Arabic and "z" in Persian, which is how the lists spell Iranian names
        # ("Bonyad Mostazafan", مستضعفان).
        text = text.replace("\u0636", "\u0632")
    return consonant_keys(normalize_name(text).raw)
