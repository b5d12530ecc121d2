"""Acronyms of listed names: the ones the lists publish, and ones derived from long names.

"CETC 54th Research Institute" names an institute of China Electronics Technology Group
Corporation; the lists publish CETC as an alias of the group, so a query word that is such an
acronym can be read as the name it stands for. Long names without a published acronym get a
derived one (initials of their words, with and without "group", plus C for a corporation or
company): a guess, so it is only used when no English word or listed word is spelled the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from screening.names.affiliate import is_english_word
from screening.names.legal_forms import LEGAL_PHRASES
from screening.names.normalize import NormName, words
from screening.names.vocab import GENERIC_WORDS, STOPWORDS

MIN_ACRONYM: Final = 3
MAX_ACRONYM: Final = 6
MIN_WORDS_TO_DERIVE: Final = 3
_LEGAL_INITIALS: Final = {"corp": "c", "co": "c"}
_ACRONYM = re.compile(r"^[A-Z]{3,6}$")


def published_acronym(value: str, expansion: str) -> str | None:
    """A listed name written as one upper-case word of three to six letters ("CETC") whose
    letters run in order through the party's name from its first word ("AVIC": AViation
    Industry Corporation); "GROUP" or "LUCAS" printed in capitals is not an acronym."""
    value = value.strip()
    if not _ACRONYM.match(value) or is_english_word(value.casefold()):
        return None
    if value.casefold() in LEGAL_PHRASES or value.casefold() in GENERIC_WORDS:
        return None
    content = [w for w in words(expansion) if w not in STOPWORDS]
    if not content or content[0][0] != value[0].casefold():
        return None
    letters = iter("".join(content))
    if all(ch in letters for ch in value.casefold()):
        return value.casefold()
    return None


def derived_acronyms(norm: NormName) -> list[str]:
    """Initials of a long name's words (+ C for Corp./Co.), with and without "group"."""
    if len(norm.raw) < MIN_WORDS_TO_DERIVE:
        return []
    tail = "".join(_LEGAL_INITIALS.get(code, "") for code in norm.legal)[:1]
    out: list[str] = []
    for skip in ((), ("group",)):
        initials = "".join(w[0] for w in norm.raw if w not in skip and not w.isdigit()) + tail
        if MIN_ACRONYM <= len(initials) <= MAX_ACRONYM and initials not in out:
            out.append(initials)
    return out


def acronym_table(
    published: Iterable[tuple[str, str]],
    derived: Iterable[tuple[str, str]],
    vocabulary: frozenset[str] | set[str],
) -> tuple[dict[str, str], dict[str, str]]:
    """(published, derived): acronym -> the one name it stands for.

    Each input pair is (acronym, expansion). A published acronym naming several parties keeps
    the shortest expansion (the group, not its institutes). A derived one is dropped when it is
    ambiguous, an English word, or already a word of some listed name.
    """
    pub: dict[str, str] = {}
    for acronym, expansion in published:
        held = pub.get(acronym)
        if held is None or len(expansion) < len(held):
            pub[acronym] = expansion
    seen: dict[str, set[str]] = {}
    for acronym, expansion in derived:
        seen.setdefault(acronym, set()).add(expansion)
    der = {
        a: next(iter(e))
        for a, e in seen.items()
        if len(e) == 1 and a not in pub and a not in vocabulary and not is_english_word(a)
    }
    return pub, der


def expand(text: str, table: dict[str, str]) -> tuple[str, str] | None:
    """The text with its first acronym word replaced by its expansion, and that acronym."""
    tokens = words(text)
    if len(tokens) < 2:
        return None
    for token in tokens:
        expansion = table.get(token)
        if expansion is not None:
            pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(token)}(?![A-Za-z0-9])", re.I)
            replaced, count = pattern.subn(expansion.replace("\\", "\\\\"), text, count=1)
            if count:
                return replaced, token
    return None
