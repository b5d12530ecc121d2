"""Prometheus metrics: screens by context and decision, screen latency, and per list source its
age and last refresh result (read from the database at scrape time, so every process reports
the same truth whichever one refreshed)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from screening.listings import store
from screening.matching.live import LiveIndex

# Buckets around the signup path's budget (a few milliseconds) and its tail.
LATENCY_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
REFRESH_STATUSES = ("new_version", "unchanged", "failed", "skipped")


class ListCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session], live: LiveIndex) -> None:
        self._sessions = sessions
        self._live = live

    def collect(self) -> Iterator[Metric]:
        age = GaugeMetricFamily(
            "screening_list_age_seconds",
            "Seconds since the active version of a source was fetched",
            labels=["source"],
        )
        checked = GaugeMetricFamily(
            "screening_list_checked_seconds",
            "Seconds since a source was last refreshed successfully (new version or unchanged)",
            labels=["source"],
        )
        records = GaugeMetricFamily(
            "screening_list_records", "Parties in the active version", labels=["source"]
        )
        last = GaugeMetricFamily(
            "screening_list_last_refresh",
            "1 for the status of the source's last refresh attempt",
            labels=["source", "status"],
        )
        failures = GaugeMetricFamily(
            "screening_list_consecutive_failures", "Failed refreshes in a row", labels=["source"]
        )
        ready = GaugeMetricFamily("screening_index_ready", "1 when the match index is loaded")
        ready.add_metric([], 1.0 if self._live.ready else 0.0)
        now = time.time()
        with self._sessions() as session:
            states = store.all_source_states(session)
            for source, state in sorted(states.items()):
                version = store.active_version(session, source)
                if version is not None:
                    age.add_metric([source], now - version.fetched_at.timestamp())
                    records.add_metric([source], float(version.record_count))
                if state.last_success_at is not None:
                    checked.add_metric([source], now - state.last_success_at.timestamp())
                for status in REFRESH_STATUSES:
                    last.add_metric([source, status], 1.0 if state.last_status == status else 0.0)
                failures.add_metric([source], float(state.consecutive_failures or 0))
        yield from (age, checked, records, last, failures, ready)


class Metrics:
    """One registry per app (tests build many apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.screens = Counter(
            "screening_screens",
            "Screens answered, by context and decision",
            ["context", "decision"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "screening_screen_seconds",
            "Time to answer one screen (matching, policy and the audit write)",
            ["context"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def watch_lists(self, sessions: sessionmaker[Session], live: LiveIndex) -> None:
        self.registry.register(ListCollector(sessions, live))
