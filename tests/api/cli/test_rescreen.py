"""`screening rescreen`: a list version activated by another command is a pending delta, run by
the next `rescreen`; `--full` screens everyone; `worker` needs PostgreSQL."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.queue import is_postgres
from screening.audit.models import ScreeningRecord
from screening.monitoring.models import Alert, RescreenRun
from tests.api.cli.test_customers import HEADER, write

CUSTOMERS = (
    HEADER
    + "lotus,Crimson Lotus Trading LLC,AE,,,,,acc-lotus\n"
    + "heron,Blue Heron Logistics Pte Ltd,SG,,,,,acc-heron\n"
    + "".join(f"c{n},Plain Customer {n} Widgets LLC,US,,,,,\n" for n in range(6))
)
LIST_ONE = "key,name\np1,Golden Kite Holdings\np2,Blue Heron Logistics\n"
LIST_TWO = "key,name\np1,Golden Kite Holdings\np3,Crimson Lotus Trading LLC\n"


def screens(sessions: sessionmaker[Session]) -> Counter[str]:
    with sessions() as db:
        return Counter(s["name"] for s in db.scalars(select(ScreeningRecord.subject)))


def test_a_list_loaded_by_another_command_is_caught_up_by_the_next_rescreen(
    run, loaded, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    assert run("customers", "import", str(write(tmp_path, CUSTOMERS))).exit_code == 0
    first = run("rescreen")  # the fixture lists were never rescreened: pending
    assert first.exit_code == 0, first.output
    assert "(delta)" in first.stdout
    assert "nothing pending" in run("rescreen").stdout

    run("lists", "custom", "create", "custom_partners", "--title", "Blocked partners")
    (tmp_path / "one.csv").write_text(LIST_ONE)
    loaded_one = run("lists", "custom", "load", "custom_partners", str(tmp_path / "one.csv"))
    assert loaded_one.exit_code == 0
    before = screens(sessions)
    result = run("rescreen")
    assert result.exit_code == 0, result.output
    # Every customer checked against the two new parties; only the one that meets them screened.
    assert "checked 8, screened 1, new alerts 1" in result.stdout
    after = screens(sessions)
    assert after - before == Counter({"Blue Heron Logistics Pte Ltd": 1})
    alerts = json.loads(run("alerts", "list", "--json").stdout)
    assert [(a["customer_external_id"], a["source_key"]) for a in alerts] == [("heron", "p2")]

    # p2 leaves the list and p3 arrives: the heron alert is marked delisted, lotus gets one.
    (tmp_path / "two.csv").write_text(LIST_TWO)
    run("lists", "custom", "load", "custom_partners", str(tmp_path / "two.csv"))
    result = run("rescreen")
    assert "checked 8, screened 2, new alerts 1" in result.stdout, result.output
    with sessions() as db:
        marks = {a.source_key: a.delisted_at is not None for a in db.scalars(select(Alert))}
    assert marks == {"p2": True, "p3": False}

    full = run("rescreen", "--full")
    assert "(full): screened 8, new alerts 0" in full.stdout, full.output
    with sessions() as db:
        assert [r.kind for r in db.scalars(select(RescreenRun).order_by(RescreenRun.id))] == [
            "delta",
            "delta",
            "delta",
            "full",
        ]


def test_worker_refuses_sqlite(run, db_url: str) -> None:
    if is_postgres(db_url):
        return  # the PostgreSQL case is tests/api/test_workers.py
    result = run("worker")
    assert result.exit_code == 2
    assert "needs PostgreSQL" in result.output
