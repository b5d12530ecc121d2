"""Undoing the tricks that hide a name: decorations, look-alike letters, split letters, digits.

`unmask` runs before normalisation on a query and reports what it changed, so the matcher can
show each change as evidence instead of applying it silently. Emoji come from the `emoji`
package (its table follows Unicode's emoji data); look-alike letters come from Unicode's
confusables data as shipped by `confusable-homoglyphs`, reduced to the letters whose skeleton is
one ASCII letter. Both tables are loaded once.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Final

import emoji

# Symbols that decorate a name (™ ® © ★ ✓ ✈): Unicode "other symbol" and "modifier symbol".
# № is a letterlike symbol that NFKC reads as "No" in numbered names, so it stays.
_DECORATION_CATEGORIES: Final = frozenset({"So", "Sk"})
_KEPT_SYMBOLS: Final = frozenset("№")
_ASCII_LETTER: Final = re.compile(r"[A-Za-z]")
# Three or more single letters joined by one repeated separator: "H.u.a.w.e.i", "D J I".
_SPLIT = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z](?P<sep>[.\-_·•*/ ])[A-Za-z](?:(?P=sep)[A-Za-z])+\.?(?![A-Za-z0-9])"
)
# Digits and signs typed for letters; 1 is read both as i and as l.
_DIGIT_LETTERS: Final = {
    "0": "o",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "@": "a",
    "$": "s",
}
_ONE_AS: Final = ("i", "l")
_MIXED_WORD = re.compile(r"[A-Za-z0-9@$]+")


@dataclass(frozen=True, slots=True)
class Finding:
    """One change made to a query, for the evidence of a match."""

    kind: str  # decoration_removed, confusable_folded, split_letters_joined
    detail: str


@dataclass(frozen=True, slots=True)
class Unmasked:
    text: str
    findings: tuple[Finding, ...]


@cache
def _skeletons() -> dict[str, str]:
    """Non-Latin letter -> the one ASCII letter it looks like (Cyrillic а -> a, Greek ο -> o)."""
    raw = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    table: dict[str, str] = {}
    for char, glyphs in json.loads(raw).items():
        if len(char) != 1 or char.isascii() or not char.isalpha():
            continue
        if unicodedata.name(char, "").startswith("LATIN"):
            continue  # accented Latin is folded by the normaliser, not here
        latin = [g["c"] for g in glyphs if len(g["c"]) == 1 and _ASCII_LETTER.fullmatch(g["c"])]
        if latin:
            # Prefer the letter of the same case: Cyrillic А is A, а is a.
            same = [c for c in latin if c.isupper() == char.isupper()]
            table[char] = (same or latin)[0]
    if len(table) < 50 or table.get("\u0430") != "a":
        raise RuntimeError("confusables data is incomplete: Cyrillic а has no Latin skeleton")
    return table


def _strip_decorations(text: str, found: list[Finding]) -> str:
    removed: list[str] = []

    def drop(match: str, _data: dict[str, str]) -> str:
        removed.append(match)
        return " "

    if not text.isascii():
        text = emoji.replace_emoji(text, replace=drop)
        out: list[str] = []
        for ch in text:
            if unicodedata.category(ch) in _DECORATION_CATEGORIES and ch not in _KEPT_SYMBOLS:
                removed.append(ch)
                out.append(" ")
            else:
                out.append(ch)
        text = "".join(out)
    if removed:
        found.append(Finding("decoration_removed", "symbols removed: " + " ".join(removed)))
    return text


def _fold_confusables(text: str, found: list[Finding]) -> str:
    if text.isascii():
        return text
    table = _skeletons()
    words = text.split(" ")
    # A name mostly in Latin letters may hide look-alikes in whole words too ("Bank Меllі").
    latin_name = sum(1 for w in words if w.isascii() and _ASCII_LETTER.search(w)) > 0
    folded: list[str] = []
    changed: list[str] = []
    for word in words:
        letters = [c for c in word if c.isalpha()]
        foreign = [c for c in letters if not c.isascii() and c in table]
        others = [c for c in letters if not c.isascii() and c not in table]
        mixed = any(c.isascii() for c in letters)
        if foreign and not others and (mixed or latin_name):
            new = "".join(table.get(c, c) for c in word)
            changed.append(f"{word}->{new}")
            folded.append(new)
        else:
            folded.append(word)
    if changed:
        found.append(
            Finding("confusable_folded", "look-alike letters read as Latin: " + ", ".join(changed))
        )
    return " ".join(folded)


def _join_split(text: str, found: list[Finding]) -> str:
    joined: list[str] = []

    def join(m: re.Match[str]) -> str:
        run = m.group(0)
        word = re.sub(r"[^A-Za-z]", "", run)
        # "L.L.C.", "P.M.C.": dotted acronyms of up to three letters are ordinary writing.
        if not (m.group("sep") == "." and len(word) <= 3):
            joined.append(f"{run.strip()}->{word}")
        return word

    text = _SPLIT.sub(join, text)
    if joined:
        found.append(Finding("split_letters_joined", "split letters joined: " + ", ".join(joined)))
    return text


@lru_cache(maxsize=65536)
def unmask(text: str) -> Unmasked:
    """The text with decorations removed, look-alikes folded and split letters rejoined."""
    found: list[Finding] = []
    text = _strip_decorations(text, found)
    text = _fold_confusables(text, found)
    text = _join_split(text, found)
    if found:
        text = " ".join(text.split())
    return Unmasked(text, tuple(found))


def _digit_word(word: str) -> bool:
    letters = sum(c.isalpha() for c in word)
    digits = len(word) - letters
    if letters < 2 or digits == 0 or digits > letters:
        return False
    # A trailing or leading block of two or more digits is a number (Boeing747, 88Bank).
    return not re.search(r"^[0-9]{2,}|[0-9]{2,}$", word)


@lru_cache(maxsize=65536)
def digit_readings(text: str) -> tuple[str, ...]:
    """The text with digits inside words read as letters ("Hikv1s1on" -> "Hikvision").

    Empty unless some word mixes digits and letters; pure numbers are never touched.
    """
    words = _MIXED_WORD.findall(text)
    if not any(_digit_word(w) for w in words):
        return ()
    out: list[str] = []
    for one in _ONE_AS:
        table = {**_DIGIT_LETTERS, "1": one}
        variant = _MIXED_WORD.sub(lambda m, t=table: _swap(m.group(0), t), text)  # type: ignore[misc]
        if variant != text and variant not in out:
            out.append(variant)
    return tuple(out)


def _swap(word: str, table: dict[str, str]) -> str:
    return "".join(table.get(c, c) for c in word) if _digit_word(word) else word
