"""A small in-process event bus: publishers say what happened, subscribers decide what to do.

Activation of a list version publishes `ListActivated`; the live match index (and, later,
rescreening) subscribe. A subscriber that fails is logged and does not stop the others or the
publisher: the version is already active, and each subscriber can catch up on its own.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")


class EventBus:
    def __init__(self) -> None:
        self._handlers: defaultdict[type[Any], list[Callable[[Any], None]]] = defaultdict(list)
        self._lock = threading.Lock()

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        with self._lock:
            self._handlers[event_type].append(handler)

    def publish(self, event: object) -> None:
        with self._lock:
            handlers = list(self._handlers[type(event)])
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                log.exception("handler %r failed on %r", handler, event)
