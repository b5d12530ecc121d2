"""End-to-end latency of `POST /v1/screen` as the signup path sees it: a real uvicorn server on
127.0.0.1 in its own process with every mirrored list loaded, one client on keep-alive,
sequential requests.

    python -m bench.api_latency [--requests N]

Needs the real list snapshots (../shared/data/mirror); prints p50/p90/p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import socket
import statistics
import tempfile
import time
from pathlib import Path

import requests
import uvicorn
from pydantic import SecretStr

from api.http.app import create_app
from api.wiring import make_refresher, open_sessions, upgrade_database
from bench.mirror import MIRROR, OUT
from screening.settings import Settings

KEY = "bench-signup-key-0123456789"
SOURCES = ("us_ofac_sdn", "us_ofac_cons", "un_sc_sanctions", "us_trade_csl")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _queries(limit: int) -> list[str]:
    path = OUT / "eval.jsonl"
    if path.exists():
        rows = [json.loads(line)["query"] for line in path.read_text().splitlines()]
        return rows[:limit]
    return ["Huawei Technologies Co Ltd", "Apple Inc.", "华为技术有限公司"] * (limit // 3)


def _serve(settings: Settings, port: int) -> None:
    app = create_app(settings, start_background=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def _measure(base: str, names: list[str]) -> list[float]:
    timings: list[float] = []
    with requests.Session() as client:
        client.headers["X-API-Key"] = KEY
        deadline = time.monotonic() + 60
        while True:  # wait for the server to load its index
            try:
                if client.get(f"{base}/health", timeout=1).json()["index_ready"]:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not become ready within 60 s")
            time.sleep(0.2)
        for name in names:
            started = time.perf_counter()
            response = client.post(f"{base}/v1/screen", json={"name": name}, timeout=10)
            timings.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{tmp}/bench.db",
            data_dir=Path(tmp) / "data",
            list_mirror=MIRROR.as_uri(),
            api_keys=[SecretStr(f"signup:{KEY}")],
            scheduler_in_process=False,
            refresh_on_start=False,
        )
        upgrade_database(settings.database_url)
        with open_sessions(settings) as sessions:
            make_refresher(settings, sessions).refresh_many(SOURCES)
        port = _free_port()
        # Its own process: a client thread in the server's process would compete for the GIL.
        server = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(settings, port), daemon=True
        )
        server.start()
        try:
            timings = _measure(f"http://127.0.0.1:{port}", _queries(args.requests))
        finally:
            server.terminate()
            server.join(timeout=10)
    timings.sort()
    p90, p99 = (timings[min(len(timings) - 1, int(q * len(timings)))] for q in (0.90, 0.99))
    print(
        f"POST /v1/screen over {len(timings)} requests: p50 {statistics.median(timings):.2f} ms, "
        f"p90 {p90:.2f} ms, p99 {p99:.2f} ms, max {timings[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
