"""The live index follows the active list versions and is swapped whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.refresh import Refresher
from lists.fetch import Fetcher
from screening.errors import IndexNotReadyError
from screening.matching import Query
from screening.rawstore import RawStore
from screening.service import IndexHolder
from tests.helpers import DEMO, demo_csv, write_mirror


def test_no_active_list_means_not_ready(sessions):
    holder = IndexHolder(sessions)
    with pytest.raises(IndexNotReadyError):
        holder.reload()
    with pytest.raises(IndexNotReadyError):
        holder.get()
    assert not holder.ready


def test_new_version_swaps_the_index_whole(sessions, tmp_path: Path):
    holder = IndexHolder(sessions)
    mirror = write_mirror(tmp_path / "m", "demo", {"parties.csv": demo_csv(3)})
    refresher = Refresher(
        sessions,
        Fetcher(retries=0),
        RawStore(tmp_path / "data"),
        mirror=mirror,
        resolve=lambda _: DEMO,
        on_activate=holder.refresh,
    )
    refresher.refresh("demo")
    before = holder.get()
    assert before.screen(Query("Party number 2 Trading Ltd")).decision == "review"
    unknown = before.screen(Query("Party number 7 Trading Ltd")).matches
    assert all(m.source_id != "7" for m in unknown)

    write_mirror(tmp_path / "m", "demo", {"parties.csv": demo_csv(8)})
    assert refresher.refresh("demo").status == "new_version"
    after = holder.get()
    assert after is not before
    best = after.screen(Query("Party number 7 Trading Ltd")).matches[0]
    assert best.source_id == "7"
    assert best.score == 1.0
    # A screen that took the old reference keeps a complete, consistent old index.
    assert all(
        m.source_id != "7" for m in before.screen(Query("Party number 7 Trading Ltd")).matches
    )
    assert after.versions["demo"].startswith("v2 ")
    assert before.versions["demo"].startswith("v1 ")
