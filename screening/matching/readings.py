"""The readings of a query, and readings kept from one screen for the next.

Reading a name (decorations, look-alikes, Chinese by sound and meaning, digits as letters, then
normalisation) costs more than comparing it with a small index, so a delta rescreen that asks
"could this customer meet one of the parties that changed?" of every customer would spend
most of its time reading names again. Each customer's result keeps its queries with their
readings instead (`keep`), and the delta screens those (`MatchIndex.screen_read`).

Kept readings are only as good as the code and tables that made them: a record carries a
digest of the name-reading package (its source and data files) and of the libraries it reads
with. A record with another digest is not used (`kept` gives None): the caller reads afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from itertools import pairwise
from pathlib import Path
from typing import Any

from screening import names as names_package
from screening.matching.model import Query
from screening.matching.party import BONUS
from screening.names.consonants import query_keys
from screening.names.evasion import Finding
from screening.names.forms import Reading, query_readings
from screening.names.normalize import NormName, normalize_name, words

Read = list[tuple[Reading, NormName]]

# The shape of a record `keep` writes; a new shape makes older records unusable.
_RECORD_FORMAT = 2

# Libraries whose data shape a reading (romanisation, segmentation, emoji, confusables).
_READING_LIBRARIES = (
    "anyascii",
    "emoji",
    "english-words",
    "opencc",
    "pycountry",
    "pypinyin",
    "rapidfuzz",
    "rjieba",
)


def read(name: str) -> Read:
    """The name as typed and in its other readings, each normalised."""
    return [(r, normalize_name(r.text)) for r in query_readings(name)]


@cache
def readings_digest() -> str:
    """What a kept reading was made with; a change to any of it makes old records unusable."""
    digest = hashlib.sha256(f"format {_RECORD_FORMAT}".encode())
    root = Path(names_package.__file__).parent
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for library in _READING_LIBRARIES:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{library}={version}".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class KeptQuery:
    fields: Mapping[str, str | None]
    read: Read

    @property
    def bonus(self) -> float:
        """The most its secondary facts (country, domain, ...) can add to a match's score."""
        return sum(value for key, value in BONUS.items() if self.fields.get(key))

    def query(self) -> Query:
        return Query.from_fields(self.fields)


def keep(queries: Sequence[Query]) -> dict[str, Any]:
    """The queries with their readings, as a JSON-ready record."""
    kept: list[dict[str, Any]] = []
    for query in queries:
        readings = [
            [
                reading.text,
                reading.guessed,
                [[f.kind, f.detail] for f in reading.findings],
                list(q.tokens),
                list(q.raw),
                list(q.legal),
                q.compact,
                q.spaced,
                q.transliterated,
            ]
            for reading, q in read(query.name)
        ]
        fields = {key: getattr(query, key) for key in Query.FIELDS}
        kept.append({"fields": fields, "readings": readings})
    return {"digest": readings_digest(), "queries": kept}


@dataclass(frozen=True, slots=True)
class Terms:
    """Every term through which the queries' readings can reach a listed name
    (`MatchIndex.may_reach`): `words` are looked up as words (canonical and as written, where
    acronyms are found) and widened for typing errors; `keys` are looked up as they are (each
    reading's words written together, each pair of neighbouring words joined)."""

    words: tuple[str, ...]
    keys: tuple[str, ...]

    @classmethod
    def of(cls, queries: Sequence[Query]) -> Terms:
        found: dict[str, None] = {}
        keys: dict[str, None] = {}
        for query in queries:
            for reading, q in read(query.name):
                found.update(dict.fromkeys(q.tokens))
                found.update(dict.fromkeys(words(reading.text)))
                keys.update(dict.fromkeys((q.compact, q.spaced)))
                keys.update(dict.fromkeys(a + b for a, b in pairwise(q.tokens)))
            keys.update(dict.fromkeys(query_keys(query.name)))
        keys.pop("", None)
        return cls(tuple(found), tuple(keys))

    def text(self) -> str:
        """For storing: the digest, the words, the keys (terms hold no space or tab)."""
        return "\t".join((readings_digest(), " ".join(self.words), " ".join(self.keys)))

    @classmethod
    def parse(cls, text: str | None) -> Terms | None:
        """The terms stored by this code, else None."""
        if not text:
            return None
        digest, found, keys = text.split("\t")
        if digest != readings_digest():
            return None
        return cls(tuple(found.split()), tuple(keys.split()))


def kept(record: Mapping[str, Any] | None) -> list[KeptQuery] | None:
    """The queries of a record made by this code, else None (read the names again)."""
    if not record or record.get("digest") != readings_digest():
        return None
    out: list[KeptQuery] = []
    for query in record["queries"]:
        readings: Read = []
        for text, guessed, findings, tokens, raw, legal, compact, spaced, translit in query[
            "readings"
        ]:
            reading = Reading(text, tuple(Finding(k, d) for k, d in findings), guessed)
            norm = NormName(tuple(tokens), tuple(raw), tuple(legal), compact, spaced, translit)
            readings.append((reading, norm))
        out.append(KeptQuery(query["fields"], readings))
    return out
