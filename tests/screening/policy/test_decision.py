from __future__ import annotations

from screening.matching.index import DEFAULT_MIN_SCORE
from screening.policy.decision import REVIEW_THRESHOLD, decide


def test_decision_flips_at_review_threshold() -> None:
    assert decide(REVIEW_THRESHOLD) == "review"
    assert decide(REVIEW_THRESHOLD - 0.001) == "clear"
    assert decide(0.0) == "clear"


def test_threshold_is_a_keyword_argument() -> None:
    assert decide(0.5, review_threshold=0.4) == "review"
    assert decide(0.5, review_threshold=0.6) == "clear"


def test_min_score_sits_below_review_threshold() -> None:
    assert 0.0 < DEFAULT_MIN_SCORE < REVIEW_THRESHOLD <= 1.0
