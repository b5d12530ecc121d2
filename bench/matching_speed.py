"""Index build time, memory, single-screen latency and batch throughput on all mirrored lists.

Queries: the evaluation set (bench/out/eval.jsonl, built by bench.build_eval_set), each screened
once with cold query caches, in process, one core.

    python -m bench.matching_speed
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import time
import tracemalloc
from pathlib import Path

from bench.mirror import OUT, load_mirror
from screening.matching import MatchIndex, Query
from screening.names.chinese import han_readings
from screening.names.evasion import digit_readings, unmask
from screening.names.normalize import normalize_name
from screening.names.pinyin import pinyin_reading
from screening.names.translit import to_latin


def _rss_bytes() -> int:
    fields = Path("/proc/self/statm").read_text().split()
    return int(fields[1]) * 4096


def _clear_caches() -> None:
    # Query-side caches only: the tables (CC-CEDICT, confusables, word lists) load once per process.
    for cached in (normalize_name, to_latin, unmask, digit_readings, han_readings, pinyin_reading):
        cached.cache_clear()


def main() -> None:
    entries, versions = load_mirror()
    names = sum(1 + len(e.aliases) for e in entries)
    print(f"entries {len(entries)}, names with aliases {names}")
    queries = [
        Query(json.loads(line)["query"]) for line in (OUT / "eval.jsonl").open(encoding="utf-8")
    ]

    gc.collect()
    rss0 = _rss_bytes()
    index = MatchIndex.build(entries, versions)
    gc.collect()
    rss1 = _rss_bytes()
    builds = [index.stats()["build_seconds"]]
    for _ in range(2):
        _clear_caches()
        builds.append(MatchIndex.build(entries, versions).stats()["build_seconds"])
    print(f"build seconds: {', '.join(f'{b:.2f}' for b in builds)}")
    print(f"index RSS delta: {(rss1 - rss0) / 2**20:.0f} MiB")
    _clear_caches()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    traced = MatchIndex.build(entries, versions)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    held_mib, peak_mib = (current - base) / 2**20, peak / 2**20
    print(f"index tracemalloc: {held_mib:.0f} MiB held, {peak_mib:.0f} MiB peak")
    print("stats", {k: v for k, v in index.stats().items() if k != "versions"})

    _clear_caches()
    index = MatchIndex.build(entries, versions)
    _clear_caches()
    # Wall time, and this thread's CPU time: on a shared 2-core machine other processes stretch
    # the wall clock, while the CPU time is what one core spends per screen.
    lat: list[float] = []
    cpu: list[float] = []
    for q in queries:
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        index.screen(q)
        cpu.append((time.thread_time_ns() - c0) / 1e6)
        lat.append((time.perf_counter_ns() - t0) / 1e6)
    for label, values in (("wall", lat), ("CPU", cpu)):
        values.sort()
        pct = statistics.quantiles(values, n=100)
        print(
            f"single screen over {len(values)} queries (cold query caches), {label} time: "
            f"p50 {pct[49]:.3f} ms, p90 {pct[89]:.3f} ms, p99 {pct[98]:.3f} ms, "
            f"max {values[-1]:.2f} ms"
        )

    index = MatchIndex.build(entries, versions)
    _clear_caches()
    started, cpu_started = time.perf_counter(), time.process_time()
    index.screen_many(queries)
    elapsed, cpu_elapsed = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"batch screen_many: {len(queries) / elapsed:.0f} names/s wall ({elapsed:.2f} s), "
        f"{len(queries) / cpu_elapsed:.0f} names per CPU-second ({cpu_elapsed:.2f} s)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    hostile = [Query("x" * 999), Query("华为" * 400), Query(" ".join(["bank"] * 199))]
    for hq in hostile:
        start_ns = time.perf_counter_ns()
        index.screen(hq)
        print(f"hostile {hq.name[:12]!r}... ({len(hq.name)} chars): "
              f"{(time.perf_counter_ns() - start_ns) / 1e6:.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
