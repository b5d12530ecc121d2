"""Name matching against the indexed lists: build a `MatchIndex`, screen `Query`s."""

from __future__ import annotations

from screening.matching.index import MatchIndex
from screening.matching.model import Evidence, Match, MatchResult, Query

__all__ = ["Evidence", "Match", "MatchIndex", "MatchResult", "Query"]
