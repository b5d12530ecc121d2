"""What a country conflict costs: listed names screened as parties that say they are elsewhere.

A party whose declared country differs from every country its list gives is either a namesake
(a US company that shares a name with a listed German one) or an evader lying about where it
is. The policy's `conflict_review_margin` trades one against the other: it raises the review bar
of a fuzzy or partial match with a conflict. This prints, for a few margins, the share of the
evaluation set's positives (variants of listed names, both splits) that still reach review when
the party gives a conflicting country, and the same share when it gives the listed country;
then, at the policy's own margin, the same by kind of positive (the hand-written sets'
affiliates apart: a foreign operator gives another country than its group's by what it is),
with the share whose decision with the other country is not clear on any ground.

    python -m bench.build_eval_set && python -m bench.country_conflict
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import date
from typing import Any

from bench.mirror import OUT, load_mirror
from screening.matching import MatchIndex
from screening.matching.domains import DomainIndex
from screening.matching.live import Snapshot, unverified_names
from screening.policy.config import LoadedPolicy, load_policy
from screening.policy.engine import PolicyEngine
from screening.policy.subject import Subject

MARGINS = (0.0, 0.05, 0.10, 0.15, 0.20)
ON = date(2026, 12, 1)


def _elsewhere(countries: frozenset[str]) -> str:
    return next(c for c in ("US", "GB", "DE", "JP", "BR") if c not in countries)


def _held(
    engine: PolicyEngine, snapshot: Snapshot, item: dict[str, Any], country: str
) -> tuple[bool, bool]:
    """Whether a screen giving `country` holds the item's party (review or deny on it), and
    whether its decision is other than clear on any ground (another record of the group, say)."""
    expected = set(item.get("expect_any") or [item["expect"]])
    result = engine.screen(snapshot, Subject(item["query"], country=country), on=ON)
    held = any(
        r.rule == "list_match" and r.evidence.get("party_key") in expected for r in result.reasons
    )
    return held, result.decision != "clear"


def _family(item: dict[str, Any]) -> str:
    """The generated set as one kind; the hand-written sets' affiliates apart from the rest."""
    if item["set"] == "generated":
        return "generated"
    if item["kind"].startswith("affiliate_evasion:affiliate"):
        return "affiliate_evasion: affiliates"
    return f"{item['set']}: other"


def main() -> int:
    path = OUT / "eval.jsonl"
    if not path.exists():
        print("run `python -m bench.build_eval_set` first", file=sys.stderr)
        return 2
    entries, versions = load_mirror()
    countries: defaultdict[str, set[str]] = defaultdict(set)
    for entry in entries:
        # As the matcher merges them: the countries a list gives and its addresses' countries.
        countries[entry.key].update(c.upper() for c in entry.countries)
        countries[entry.key].update(a.country for a in entry.addresses if a.country)
    index = MatchIndex.build(entries, versions)
    snapshot = Snapshot(
        index, DomainIndex(entries), unverified_names(entries), dict.fromkeys(versions, 0)
    )
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    # Only positives whose party has a listed country can conflict at all.
    positives = [i for i in items if i["expect"] and countries.get(i["expect"])]
    base = load_policy()
    print(f"{len(positives)} positives with a listed country; share reaching review or deny")
    print(f"{'margin':>7} {'listed country':>15} {'conflicting':>12} {'lost to conflict':>17}")
    by_family: dict[str, list[tuple[bool, bool, bool]]] = defaultdict(list)
    for margin in MARGINS:
        policy = base.policy.model_copy(update={"conflict_review_margin": margin})
        engine = PolicyEngine(LoadedPolicy(policy, f"margin-{margin}", base.text))
        agree = conflict = 0
        for item in positives:
            listed = frozenset(countries[item["expect"]])
            (honest, _), (other, stopped) = (
                _held(engine, snapshot, item, country)
                for country in (sorted(listed)[0], _elsewhere(listed))
            )
            agree += honest
            conflict += other
            if margin == base.policy.conflict_review_margin:
                by_family[_family(item)].append((honest, other, stopped))
        n = len(positives)
        lost = (agree - conflict) / n
        print(f"{margin:>7.2f} {agree / n:>15.3f} {conflict / n:>12.3f} {lost:>17.3f}")
    own = base.policy.conflict_review_margin
    print(f"\nat the policy's margin ({own:.2f}), by kind of positive")
    print(f"{'kind':>30} {'n':>5} {'listed country':>15} {'conflicting':>12} {'not clear':>10}")
    for family, held in sorted(by_family.items()):
        n = len(held)
        home, away, not_clear = (sum(row[i] for row in held) / n for i in range(3))
        print(f"{family:>30} {n:>5} {home:>15.3f} {away:>12.3f} {not_clear:>10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
