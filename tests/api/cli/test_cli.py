"""The `screening` command end to end: database upgrade, list refresh/status/diff, screening.

The real-mirror tests are the issue's acceptance figures: record counts per source, and the
2021 -> 2024 SDN change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screening.settings import get_settings


def test_db_upgrade_is_idempotent(run):
    result = run("db", "upgrade")
    assert result.exit_code == 0
    assert "latest schema" in result.output


def test_unknown_source_is_a_clear_error(run):
    result = run("lists", "refresh", "xx_nowhere")
    assert result.exit_code == 2
    assert "unknown list source 'xx_nowhere'" in result.output


def test_refresh_failure_exits_nonzero_and_is_shown_in_status(run, tmp_path: Path):
    empty_mirror = tmp_path / "empty-mirror"
    empty_mirror.mkdir()
    result = run("lists", "refresh", "un_sc_sanctions", mirror=empty_mirror)
    assert result.exit_code == 1
    assert "un_sc_sanctions: failed: consolidated.xml: HTTP 404" in result.output
    status = json.loads(run("lists", "status", "--json").output)
    un = next(row for row in status if row["source"] == "un_sc_sanctions")
    assert un["records"] is None
    assert "404" in un["last_error"]


def test_screen_without_lists_is_a_clear_error(run):
    result = run("screen", "Huawei")
    assert result.exit_code == 2
    assert "no list has an active version" in result.output


@pytest.mark.shared_data
def test_real_mirror_counts_and_status(run, shared_data: Path):
    ids = ["us_ofac_sdn", "us_ofac_cons", "un_sc_sanctions", "us_trade_csl"]
    result = run("lists", "refresh", *ids, mirror=shared_data / "mirror")
    assert result.exit_code == 0, result.output
    assert result.output.count("new version") == 4
    status = {row["source"]: row for row in json.loads(run("lists", "status", "--json").output)}
    assert {s: status[s]["records"] for s in ids} == {
        "us_ofac_sdn": 14965,
        "us_ofac_cons": 442,
        "un_sc_sanctions": 1003,
        "us_trade_csl": 4219,
    }
    assert all(status[s]["fetched_at"] and status[s]["last_error"] is None for s in ids)
    again = run("lists", "refresh", *ids)
    assert again.output.count("unchanged") == 4

    screened = run("screen", "HUAWEI TECH CO LTD", "--json")
    assert screened.exit_code == 0
    body = json.loads(screened.output)
    assert body["decision"] == "review"
    assert "huawei" in body["matches"][0]["entity_name"].lower()


@pytest.mark.shared_data
def test_real_sdn_change_2021_to_2024(run, shared_data: Path):
    first = run("lists", "refresh", "us_ofac_sdn", mirror=shared_data / "mirror-2021")
    assert "new version" in first.output
    second = run("lists", "refresh", "us_ofac_sdn", mirror=shared_data / "mirror")
    assert second.exit_code == 0, second.output
    diff = json.loads(run("lists", "diff", "us_ofac_sdn", "--json").output)
    assert diff["counts"]["added"] == 6870
    assert diff["counts"]["removed"] == 881
    assert diff["counts"]["changed"] > 0
    assert all(sample["name"] for sample in diff["removed_samples"])
    assert all(sample["fields"] for sample in diff["changed_samples"])
    text = run("lists", "diff", "us_ofac_sdn").output
    assert "6870 added, 881 removed" in text


def test_screen_file_writes_one_result_per_row(run, fixtures_dir: Path, tmp_path: Path):
    # The fixture lists are below the real bounds, so this test loads them through the API layer's
    # relaxed source; the CLI then screens against whatever is active.
    from api.wiring import open_sessions
    from tests.api.conftest import FIXTURE_SOURCES, fixture_refresher

    settings = get_settings()
    with open_sessions(settings) as sessions:
        fixture_refresher(sessions, tmp_path, fixtures_dir).refresh_many(FIXTURE_SOURCES)
    source = tmp_path / "in.csv"
    source.write_text(
        "id,name,country\n1,Korea Mining Development Trading Corp,KP\n2,Apple Inc.,US\n3,  ,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = run("screen-file", str(source), "--output", str(out))
    assert result.exit_code == 1  # row 3 has no name: reported, not silently dropped
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["decision"] == "deny"  # the UN list blocks
    assert rows[0]["reasons"][0]["source"] == "un_sc_sanctions"
    assert rows[0]["screening_id"]
    assert rows[0]["matches"][0]["source"] == "un_sc_sanctions"
    required = {
        "source",
        "source_key",
        "list",
        "entity_name",
        "matched_name",
        "score",
        "explanation",
    }
    assert required <= set(rows[0]["matches"][0])
    assert rows[1]["decision"] == "clear"
    assert rows[2]["error"]
    csv_out = tmp_path / "out.csv"
    run("screen-file", str(source), "--output", str(csv_out), "--format", "csv")
    lines = csv_out.read_text().splitlines()
    assert lines[0].startswith("id,decision,reasons,score,source")
    assert len(lines) == 4
    # An output named .csv is written as CSV without being told.
    inferred = tmp_path / "inferred.csv"
    run("screen-file", str(source), "--output", str(inferred))
    assert inferred.read_text().splitlines()[0] == lines[0]


def test_screen_file_refuses_a_file_without_the_header(run, tmp_path: Path):
    source = tmp_path / "in.csv"
    source.write_text("company\nAcme\n", encoding="utf-8")
    result = run("screen-file", str(source), "--output", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 2
    assert "header with id, name" in result.output
    assert not (tmp_path / "o.jsonl").exists()


def test_prune_reports_per_source_and_refuses_unknown_ids(run):
    result = run("lists", "prune", "--keep", "2")
    assert result.exit_code == 0
    assert "us_ofac_sdn: 0 entries of old versions removed" in result.output
    bad = run("lists", "prune", "nowhere")
    assert bad.exit_code == 2
    assert "unknown list source" in bad.output


def test_serve_refuses_malformed_api_keys(run, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SCREENING_API_KEYS", "admin:short")
    result = run("serve")
    assert result.exit_code == 1
    assert "invalid SCREENING_API_KEYS" in result.output
    assert "too short" in result.output


def test_screen_decides_with_reasons_and_replay_reproduces(run, tmp_path: Path, fixtures_dir):
    from api.wiring import open_sessions
    from tests.api.conftest import FIXTURE_SOURCES, fixture_refresher

    with open_sessions(get_settings()) as sessions:
        fixture_refresher(sessions, tmp_path, fixtures_dir).refresh_many(FIXTURE_SOURCES)
    owners = json.dumps(
        [{"name": "Korea Mining Development Trading Corp", "percent": 100, "country": "KP"}]
    )
    screened = run(
        "screen", "Pyongyang Export Partners", "--country", "AE", "--owners", owners, "--json"
    )
    assert screened.exit_code == 0, screened.output
    body = json.loads(screened.stdout)
    assert body["decision"] == "deny"
    rules = {r["rule"]: r["decision"] for r in body["reasons"]}
    assert rules == {"owner_listed": "review", "restricted_jurisdiction_control": "deny"}
    replayed = run("replay", body["screening_id"], "--json")
    assert replayed.exit_code == 0, replayed.output
    assert json.loads(replayed.stdout)["reproduced"] is True
    text = run("replay", body["screening_id"]).stdout
    assert "reproduced" in text
    bad = run("screen", "X Ltd", "--owners", "[{")
    assert bad.exit_code == 2
    assert "not valid JSON" in bad.output
