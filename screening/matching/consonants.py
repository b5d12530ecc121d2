"""Listed names by their consonants, for queries written in Arabic script.

"بانک ملی ایران" shares no word with "BANK MELLI IRAN", since the script writes no short vowels,
but the two have the same consonants (`names.consonants`). A query in Arabic script that no
word of a listed name meets is looked up here by its consonant key. A key is lossy, so what it
finds scores `CONSONANT_SCORE`: enough for a human to look, never enough to deny (its match type
is not one the policy denies on), and it says why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Final, Protocol

from screening.matching.model import Evidence
from screening.names.consonants import consonant_keys, query_keys
from screening.names.normalize import NormName
from screening.priority import FOREGROUND

courteous = FOREGROUND.courteous

CONSONANT_SCORE: Final = 0.86
MATCH_TYPE: Final = "consonants"
# Names that say what a party is called, not a guess or a reading of another name.
_KINDS: Final = frozenset({"derived_acronym", "native_script"})


class _Named(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def weak(self) -> bool: ...
    @property
    def norm(self) -> NormName: ...


class ConsonantIndex:
    def __init__(self, by_key: dict[str, list[int]]) -> None:
        self._by_key = by_key

    @classmethod
    def build(cls, names: Iterable[_Named], organisations: Iterable[bool]) -> ConsonantIndex:
        """`organisations`: per name, whether its party is an organisation (people's names are
        too short and too shared for a lossy key)."""
        by_key: defaultdict[str, list[int]] = defaultdict(list)
        pairs = enumerate(zip(names, organisations, strict=True))
        for nid, (name, organisation) in courteous(pairs, 256):
            if organisation and not name.weak and name.kind not in _KINDS:
                for key in consonant_keys(name.norm.raw):
                    by_key[key].append(nid)
        return cls(dict(by_key))

    def lookup(self, text: str) -> tuple[str, list[int]]:
        """The query's consonant key and the names that have it (none unless the query is in
        Arabic script)."""
        for key in query_keys(text):
            found = self._by_key.get(key)
            if found:
                return key, found
        return "", []

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def dismantle(self) -> None:
        for key in courteous(list(self._by_key), 512):
            del self._by_key[key]


def consonant_evidence(key: str) -> Evidence:
    detail = f"consonants agree ({key}): the query's script writes no short vowels"
    return Evidence("consonants", detail, CONSONANT_SCORE)
