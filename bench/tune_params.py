"""Grid search of scoring constants on the tune split only (threshold at FPR <= 1% per setting).

Reports, per setting, the tune-split recall of the generated set at its chosen threshold and the
tune-split recall and false-positive rate of the hand-written sets at the default threshold. The
test split is never read here.

Run: python -m bench.tune_params
"""

from __future__ import annotations

import itertools
import json

from bench.matching_quality import SET_NAMES, _outcomes, _pick_threshold
from bench.mirror import OUT, load_mirror
from screening.matching import MatchIndex, Query, scoring
from screening.matching import index as index_module
from screening.policy.decision import REVIEW_THRESHOLD


def main() -> None:
    items = [json.loads(line) for line in (OUT / "eval.jsonl").open(encoding="utf-8")]
    items = [i for i in items if i["split"] == "tune"]
    entries, versions = load_mirror()
    grid = {
        "CONTAINED_SCORE": (0.82, 0.84, 0.86),
        "GUESS_COST": (0.02, 0.04),
    }
    for values in itertools.product(*grid.values()):
        setting = dict(zip(grid, values, strict=True))
        for name, value in setting.items():
            setattr(scoring if hasattr(scoring, name) else index_module, name, value)
        index = MatchIndex.build(entries, versions)
        results = [index.screen(Query(i["query"]), limit=10, min_score=0.5) for i in items]
        outcome = _outcomes(items, [{m.party_key: m.score for m in r.matches} for r in results])
        t = _pick_threshold(items, outcome)
        parts = [f"threshold {t:.3f}"]
        for set_name in SET_NAMES:
            rows = [(i, o) for i, o in zip(items, outcome, strict=True) if i["set"] == set_name]
            cut = t if set_name == "generated" else REVIEW_THRESHOLD
            pos = [o >= cut for i, o in rows if i["expect"] is not None]
            neg = [o >= cut for i, o in rows if i["expect"] is None]
            parts.append(
                f"{set_name} recall {sum(pos) / max(len(pos), 1):.3f} "
                f"FPR {sum(neg) / max(len(neg), 1):.3f}"
            )
        print(setting, "; ".join(parts))


if __name__ == "__main__":
    main()
