"""`screening customers import`, `alerts list`, `rescreen` and `audit export` end to end."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.cli import monitoring as cli_monitoring
from screening.audit.models import ScreeningRecord
from screening.monitoring.models import Account, Customer, RescreenRun

HEADER = "external_id,name,country,address,website,email_domain,owners,account_ids\n"
GOOD = (
    HEADER
    + "apple,Apple Inc.,US,,https://www.apple.com,apple.com,,a-1;a-2\n"
    + 'kmdtc,Korea Mining Development Trading Corp,,,,,"[]",a-3\n'
    + 'owned,Acme Holdings,US,,,,"[{""name"": ""Someone"", ""percent"": 10}]",a-4\n'
)


def write(tmp_path: Path, text: str, name: str = "customers.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as db:
        return (
            db.scalar(select(func.count()).select_from(Customer)) or 0,
            db.scalar(select(func.count()).select_from(Account)) or 0,
        )


def test_import_stores_screens_and_is_idempotent(run, loaded, sessions, tmp_path: Path):
    path = write(tmp_path, GOOD)
    first = run("customers", "import", str(path))
    assert first.exit_code == 0, first.output
    assert "3 rows: 3 created, 0 updated, 0 unchanged, 0 refused" in first.stdout
    assert counts(sessions) == (3, 4)
    with sessions() as db:
        screens = db.scalar(select(func.count()).select_from(ScreeningRecord))
    again = run("customers", "import", str(path))
    assert "0 created, 0 updated, 3 unchanged" in again.stdout
    assert counts(sessions) == (3, 4)
    with sessions() as db:  # nothing changed, so nothing was screened again
        assert db.scalar(select(func.count()).select_from(ScreeningRecord)) == screens
    changed = write(tmp_path, HEADER + "apple,Apple Inc.,US,1 Apple Park Way,,,,a-1\n", "c.csv")
    assert "1 updated" in run("customers", "import", str(changed)).stdout
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(ScreeningRecord)) == screens + 1


def test_bad_rows_are_reported_by_line_and_good_rows_kept(run, loaded, sessions, tmp_path):
    deep = "[" * 1000 + "]" * 1000
    text = (
        HEADER
        + "ok1,Apple Inc.,US,,,,,\n"
        + ",No Id Corp,,,,,,\n"
        + 'deep,Deep Corp,,,,,"' + deep + '",\n'
        + "badcountry,Acme,Atlantis,,,,,\n"
        + "ok2,Banana Republic LLC,US,,,,,\n"
        + 'json,Json Corp,,,,,"{not json",\n'
    )  # fmt: skip
    result = run("customers", "import", str(write(tmp_path, text)))
    assert result.exit_code == 1
    assert "line 3: external_id must be" in result.output
    assert "line 4: owners is nested too deeply" in result.output
    assert "line 5:" in result.output
    assert "Atlantis" in result.output
    assert "line 7: owners is not valid JSON" in result.output
    assert "2 created" in result.stdout
    with sessions() as db:
        assert set(db.scalars(select(Customer.external_id))) == {"ok1", "ok2"}


def test_duplicate_ids_in_the_file_are_refused_and_the_rest_kept(run, loaded, sessions, tmp_path):
    text = HEADER + "d,Apple Inc.,US,,,,,\nx,Banana Co,US,,,,,\nd,Apple Corp,US,,,,,\n"
    result = run("customers", "import", str(write(tmp_path, text)))
    assert result.exit_code == 1
    assert "line 2: external_id 'd' is on lines 2, 4" in result.output
    assert "line 4:" in result.output
    with sessions() as db:
        assert list(db.scalars(select(Customer.external_id))) == ["x"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,title\n1,Apple\n", "needs a header with external_id, name (missing: external_id"),
        ("external_id,name\n1,Société Générale\n".encode("latin-1"), "is not UTF-8"),
    ],
)
def test_bad_files_are_refused_and_nothing_stored_is_lost(
    run, loaded, sessions, tmp_path: Path, content: bytes, message: str
):
    assert run("customers", "import", str(write(tmp_path, GOOD))).exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    result = run("customers", "import", str(bad))
    assert result.exit_code == 2
    assert message in result.output
    assert counts(sessions) == (3, 4)


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(run, loaded, sessions, tmp_path):
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.write(HEADER.encode())
        handle.truncate(100 << 20)  # 100 MB, sparse: nothing is really written
    result = run("customers", "import", str(big))
    assert result.exit_code == 2
    assert "over the 50 MB limit" in result.output
    assert counts(sessions) == (0, 0)


def test_alerts_list_json(run, loaded, tmp_path: Path):
    run("customers", "import", str(write(tmp_path, GOOD)))
    result = run("alerts", "list", "--json")
    assert result.exit_code == 0
    alerts = json.loads(result.stdout)
    assert len(alerts) == 1
    alert = alerts[0]
    assert {k: alert[k] for k in ("customer_external_id", "status", "source", "source_key")} == {
        "customer_external_id": "kmdtc",
        "status": "open",
        "source": "un_sc_sanctions",
        "source_key": "KPe.001",
    }
    assert "KOREA MINING" in alert["entity_name"]
    assert json.loads(run("alerts", "list", "--status", "true_match", "--json").stdout) == []
    assert "kmdtc" in run("alerts", "list").stdout


def test_rescreen_with_nothing_pending(run):
    result = run("rescreen")
    assert result.exit_code == 0
    assert "nothing pending" in result.output


def test_full_rescreen_resumes_after_a_crash_screening_each_customer_once(
    run, loaded, sessions, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    rows = "".join(f"c{n:02},Customer Number {n} Widgets LLC,US,,,,,\n" for n in range(7))
    rows += "kmdtc,Korea Mining Development Trading Corp,,,,,,\n"
    run("customers", "import", str(write(tmp_path, HEADER + rows)))
    with sessions() as db:
        imported = db.scalar(select(func.count()).select_from(ScreeningRecord))
    assert imported == 8
    monkeypatch.setenv("SCREENING_RESCREEN_CHUNK_SIZE", "3")

    def crash(number: int, _counts: Counter[str]) -> None:
        if number == 1:
            raise RuntimeError("simulated crash after two chunks")

    monkeypatch.setattr(cli_monitoring, "after_chunk", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        run("rescreen", "--full")
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(ScreeningRecord)) == imported + 6
        assert db.scalar(select(RescreenRun.status)) == "running"

    monkeypatch.setattr(cli_monitoring, "after_chunk", None)
    resumed = run("rescreen")
    assert resumed.exit_code == 0, resumed.output
    assert "continuing" in resumed.output
    assert "screened 8, new alerts 0; decisions: clear 7, review 0, deny 1" in resumed.stdout
    with sessions() as db:
        names = Counter(r["name"] for r in db.scalars(select(ScreeningRecord.subject)))
        assert db.scalar(select(RescreenRun.status)) == "done"
    # Once at import, once by the run: nobody twice, nobody skipped.
    assert set(names.values()) == {2}
    assert len(names) == 8
    assert "nothing pending" in run("rescreen").output


def test_audit_export_both_formats(run, loaded, tmp_path: Path):
    run("customers", "import", str(write(tmp_path, GOOD)))
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    until = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    out_json = tmp_path / "audit.json"
    result = run(
        "audit", "export", "--since", since, "--until", until, "--format", "json",
        "--output", str(out_json),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    records = json.loads(out_json.read_text())
    assert sum(r["kind"] == "screening" for r in records) == 3
    assert sum(r["kind"] == "alert_event" for r in records) == 1
    out_csv = tmp_path / "audit.csv"
    run("audit", "export", "--since", since, "--until", until, "--output", str(out_csv))
    with out_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["kind"] for r in rows] == [r["kind"] for r in records]
    naive = run("audit", "export", "--since", "2026-01-01", "--until", until, "--output", "x")
    assert naive.exit_code == 2
    assert "needs a time zone" in naive.output
