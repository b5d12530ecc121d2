"""Grid search of scoring constants on the tune split only (threshold at FPR <= 1% per setting).

Run: python -m bench.tune_params
"""

from __future__ import annotations

import itertools
import json

from bench.matching_quality import _outcomes, _pick_threshold
from bench.mirror import OUT, load_mirror
from screening.matching import MatchIndex, Query, scoring
from screening.matching import index as index_module


def main() -> None:
    items = [json.loads(line) for line in (OUT / "eval.jsonl").open(encoding="utf-8")]
    items = [i for i in items if i["split"] == "tune"]
    entries, versions = load_mirror()
    grid = {
        "TYPO_COST": (0.5, 0.75, 1.0),
        "CONTAINMENT_WEIGHT": (0.0, 0.6, 0.75),
        "GENERIC_WEIGHT": (0.5, 0.3),
    }
    for values in itertools.product(*grid.values()):
        setting = dict(zip(grid, values, strict=True))
        for name, value in setting.items():
            setattr(scoring if hasattr(scoring, name) else index_module, name, value)
        index = MatchIndex.build(entries, versions)
        results = [index.screen(Query(i["query"]), limit=10, min_score=0.5) for i in items]
        outcome = _outcomes(items, [{m.party_key: m.score for m in r.matches} for r in results])
        t = _pick_threshold(items, outcome)
        pos = [o >= t for i, o in zip(items, outcome, strict=True) if i["expect"] is not None]
        print(f"{setting} threshold {t:.3f} tune recall {sum(pos) / len(pos):.4f}")


if __name__ == "__main__":
    main()
