"""Custom lists: created by an admin, loaded from CSV, versioned and diffed like every list, and
screened against; a bad file is refused with its line numbers and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from api.http.app import create_app
from tests.api.conftest import auth

FIRST = (
    "key,name,aliases,country,website\n"
    "p1,Crimson Lotus Trading LLC,Red Lotus,AE,crimsonlotus.example\n"
    "p2,Blue Heron Logistics,,SG,\n"
)
SECOND = "key,name\np1,Crimson Lotus Trading LLC\np3,Golden Kite Holdings\n"


def test_create_load_diff_and_screen_through_the_cli(run, tmp_path: Path):
    assert (
        run("lists", "custom", "create", "custom_partners", "--title", "Blocked partners").exit_code
        == 0
    )
    again = run("lists", "custom", "create", "custom_partners", "--title", "again")
    assert again.exit_code == 2
    assert "exists already" in again.output
    bad_id = run("lists", "custom", "create", "partners", "--title", "x")
    assert bad_id.exit_code == 2
    (tmp_path / "one.csv").write_text(FIRST)
    loaded = run("lists", "custom", "load", "custom_partners", str(tmp_path / "one.csv"))
    assert loaded.exit_code == 0, loaded.output
    assert "new version" in loaded.output
    (tmp_path / "two.csv").write_text(SECOND)
    assert (
        run("lists", "custom", "load", "custom_partners", str(tmp_path / "two.csv")).exit_code == 0
    )
    diff = json.loads(run("lists", "diff", "custom_partners", "--json").stdout)
    assert diff["counts"] == {"added": 1, "removed": 1, "changed": 1}
    status = json.loads(run("lists", "status", "--json").stdout)
    mine = next(r for r in status if r["source"] == "custom_partners")
    assert (mine["title"], mine["records"]) == ("Blocked partners", 2)
    screened = json.loads(run("screen", "Golden Kite Holdings", "--json").stdout)
    assert screened["matches"][0]["source"] == "custom_partners"
    assert screened["decision"] == "review"  # the default policy reviews custom lists


def test_a_bad_file_is_refused_whole_and_keeps_the_active_version(run, tmp_path: Path):
    run("lists", "custom", "create", "custom_partners", "--title", "Blocked partners")
    (tmp_path / "one.csv").write_text(FIRST)
    run("lists", "custom", "load", "custom_partners", str(tmp_path / "one.csv"))
    (tmp_path / "bad.csv").write_text(
        "key,name,country\np1,Fine Ltd,AE\np1,Twice Ltd,AE\n,No Key,AE\np4,Bad Country,Narnia\n"
    )
    refused = run("lists", "custom", "load", "custom_partners", str(tmp_path / "bad.csv"))
    assert refused.exit_code == 1
    assert "line 3: key 'p1' appears twice" in refused.output
    assert "line 4: key is required" in refused.output
    assert "line 5: country 'Narnia'" in refused.output
    status = json.loads(run("lists", "status", "--json").stdout)
    mine = next(r for r in status if r["source"] == "custom_partners")
    assert mine["records"] == 2
    assert mine["last_status"] == "failed"
    missing = run("lists", "custom", "load", "custom_nothing", str(tmp_path / "one.csv"))
    assert missing.exit_code == 2


def test_admins_create_and_load_over_http(settings, loaded):
    with TestClient(create_app(settings, start_background=False)) as client:
        body = {"source": "custom_partners", "title": "Blocked partners"}
        assert (
            client.post("/v1/lists/custom", json=body, headers=auth("analyst")).status_code == 403
        )
        assert client.post("/v1/lists/custom", json=body, headers=auth("admin")).status_code == 201
        assert client.post("/v1/lists/custom", json=body, headers=auth("admin")).status_code == 409
        csv_headers = {**auth("admin"), "content-type": "text/csv"}
        put = client.put("/v1/lists/custom_partners/entries", content=FIRST, headers=csv_headers)
        assert put.status_code == 200, put.text
        assert put.json()["status"] == "new_version"
        assert put.json()["diff"] == {"added": 2, "removed": 0, "changed": 0}
        bad = client.put(
            "/v1/lists/custom_partners/entries", content=b"\xff\xfe", headers=csv_headers
        )
        assert bad.json()["status"] == "failed"
        assert "UTF-8" in bad.json()["detail"]
        unknown = client.put("/v1/lists/custom_nope/entries", content=FIRST, headers=csv_headers)
        assert unknown.status_code == 404
        listed = client.get("/v1/lists", headers=auth("analyst")).json()
        assert any(r["source"] == "custom_partners" and r["records"] == 2 for r in listed)
