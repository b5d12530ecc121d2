"""Reviewed English synonyms of the words our Chinese table uses (data/synonyms.tsv).

Written by `python -m bench.build_synonyms` from CC-CEDICT glosses and read over by hand:
交通 is "communications" in the lists' English names and "transportation" in a customer's.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Final

DATA: Final = Path(__file__).resolve().parent / "data" / "synonyms.tsv"


def _load(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0] != "word\tmeans\tsource":
        raise ValueError(f"{path.name}: header must be word, means, source")
    table: dict[str, str] = {}
    for no, line in enumerate(lines[1:], start=2):
        cols = line.split("\t")
        if len(cols) != 3 or not all(cols) or not (cols[0].isalpha() and cols[1].isalpha()):
            raise ValueError(f"{path.name}:{no}: expected word, means, source")
        if cols[0] in table or cols[1] in table:
            raise ValueError(f"{path.name}:{no}: {cols[0]!r} is listed twice or chains")
        table[cols[0]] = cols[1]
    return table


SYNONYMS: Final = MappingProxyType(_load(DATA))
