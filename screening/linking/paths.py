"""A member's path to the denied account, and the sentence an analyst reads.

A path is a list of steps from the member towards the root: each names the next account and
what the two share; the last step is the root, with why it is denied. Only kinds are named,
never values: the sentence is safe to show anyone who may see the access answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from screening.linking.kinds import LABEL


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def step(account_id: str, kinds: Sequence[str], score: float, crowd: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = {"account_id": account_id, "kinds": list(kinds), "score": score}
    if crowd:
        found["crowd"] = crowd
    return found


def describe(path: Sequence[dict[str, Any]]) -> str:
    """`shares device id with account B-2, which shares payment fingerprint with account A-17,
    denied: DeepSeek`."""
    parts = []
    for number, one in enumerate(path):
        what = _and([LABEL.get(kind, kind) for kind in one["kinds"]])
        lead = "shares" if number == 0 else "which shares"
        crowd = int(one.get("crowd") or 0)
        others = f" and {crowd - 1} other linked accounts" if crowd > 1 else ""
        parts.append(f"{lead} {what} with account {one['account_id']}{others}")
    denied = path[-1].get("denied_because") if path else None
    return ", ".join(parts) + (f", denied: {denied}" if denied else "")
