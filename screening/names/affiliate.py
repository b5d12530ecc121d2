"""Words a subsidiary or branch adds to its group's name, and whether a word is plain English.

"Huawei Technologies Singapore" and "Huawei Cloud Services" are Huawei companies: the listed
name's distinctive word plus a place or a line of business. The places and business words are
data (`data/affiliate_words.tsv`, plus ISO 3166 country names from pycountry); the table's big
cities were taken once from GeoNames and are kept in it, so that a reviewer sees every place that
can be dropped and a package update cannot change matching unseen. A word found in an English
dictionary (GCIDE, as shipped by `english-words`) is too common to name a group on its own
("Panda Restaurant Group" is not Nanjing Panda Electronics).
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Final

import pycountry
from english_words import get_english_words_set

from screening.names.normalize import canonical, words
from screening.names.vocab import GENERIC_WORDS

DATA: Final = Path(__file__).resolve().parent / "data" / "affiliate_words.tsv"
# A "phrase" row holds place names of several words, "|" between them: their words are places
# only together ("ho chi minh"; "ho" and "chi" alone are a surname and a word).
_KINDS: Final = frozenset({"place", "business", "phrase"})


def _parse(path: Path) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {k: set() for k in _KINDS}
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 3 or cols[0] not in _KINDS or not cols[2].strip():
            raise ValueError(f"{path.name}:{line_no}: expected kind, words, source")
        items = cols[1].split("|") if cols[0] == "phrase" else cols[1].split()
        for item in items:
            tokens = item.split()
            if any(w != w.lower() or not w.isalnum() for w in tokens) or not tokens:
                raise ValueError(f"{path.name}:{line_no}: {item!r} is not in token form")
            if cols[0] == "phrase" and len(tokens) < 2:
                raise ValueError(f"{path.name}:{line_no}: {item!r} is one word: make it a place")
            found[cols[0]].add(" ".join(canonical(w) for w in tokens))
    return {k: frozenset(v) for k, v in found.items()}


@cache
def _tables() -> dict[str, frozenset[str]]:
    tables = _parse(DATA)
    countries = {
        canonical(w)
        for c in pycountry.countries
        for attr in ("name", "common_name", "official_name")
        for w in words(getattr(c, attr, "") or "")
        if len(w) > 2
    }
    # Chinese provinces and municipalities: the places Chinese firms put in brackets.
    provinces = {
        canonical(w)
        for sub in pycountry.subdivisions.get(country_code="CN") or ()  # type: ignore[no-untyped-call]
        for w in words(sub.name)
        if len(w) > 2 and w not in {"sheng", "shi", "zizhiqu", "special", "administrative"}
    }
    return {**tables, "place": tables["place"] | countries | provinces}


# Articles a romanised name carries or drops as it pleases: the Arabic al/el ("Jund
# al-Khilafah" is written "Jund Khilafah" too), the Spanish and Italian el/il.
ARTICLES: Final = frozenset({"al", "el", "il"})


@cache
def droppable_words() -> frozenset[str]:
    """Places, business words, generic words and articles: what an affiliate may add or drop."""
    return GENERIC_WORDS | place_words() | business_words() | ARTICLES


@cache
def place_or_generic_words() -> frozenset[str]:
    return GENERIC_WORDS | place_words()


def place_words() -> frozenset[str]:
    return _tables()["place"]


def business_words() -> frozenset[str]:
    return _tables()["business"]


@cache
def _phrases() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Several-word place names by their first word, longest first."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in _tables()["phrase"]:
        tokens = tuple(phrase.split())
        by_first.setdefault(tokens[0], []).append(tokens)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in by_first.items()}


@lru_cache(maxsize=65536)
def phrase_places(tokens: tuple[str, ...]) -> frozenset[int]:
    """Positions of the tokens that spell a several-word place name ("Ho Chi Minh City
    Branch": the first three), so that they can be dropped like a one-word place."""
    phrases = _phrases()
    found: set[int] = set()
    for i, token in enumerate(tokens):
        for phrase in phrases.get(token, ()):
            if tokens[i : i + len(phrase)] == phrase:
                found.update(range(i, i + len(phrase)))
                break
    return frozenset(found)


# "DeepSeek-V3", "Huawei P30", "Biren BR100": a product or model code after a group's name
# names the group's product, not another company. Letters and digits both, so that a number
# alone ("CETC 11", another institute) or a word never passes for one.
DESIGNATOR_MAX_LENGTH: Final = 8


def is_designator(token: str) -> bool:
    """True for a product or model code: letters and digits mixed, eight characters at most."""
    return (
        len(token) <= DESIGNATOR_MAX_LENGTH
        and token.isascii()
        and token.isalnum()
        and not token.isdigit()
        and not token.isalpha()
    )


@cache
def _english() -> frozenset[str]:
    return frozenset(get_english_words_set(["gcide"], lower=True, alpha=True))


@lru_cache(maxsize=65536)
def is_english_word(token: str) -> bool:
    """True for a word (or its singular) in the GCIDE English dictionary. GCIDE gives some past
    forms in -ied only under their verb ("applied" under "apply", "unified" under "unify")."""
    english = _english()
    if token in english or canonical(token) in english:
        return True
    return len(token) > 4 and token.endswith("ied") and token[:-3] + "y" in english
