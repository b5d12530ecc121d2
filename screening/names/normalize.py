"""Name normalisation: one function turns any name, in any script, into comparable tokens.

Pipeline: strip control characters -> Unicode NFKC -> romanise (`translit`) -> casefold ->
punctuation and spacing -> tokens -> legal forms pulled out into a canonical set -> abbreviations
expanded and plurals folded into canonical tokens. The same function runs on listed names at index
build time and on queries, so both sides always agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from rapidfuzz.distance import OSA

from screening.names.legal_forms import LEGAL_PHRASES, LEGAL_WORDS, MAX_PHRASE_TOKENS
from screening.names.synonyms import SYNONYMS
from screening.names.translit import has_non_latin, to_latin
from screening.names.vocab import ABBREVIATIONS, GENERIC_WORDS, ORDINAL_WORDS, STOPWORDS

# C0/C1 controls and format characters (zero-width joiners, bidi overrides, BOM): invisible, so a
# pasted name that carries them must match the same name without them.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_SPACE_CONTROLS = frozenset("\t\n\r\x0b\x0c\x85\u2028\u2029")
_APOSTROPHES = re.compile(r"['`´’‘ʼ]")
# A possessive whose apostrophe an encoding lost: the CSL prints "CASIC 3rd Academy?s 159
# Factory", "CAEP ?s 902 Institute" and "(CAEP)?s" for "Academy’s", "CAEP’s".
_LOST_APOSTROPHE = re.compile(r"(?<=[a-z0-9)\]])\s?[?\ufffd]s\b")
_INITIALS_AND: Final = re.compile(r"\b([a-z]{1,2})&([a-z]{1,2})\b")
# A letter hyphened to a word is part of it: "E-Chips", "T-Mobile", "X-Ray" are one word each.
_LETTER_PREFIX: Final = re.compile(r"\b([a-z])-(?=[a-z]{3,}\b)")
# Dotted acronyms ("S.A.", "U.S.A.", "L.L.C.") collapse into one word before dots become spaces.
_ACRONYM = re.compile(r"\b(?:[a-z0-9]\.){2,}(?![a-z0-9])|\b(?:[a-z0-9]\.)+[a-z0-9]\b")
# A brand spelt as a domain with a name of one or two characters ("Z.ai", "01.AI") is one word,
# the dot kept in it ("zdotai"): the part before the dot is too short to name anything alone,
# and the brand is not the word "Zai" that unrelated firms are named. Longer ones
# ("Amazon.com") keep their name as a word of its own.
_SHORT_DOMAIN_BRAND: Final = re.compile(
    r"\b([a-z0-9]{1,2})\.(ai|io|app|dev|tech|com|net|org)\b", re.IGNORECASE
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def strip_controls(text: str) -> str:
    """Drop invisible characters; line breaks and tabs become spaces."""
    if text.isascii() and text.isprintable():
        return text
    out: list[str] = []
    for ch in text:
        if ch in _SPACE_CONTROLS:
            out.append(" ")
        elif unicodedata.category(ch) not in _INVISIBLE_CATEGORIES:
            out.append(ch)
    return "".join(out)


def fold(text: str) -> str:
    """Control characters stripped, NFKC, romanised, casefolded, spacing collapsed."""
    text = unicodedata.normalize("NFKC", strip_controls(text))
    return " ".join(to_latin(text).casefold().split())


def singular(token: str) -> str:
    """Crude English plural folding, applied equally to both sides so it only has to agree."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def canonical(token: str) -> str:
    """The comparison form of one content word: abbreviation expanded, plural folded, and a
    reviewed synonym ("airplane", "transportation") read as the word our tables use."""
    expanded = ABBREVIATIONS.get(token)
    if expanded is None:
        base = singular(token)
        expanded = ABBREVIATIONS.get(base, base)
    return SYNONYMS.get(expanded, expanded)


def domain_brand_spaced(text: str) -> str | None:
    """The text with the dots of its short domain brands with a digit as spaces ("01.AI" ->
    "01 AI"), the way such a brand is also typed; None if it has none. A brand of letters is
    left alone: "Z ai" read together is "Zai", which unrelated firms are called."""
    spaced = _SHORT_DOMAIN_BRAND.sub(
        lambda m: f"{m[1]} {m[2]}" if any(c.isdigit() for c in m[1]) else m[0], text
    )
    return spaced if spaced != text else None


def words(text: str) -> list[str]:
    """Folded text split into word tokens (stopwords kept). Initials joined by an ampersand are
    one word ("R&D", "AT&T"), as is a letter hyphened to a word ("E-Chips"); an ampersand
    between words is "and"."""
    folded = _APOSTROPHES.sub("", _LOST_APOSTROPHE.sub("", fold(text)))
    folded = _LETTER_PREFIX.sub(r"\1", _INITIALS_AND.sub(r"\1\2", folded))
    folded = folded.replace("&", " and ")
    folded = _SHORT_DOMAIN_BRAND.sub(r"\1dot\2", folded)
    folded = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), folded)
    return _NON_ALNUM.sub(" ", folded).split()


