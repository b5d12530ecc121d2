"""Native-script names of listed parties that the lists themselves do not print.

Lists rarely carry Chinese script, yet customers type it: `data/native_names.tsv` gives the
Chinese legal name and common short names of listed Chinese organisations, each with its source
or marked `unverified`. The index adds them as aliases of the party whose listed name they give.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

DATA: Final = Path(__file__).resolve().parent / "data" / "native_names.tsv"
# legal: the registered name; short: a short or brand name; former: a name no longer used.
NATIVE_KINDS: Final = frozenset({"legal", "short", "former"})
_COLUMNS: Final = ("listed_name", "native_name", "kind", "source")


@dataclass(frozen=True, slots=True)
class NativeName:
    listed_name: str  # a listed primary or alias name, byte for byte as the list prints it
    native_name: str
    kind: str
    source: str  # where the native name comes from, or "unverified"

    @property
    def verified(self) -> bool:
        return self.source != "unverified"


def _parse(path: Path) -> tuple[NativeName, ...]:
    out: list[NativeName] = []
    seen: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if tuple(header) != _COLUMNS:
            raise ValueError(f"{path.name}: header must be {' '.join(_COLUMNS)}")
        for line, row in enumerate(reader, start=2):
            if not row or row[0].startswith("#"):
                continue
            if len(row) != len(_COLUMNS) or not all(c.strip() == c and c for c in row):
                raise ValueError(f"{path.name}:{line}: four non-empty trimmed columns expected")
            name = NativeName(*row)
            if name.kind not in NATIVE_KINDS:
                raise ValueError(f"{path.name}:{line}: unknown kind {name.kind!r}")
            if (name.listed_name, name.native_name) in seen:
                raise ValueError(f"{path.name}:{line}: duplicate row")
            seen.add((name.listed_name, name.native_name))
            out.append(name)
    return tuple(out)


@cache
def native_names() -> tuple[NativeName, ...]:
    """Every row of the data file, validated once."""
    return _parse(DATA)


def native_names_by_listed() -> dict[str, list[NativeName]]:
    """Listed name (casefolded) -> its native-script names."""
    out: dict[str, list[NativeName]] = {}
    for name in native_names():
        out.setdefault(name.listed_name.casefold(), []).append(name)
    return out
