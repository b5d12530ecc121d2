"""Background work steps aside while requests are in flight, and never waits forever."""

from __future__ import annotations

import threading
import time

from screening.priority import Foreground


def test_pause_returns_at_once_when_no_request_is_in_flight():
    foreground = Foreground(max_wait_s=5.0)
    started = time.perf_counter()
    foreground.pause()
    assert time.perf_counter() - started < 0.1


def test_pause_waits_for_the_requests_in_flight_to_finish():
    foreground = Foreground(max_wait_s=5.0)
    foreground.enter()
    foreground.enter()
    threading.Timer(0.1, foreground.leave).start()
    threading.Timer(0.2, foreground.leave).start()
    started = time.perf_counter()
    foreground.pause()
    waited = time.perf_counter() - started
    assert 0.15 < waited < 2.0
    assert foreground.in_flight == 0


def test_pause_is_bounded_under_constant_load():
    foreground = Foreground(max_wait_s=0.05)
    with foreground.serving():
        started = time.perf_counter()
        foreground.pause()
        assert 0.04 < time.perf_counter() - started < 1.0
        assert foreground.in_flight == 1
    assert foreground.in_flight == 0


def test_courteous_yields_every_item_in_order_and_pauses_under_load():
    foreground = Foreground(max_wait_s=0.02, min_run_s=0.0)
    assert list(foreground.courteous(range(10), every=3)) == list(range(10))
    with foreground.serving():
        started = time.perf_counter()
        assert list(foreground.courteous(range(10), every=5)) == list(range(10))
        # Two pauses (before items 0 and 5), each bounded by max_wait_s.
        assert 0.035 < time.perf_counter() - started < 1.0


def test_a_request_that_fails_still_leaves():
    foreground = Foreground()
    try:
        with foreground.serving():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert foreground.in_flight == 0


def test_background_work_still_progresses_while_a_request_never_ends():
    # A slow upload or a long download keeps a request in flight for minutes: background work
    # must get its share of the time, not wait max_wait_s per item.
    foreground = Foreground(max_wait_s=0.01, min_run_s=0.05)
    with foreground.serving():
        started = time.perf_counter()
        done = 0
        for _ in foreground.courteous(range(200_000)):
            done += 1
        elapsed = time.perf_counter() - started
    assert done == 200_000
    # At most one timed-out wait per 50 ms of work: far below 200,000 waits of 10 ms.
    assert elapsed < 5.0
