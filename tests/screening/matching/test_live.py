"""The live index follows the active list versions and is swapped whole."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lists.fetch import HttpFetcher
from screening.errors import IndexNotReadyError
from screening.events import EventBus
from screening.listings.events import ListActivated
from screening.listings.rawstore import RawStore
from screening.listings.refresh import Refresher
from screening.matching import Query
from screening.matching.live import LiveIndex
from screening.policy.decision import decide
from tests.helpers import DEMO, demo_csv, write_mirror


def test_no_active_list_means_not_ready(sessions):
    holder = LiveIndex(sessions)
    with pytest.raises(IndexNotReadyError):
        holder.reload()
    with pytest.raises(IndexNotReadyError):
        holder.get()
    assert not holder.ready


def test_new_version_swaps_the_index_whole(sessions, tmp_path: Path):
    holder = LiveIndex(sessions)
    mirror = write_mirror(tmp_path / "m", "demo", {"parties.csv": demo_csv(3)})
    events = EventBus()
    events.subscribe(ListActivated, holder.on_activated)
    refresher = Refresher(
        sessions,
        lambda _: DEMO,
        HttpFetcher(retries=0),
        RawStore(tmp_path / "data"),
        events=events,
        mirror=mirror,
    )
    refresher.refresh("demo")
    before = holder.get()
    assert decide(before.screen(Query("Party number 2 Trading Ltd")).score) == "review"
    unknown = before.screen(Query("Party number 7 Trading Ltd")).matches
    assert all(m.source_key != "7" for m in unknown)

    write_mirror(tmp_path / "m", "demo", {"parties.csv": demo_csv(8)})
    assert refresher.refresh("demo").status == "new_version"
    after = holder.get()
    assert after is not before
    best = after.screen(Query("Party number 7 Trading Ltd")).matches[0]
    assert best.source_key == "7"
    assert best.score == 1.0
    # A screen that took the old reference keeps a complete, consistent old index.
    assert all(
        m.source_key != "7" for m in before.screen(Query("Party number 7 Trading Ltd")).matches
    )
    assert after.versions["demo"].startswith("v2 ")
    assert before.versions["demo"].startswith("v1 ")


def test_the_watcher_takes_a_replaced_index_apart_once_no_screen_holds_it(sessions, tmp_path: Path):
    holder = LiveIndex(sessions, poll_s=0.05)
    mirror = write_mirror(tmp_path / "m", "demo", {"parties.csv": demo_csv(3)})
    refresher = Refresher(
        sessions, lambda _: DEMO, HttpFetcher(retries=0), RawStore(tmp_path / "data"), mirror=mirror
    )
    refresher.refresh("demo")
    holder.start()
    try:
        deadline = time.monotonic() + 10
        while not holder.ready and time.monotonic() < deadline:
            time.sleep(0.02)
        # Keep a table of the first index, not the index: holding it would keep it whole.
        postings = holder.get()._postings
        assert postings
        write_mirror(tmp_path / "m", "demo", {"parties.csv": demo_csv(8)})
        assert refresher.refresh("demo").status == "new_version"
        while postings and time.monotonic() < deadline:
            time.sleep(0.02)
        assert postings == {}
        assert holder.get().screen(Query("Party number 7 Trading Ltd")).matches[0].score == 1.0
    finally:
        holder.stop()
