"""Requests first: background work inside a service process (rebuilding the match index after a
list changed, taking the old one apart) steps aside while requests are in flight.

A process runs one Python thread at a time. A rebuild is seconds of pure-Python work, and sharing
the interpreter evenly with it makes every screen in the meantime two to three times slower, more
when other processes take the second core. So the loops of background work pass their items
through `Foreground.courteous`, which returns at once while no request is in flight and otherwise
waits, for a bounded time, until none is: the rebuild takes the idle time between requests.
A wait that times out (a slow upload, a long download, constant load) is followed by a stretch
of work without waiting, so background work always gets a share of the time and finishes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


class Foreground:
    """Counts the requests in flight in this process."""

    def __init__(self, max_wait_s: float = 0.05, min_run_s: float = 0.02) -> None:
        self.max_wait_s = max_wait_s
        self.min_run_s = min_run_s
        # Until this time (monotonic) background work runs without waiting.
        self._run_until = 0.0
        self._lock = threading.Lock()
        self._in_flight = 0
        self._idle = threading.Event()
        self._idle.set()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._idle.clear()

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
            if self._in_flight <= 0:
                self._in_flight = 0
                self._idle.set()

    @contextmanager
    def serving(self) -> Iterator[None]:
        self.enter()
        try:
            yield
        finally:
            self.leave()

    def pause(self) -> None:
        """Wait while requests are in flight: at most `max_wait_s`, and not at all for
        `min_run_s` after a wait that timed out, so background work gets at least
        min_run / (max_wait + min_run) of the time (29% by default) however busy the process."""
        if not self._in_flight:
            return
        now = time.monotonic()
        if now < self._run_until:
            return
        if not self._idle.wait(self.max_wait_s):
            self._run_until = time.monotonic() + self.min_run_s

    def courteous(self, items: Iterable[T], every: int = 1) -> Iterator[T]:
        """The items, with a `pause` before every `every`-th; `every` is chosen so that the work
        between two pauses stays well under a millisecond."""
        for i, item in enumerate(items):
            if i % every == 0 and self._in_flight:
                self.pause()
            yield item


# One per process: the interpreter the requests and the background work share is per process.
FOREGROUND = Foreground()
