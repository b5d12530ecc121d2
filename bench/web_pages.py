"""Server time of each analyst page with 100,000 customers and 10,000 alerts stored.

    python -m bench.web_pages [--customers N] [--alerts N] [--runs N] [--database-url URL]

Builds a fresh database (SQLite in a temporary directory unless --database-url names an empty
PostgreSQL database), loads the packaged curated lists, inserts the customers (one account and
one stored result each), the alerts (one "opened" event each) and 20,000 screenings of the last
week, then requests every page as a signed-in analyst. The time measured is the app's: from the
request entering the ASGI app to the last byte of its answer (no network, no client). Prints the
median and 95th percentile per page, and the pages over the 100 ms target.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import insert, select
from starlette.types import ASGIApp, Receive, Scope, Send

from api.http.app import create_app
from api.wiring import make_refresher, open_sessions, upgrade_database
from screening.audit.models import ScreeningRecord
from screening.listings import store
from screening.monitoring.models import Account, Alert, AlertEvent, Customer, CustomerResult
from screening.people import users
from screening.settings import Settings

TARGET_MS = 100.0
PASSWORD = "bench-password-0123"  # noqa: S105 - a throwaway database's user
WORDS = (
    "North", "Star", "Blue", "River", "Pacific", "Summit", "Quantum", "Harbor", "Atlas", "Cedar",
    "Orion", "Silver", "Delta", "Falcon", "Granite", "Maple", "Nova", "Apex", "Vertex", "Lumen",
)  # fmt: skip
FORMS = ("Ltd", "LLC", "GmbH", "Inc.", "Co., Ltd.", "S.A.", "Pte. Ltd.")
STATUSES = ["open"] * 14 + ["in_review"] * 2 + ["escalated", "true_match"] + ["false_positive"] * 2


class Timed:
    """Wraps the app: records how long each request spent inside it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.last_ms = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.last_ms = (time.perf_counter() - started) * 1000


def _seed(settings: Settings, customers: int, alerts: int) -> dict[str, Any]:
    rng = random.Random(7)
    now = datetime.now(UTC)
    empty = settings.data_dir / "no-mirror"
    empty.mkdir(parents=True, exist_ok=True)
    with open_sessions(settings) as sessions:
        refresher = make_refresher(settings, sessions)
        for outcome in refresher.refresh_many(["curated_ai_labs", "us_dod_1260h"]):
            print(f"  {outcome.line()}")
        with sessions() as session:
            version = store.active_version(session, "curated_ai_labs")
            assert version is not None
            parties = [(r.source_key, r.name) for r in store.entry_rows(session, [version.id])]
        started = time.perf_counter()
        with sessions.begin() as session:
            conn = session.connection()
            for first in range(0, customers, 10_000):
                rows = []
                for i in range(first, min(first + 10_000, customers)):
                    name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i} {rng.choice(FORMS)}"
                    created = now - timedelta(days=rng.randint(1, 700))
                    rows.append(
                        {
                            "id": i + 1, "external_id": f"cust-{i:06d}", "name": name,
                            "aliases": [], "owners": [], "country": rng.choice(("US", "GB", "SG")),
                            "data_hash": uuid.uuid4().hex, "created_at": created,
                            "updated_at": created,
                        }
                    )  # fmt: skip
                conn.execute(insert(Customer), rows)
                conn.execute(
                    insert(Account),
                    [
                        {"account_id": f"acct-{r['id']:06d}", "customer_id": r["id"],
                         "email": None, "status": "active", "created_at": r["created_at"]}
                        for r in rows
                    ],
                )  # fmt: skip
                conn.execute(
                    insert(CustomerResult),
                    [
                        {"customer_id": r["id"], "decision": "clear", "screened_at": now,
                         "policy_version": "sha256:bench", "version_ids": {},
                         "screening_id": uuid.uuid4().hex, "data_hash": r["data_hash"],
                         "access": "allow", "access_reason": "clear", "access_since": now}
                        for r in rows
                    ],
                )  # fmt: skip
            alert_rows, event_rows = [], []
            for number, customer_id in enumerate(rng.sample(range(1, customers + 1), alerts), 1):
                key, name = rng.choice(parties)
                created = now - timedelta(minutes=rng.randint(1, 90 * 24 * 60))
                decision = "deny" if rng.random() < 0.3 else "review"
                alert_rows.append(
                    {
                        "id": number, "customer_id": customer_id,
                        "party_key": f"curated_ai_labs:{key}", "source": "curated_ai_labs",
                        "source_key": key, "entity_name": name, "score": 0.8 + rng.random() / 5,
                        "decision": decision, "status": rng.choice(STATUSES),
                        "assignee": rng.choice((None, None, "user:bench", "user:other")),
                        "fingerprint": uuid.uuid4().hex, "created_at": created,
                        "updated_at": created,
                    }
                )  # fmt: skip
                event_rows.append(
                    {
                        "alert_id": number, "at": created, "actor": "key:bench", "kind": "opened",
                        "from_status": None, "to_status": "open", "reason": f"new match: {name}",
                        "details": {},
                    }
                )  # fmt: skip
            conn.execute(insert(Alert), alert_rows)
            conn.execute(insert(AlertEvent), event_rows)
            conn.execute(
                insert(ScreeningRecord),
                [
                    {
                        "id": uuid.uuid4().hex, "created_at": now - timedelta(seconds=i * 30),
                        "screened_on": now.date().isoformat(), "context": "rescreen",
                        "key_id": "key:bench", "request_id": None,
                        "subject": {"name": f"party {i}"}, "normalized": {}, "version_ids": {},
                        "policy_version": "sha256:bench", "decision": "clear",
                        "answer": {"decision": "clear", "reasons": []},
                    }
                    for i in range(20_000)
                ],
            )  # fmt: skip
            users.create_user(session, "bench", role="analyst", password=PASSWORD)
        print(
            f"  stored {customers} customers, {customers} accounts, {alerts} alerts, "
            f"20000 screenings in {time.perf_counter() - started:.1f} s"
        )
        with sessions() as session:
            alert_id = session.scalar(select(Alert.id).where(Alert.status == "open").limit(1))
    return {"alert": alert_id, "customer": "cust-004242"}


