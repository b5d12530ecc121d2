"""Index build time, memory, single-screen latency and batch throughput on all mirrored lists.

Queries: the evaluation set (bench/out/eval.jsonl, built by bench.build_eval_set), each screened
once with cold query caches, in process, one core.

    python -m bench.matching_speed
"""

from __future__ import annotations

import gc
import json
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
    lat: list[float] = []
    for q in queries:
        t0 = time.perf_counter_ns()
        index.screen(q)
        lat.append((time.perf_counter_ns() - t0) / 1e6)
    lat.sort()
    pct = statistics.quantiles(lat, n=100)
    print(
        f"single screen over {len(lat)} queries (cold query caches): p50 {pct[49]:.3f} ms, "
        f"p90 {pct[89]:.3f} ms, p99 {pct[98]:.3f} ms, max {lat[-1]:.2f} ms"
    )

    index = MatchIndex.build(entries, versions)
    _clear_caches()
    started = time.perf_counter()
    index.screen_many(queries)
    elapsed = time.perf_counter() - started
    print(f"batch screen_many: {len(queries) / elapsed:.0f} names/s on one core ({elapsed:.2f} s)")

    hostile = [Query("x" * 999), Query("华为" * 400), Query(" ".join(["bank"] * 199))]
    for hq in hostile:
        start_ns = time.perf_counter_ns()
        index.screen(hq)
        print(f"hostile {hq.name[:12]!r}... ({len(hq.name)} chars): "
              f"{(time.perf_counter_ns() - start_ns) / 1e6:.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
