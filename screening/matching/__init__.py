"""Name matching against the indexed lists: build a `MatchIndex`, screen `Query`s."""

from __future__ import annotations

from screening.matching.index import MatchIndex
from screening.matching.model import Evidence, Match, Query, ScreenResult

__all__ = ["Evidence", "Match", "MatchIndex", "Query", "ScreenResult"]
