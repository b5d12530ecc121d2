"""Times a full refresh of every list in a mirror, then an unchanged refresh.

    python -m bench.refresh_bench [--mirror DIR] [--database-url URL]

Defaults: the mirror in ../shared/data/mirror and a fresh SQLite file in a temporary folder.
Prints one line per phase and per source.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from api.wiring import make_refresher, open_sessions, upgrade_database
from screening.matching.live import build_index
from screening.settings import Settings

SOURCES = ("us_ofac_sdn", "us_ofac_cons", "un_sc_sanctions", "us_trade_csl")
DEFAULT_MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mirror"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if not args.mirror.is_dir():
        raise SystemExit(f"mirror not found: {args.mirror}")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        settings = Settings(
            database_url=url, data_dir=Path(tmp) / "data", list_mirror=args.mirror.as_uri()
        )
        upgrade_database(url)
        print(f"database: {url.split('@')[-1]}  mirror: {args.mirror}")
        with open_sessions(settings) as sessions:
            run(settings, sessions)


def run(settings: Settings, sessions: sessionmaker[Session]) -> None:
    refresher = make_refresher(settings, sessions)
    for phase in ("full", "unchanged"):
        started = time.perf_counter()
        timings = []
        for source in SOURCES:
            t0 = time.perf_counter()
            outcome = refresher.refresh(source)
            timings.append(f"  {source:<16} {time.perf_counter() - t0:6.2f}s  {outcome.line()}")
        total = time.perf_counter() - started
        print(f"{phase} refresh of {len(SOURCES)} sources: {total:.2f}s")
        print("\n".join(timings))
    t0 = time.perf_counter()
    with sessions() as session:
        index = build_index(session)
    print(f"index load from database + build: {time.perf_counter() - t0:.2f}s  {index.stats()}")


if __name__ == "__main__":
    main()
