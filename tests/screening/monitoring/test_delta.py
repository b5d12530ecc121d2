"""Pending deltas come from the database; cursors move forward only; one run at a time."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from screening.errors import ConflictError, IndexNotReadyError
from screening.listings import store
from screening.monitoring import delta, runs
from screening.monitoring.results import Screener


def test_active_versions_ahead_of_their_cursors_are_pending(
    sessions: sessionmaker[Session], screener: Screener
) -> None:
    with sessions() as db:
        active = store.active_version_ids(db)
        assert delta.pending(db) == {s: (None, v) for s, v in active.items()}
    with sessions.begin() as db:
        delta.advance(db, active)
    with sessions() as db:
        assert delta.pending(db) == {}
    with sessions.begin() as db:
        # A slow full run finishing with older versions never moves a cursor back.
        delta.advance(db, {s: v - 1 for s, v in active.items()})
    with sessions() as db:
        assert delta.cursors(db) == active
        assert runs.start_delta(db, actor="t") is None


def test_one_run_at_a_time(sessions: sessionmaker[Session], screener: Screener) -> None:
    from tests.screening.monitoring.test_runs import add_customers

    add_customers(sessions, 3)
    with sessions.begin() as db:
        runs.start(db, actor="first")
    with pytest.raises(ConflictError), sessions.begin() as db:
        runs.start(db, actor="second")


def test_a_delta_needs_an_index_of_its_versions(
    sessions: sessionmaker[Session], screener: Screener
) -> None:
    from tests.screening.monitoring.test_runs import add_customers

    add_customers(sessions, 2)
    with sessions.begin() as db:
        run = runs.start_delta(db, actor="t")
        assert run is not None
        run.versions = {s: v + 100 for s, v in (run.versions or {}).items()}
        run_id = run.id
    with pytest.raises(IndexNotReadyError), sessions.begin() as db:
        runs.run_chunk(db, screener, run_id, 0, actor="t")


def test_a_first_delta_screens_customers_never_screened(
    sessions: sessionmaker[Session], screener: Screener
) -> None:
    from tests.screening.monitoring.test_runs import add_customers, screens_per_customer

    add_customers(sessions, 4)  # stored with no list loaded: never screened
    with sessions.begin() as db:
        run = runs.start_delta(db, actor="t", chunk_size=3)
        assert run is not None
        run_id = run.id
    summary = runs.run_to_end(sessions, screener, run_id, actor="t")
    assert summary.counts["checked"] == summary.screened == 4
    assert set(screens_per_customer(sessions).values()) == {1}
    with sessions() as db:
        assert delta.pending(db) == {}