@dataclass(frozen=True, slots=True)
class NormName:
    """A name ready for comparison."""

    # Canonical content tokens in name order (legal forms and stopwords removed).
    tokens: tuple[str, ...]
    # The same tokens as written (before abbreviation/plural folding), for explanations.
    raw: tuple[str, ...]
    # Canonical legal-form codes, sorted and unique ("co", "ltd").
    legal: tuple[str, ...]
    # Canonical content tokens concatenated: "Cloud Walk" and "CloudWalk" agree here.
    compact: str
    # Every word including legal forms and stopwords, concatenated: catches any respacing.
    spaced: str
    # The name was (partly) in a non-Latin script and went through romanisation.
    transliterated: bool

    @property
    def generic_only(self) -> bool:
        """True if nothing in the name could identify a party (only generic words/legal forms)."""
        return all(t in GENERIC_WORDS for t in self.tokens)


# Sorted so that a word near two legal words resolves the same way in every process.
_LEGAL_WORDS_SORTED = tuple(sorted(LEGAL_WORDS))
# Shorter legal words ("joint", "stock"), corrected only inside a long legal phrase.
_SHORT_LEGAL_SORTED = tuple(sorted({w for p in LEGAL_PHRASES for w in p.split() if len(w) == 5}))


def _one_typo_from(token: str, candidates: tuple[str, ...]) -> str:
    for word in candidates:
        if abs(len(word) - len(token)) <= 1 and OSA.distance(word, token, score_cutoff=1) <= 1:
            return word
    return token


@lru_cache(maxsize=65536)
def _legal_spelling(token: str) -> str:
    """A long word one typing error away from a legal-form word is that word ("compnay")."""
    if len(token) < 6 or token in LEGAL_WORDS:
        return token
    return _one_typo_from(token, _LEGAL_WORDS_SORTED)


@lru_cache(maxsize=65536)
def _short_legal_spelling(token: str) -> str:
    if len(token) < 4 or token in LEGAL_PHRASES:
        return token
    return _one_typo_from(token, _SHORT_LEGAL_SORTED)


def _phrase_codes(tokens: list[str], loose: list[str], i: int, size: int) -> tuple[str, ...] | None:
    codes = LEGAL_PHRASES.get(" ".join(tokens[i : i + size]))
    if codes is not None or size < 3:
        return codes
    # "Joint Stokc Company": one typo in a short legal word is accepted only when it completes a
    # phrase of three or more legal words, where it cannot be a real name word ("Stick Co" stays).
    window = loose[i : i + size]
    if sum(a != b for a, b in zip(window, tokens[i : i + size], strict=True)) != 1:
        return None
    return LEGAL_PHRASES.get(" ".join(window))


def _split_legal(tokens: list[str]) -> tuple[list[str], list[str]]:
    tokens = [_legal_spelling(t) for t in tokens]
    loose = [_short_legal_spelling(t) for t in tokens]
    content: list[str] = []
    legal: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(MAX_PHRASE_TOKENS, len(tokens) - i), 0, -1):
            codes = _phrase_codes(tokens, loose, i, size)
            if codes is not None:
                legal.extend(codes)
                i += size
                break
        else:
            content.append(tokens[i])
            i += 1
    return content, legal


_ORDINAL = re.compile(r"^([0-9]+)(?:st|nd|rd|th)$")
_NUMBER_MARKS: Final = frozenset({"no", "nr", "number", "num"})
# Ordinal words past "twelfth", and the tens a compound ordinal starts with ("Fifty-Fourth").
_TEEN_ORDINALS: Final = {
    "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
    "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40,
    "fiftieth": 50, "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
}  # fmt: skip
_TENS: Final = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_UNIT_ORDINALS: Final = {w: int(n) for w, n in ORDINAL_WORDS.items() if int(n) < 10}


def _ordinal_word(token: str) -> str | None:
    if token in ORDINAL_WORDS:
        return ORDINAL_WORDS[token]
    number = _TEEN_ORDINALS.get(token)
    return None if number is None else str(number)


def _numbers(tokens: list[str]) -> list[str]:
    """One form for numbered names: "No. 11", "11th", "Eleventh", "Fifty-Fourth" and 第十一
    all become "11" (or "54")."""
    out: list[str] = []
    skip = False
    for i, token in enumerate(tokens):
        if skip:
            skip = False
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in _NUMBER_MARKS and nxt[:1].isdigit():
            continue
        if token in _TENS and nxt in _UNIT_ORDINALS:
            out.append(str(_TENS[token] + _UNIT_ORDINALS[nxt]))
            skip = True
            continue
        m = _ORDINAL.match(token)
        word = None if m else _ordinal_word(token)
        out.append(m.group(1) if m else word if word is not None else token)
    return out


@lru_cache(maxsize=131072)
def normalize_name(text: str) -> NormName:
    """Normalise a name of any script into a `NormName` (pure; cached)."""
    tokens = words(text)
    content, legal = _split_legal(tokens)
    # Stopwords go after legal-form detection: "limited liability company" needs no "of", but
    # "societe a responsabilite limitee" does need its "a".
    content = _numbers([t for t in content if t not in STOPWORDS])
    return NormName(
        tokens=tuple(canonical(t) for t in content),
        raw=tuple(content),
        legal=tuple(sorted(set(legal))),
        compact="".join(canonical(t) for t in content),
        spaced="".join(tokens),
        transliterated=has_non_latin(strip_controls(text)),
    )
