"""From matches to a decision.

For now a screen either clears or goes to a human: `review` at or above the review threshold,
`clear` below it. (The decisions work adds `deny`, per-list thresholds and the ownership rules.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

from screening.matching import Match, MatchIndex, MatchResult, Query

Decision = Literal["clear", "review"]

# Tuned on the tuning split of the evaluation set (bench/matching_quality.py): the lowest
# threshold keeping the false-positive rate on non-listed names at or under 1%.
REVIEW_THRESHOLD: Final = 0.785


def decide(score: float, *, review_threshold: float = REVIEW_THRESHOLD) -> Decision:
    """`review` if the best score reaches the review threshold, else `clear`."""
    return "review" if score >= review_threshold else "clear"


@dataclass(frozen=True, slots=True)
class Screening:
    """A match result with the decision taken on it."""

    result: MatchResult
    decision: Decision

    @property
    def score(self) -> float:
        return self.result.score

    @property
    def matches(self) -> list[Match]:
        return self.result.matches

    def to_dict(self) -> dict[str, Any]:
        body = self.result.to_dict()
        return {"query": body.pop("query"), "decision": self.decision, **body}


def judge(result: MatchResult) -> Screening:
    return Screening(result, decide(result.score))


def screen(index: MatchIndex, query: Query, *, limit: int = 5) -> Screening:
    """Match one query and decide on it."""
    return judge(index.screen(query, limit=limit))


def screen_many(index: MatchIndex, queries: Iterable[Query], *, limit: int = 5) -> list[Screening]:
    return [judge(result) for result in index.screen_many(queries, limit=limit)]