def _pages(ids: dict[str, Any], screening_id: str) -> list[tuple[str, str]]:
    return [
        ("home (queue counts)", "/ui/"),
        ("screen form", "/ui/screen"),
        ("screening result", f"/ui/screenings/{screening_id}"),
        ("review queue", "/ui/review"),
        ("review queue: deny, unassigned", "/ui/review?decision=deny&assignee=none"),
        ("review queue: assigned to me", "/ui/review?assignee=me"),
        ("review queue: page 100", "/ui/review?offset=4950"),
        ("review queue: every status", "/ui/review?status="),
        ("alert", f"/ui/alerts/{ids['alert']}"),
        ("customer search: id prefix", "/ui/customers?q=cust-0421"),
        ("customer search: name, no match", "/ui/customers?q=zzz-nothing"),
        ("customer search: account id", "/ui/customers?q=acct-004242"),
        ("customer", f"/ui/customers/{ids['customer']}"),
        ("lists", "/ui/lists"),
        ("list: curated_ai_labs", "/ui/lists/curated_ai_labs"),
        ("batch", "/ui/batch"),
        ("audit: last 7 days", "/ui/audit"),
        ("audit: one actor", "/ui/audit?actor=user:bench"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(
            database_url=url,
            data_dir=Path(tmp) / "data",
            list_mirror=(Path(tmp) / "data" / "no-mirror").as_uri(),
            api_keys=[SecretStr("admin:bench-admin-key-0123456789")],
            scheduler_in_process=False,
            refresh_on_start=False,
            web_secure_cookies=False,
        )
        print(f"database: {url.split('@')[-1]}")
        upgrade_database(url)
        ids = _seed(settings, args.customers, args.alerts)
        timed = Timed(create_app(settings, start_background=False))
        with TestClient(timed, follow_redirects=False) as client:
            form = client.get("/ui/signin").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token is not None
            signed = client.post(
                "/ui/signin",
                data={"username": "bench", "password": PASSWORD, "csrf_token": token.group(1)},
            )
            assert signed.status_code == 303, signed.text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ui/screen").text)
            assert csrf is not None
            posted: list[float] = []
            screening_id = ""
            for n in range(args.runs):
                answer = client.post(
                    "/ui/screen",
                    data={"name": f"深度求索 {n % 3}", "country": "CN", "csrf_token": csrf[1]},
                )
                assert answer.status_code == 303, answer.text
                posted.append(timed.last_ms)
                screening_id = answer.headers["location"].rsplit("/", 1)[1]
            results = [("screen (POST, screen + record)", posted)]
            for label, path in _pages(ids, screening_id):
                times = []
                for _ in range(args.runs):
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.status_code)
                    times.append(timed.last_ms)
                results.append((label, times))
        print(f"\n{'page':<36} {'median ms':>10} {'p95 ms':>9}")
        over = []
        for label, times in results:
            ordered = sorted(times)
            median = statistics.median(ordered)
            p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
            flag = "  over target" if p95 > TARGET_MS else ""
            print(f"{label:<36} {median:>10.1f} {p95:>9.1f}{flag}")
            if p95 > TARGET_MS:
                over.append(label)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"\nload average {load} on {os.cpu_count()} cores; "
            f"{len(results) - len(over)} of {len(results)} pages under {TARGET_MS:.0f} ms at p95"
            + (f"; over: {', '.join(over)}" if over else "")
        )


if __name__ == "__main__":
    main()
