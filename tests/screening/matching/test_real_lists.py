from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from lists import get_source
from screening.matching import MatchIndex, Query
from screening.policy.decision import REVIEW_THRESHOLD, decide

pytestmark = pytest.mark.shared_data


@lru_cache(maxsize=1)
def _build(shared: Path) -> MatchIndex:
    entries = []
    for sid in ("us_ofac_sdn", "us_ofac_cons", "us_trade_csl", "un_sc_sanctions"):
        folder = shared / "mirror" / sid
        files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
        entries.extend(get_source(sid).parse(files).entries)
    return MatchIndex.build(entries, {"us_ofac_sdn": "mirror"})


@pytest.fixture
def real_index(shared_data: Path) -> MatchIndex:
    # shared_data is function-scoped (it skips per test); the index is built once per run.
    return _build(shared_data)


@pytest.mark.parametrize(
    "name", ["HUAWEI TECH CO LTD", "华为技术有限公司", "Huawei Technologies Company Limited"]
)
def test_huawei_found_on_real_lists(real_index: MatchIndex, name: str) -> None:
    result = real_index.screen(Query(name))
    assert decide(result.score) == "review"
    assert result.matches[0].entity_name.upper() == "HUAWEI TECHNOLOGIES CO., LTD."
    keys = [m.party_key for m in result.matches]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("name", ["Trane Technologies", "Apple Inc.", "Emily Thornton"])
def test_unlisted_names_clear_on_real_lists(real_index: MatchIndex, name: str) -> None:
    assert real_index.screen(Query(name)).score < REVIEW_THRESHOLD
