"""From a best match score to a decision.

For now a screen either clears or goes to a human: `review` at or above the review threshold,
`clear` below it. (A later policy adds `deny` for matches strong enough to block outright.)
"""

from __future__ import annotations

from typing import Final, Literal

# Tuned on the tuning split of the evaluation set (bench/matching_quality.py): the lowest
# threshold keeping the false-positive rate on non-listed names at or under 1%.
REVIEW_THRESHOLD: Final = 0.785
# Matches below this are not reported at all; between it and REVIEW_THRESHOLD they are shown as
# near misses on a cleared screen.
DEFAULT_MIN_SCORE: Final = 0.60


def decide(
    score: float, *, review_threshold: float = REVIEW_THRESHOLD
) -> Literal["clear", "review"]:
    """`review` if the best score reaches the review threshold, else `clear`."""
    return "review" if score >= review_threshold else "clear"
