"""The service as real processes: refreshers stopped or killed mid-refresh, and several service
processes and a scheduler on one database, each serving what another one activated."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from screening import leases
from screening.listings import store
from tests.helpers import http_server, stall
from tests.processes import (
    REPO,
    free_port,
    get_json,
    post_json,
    running,
    service_env,
    start,
    stop,
    wait_for,
)

LEASE = "refresh:us_trade_csl"


def _lease_taken(sessions) -> bool:
    with sessions() as session:
        return leases.current(session, LEASE) is not None


def _refresh(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api", "lists", "refresh", "us_trade_csl"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_sigterm_mid_refresh_releases_the_lease(db_url, sessions, tmp_path: Path):
    with http_server(stall(30)) as base:
        env = service_env(database_url=db_url, data_dir=str(tmp_path / "d"), list_mirror=base)
        process = start(["lists", "refresh", "us_trade_csl"], env, tmp_path / "refresh.log")
        wait_for("the refresher to take its lease", lambda: _lease_taken(sessions), timeout=30)
        code = stop(process, sig=signal.SIGTERM)
    assert code == 128 + signal.SIGTERM
    assert not _lease_taken(sessions)
    with sessions() as session:
        assert store.active_version(session, "us_trade_csl") is None  # nothing half-written


def test_sigkill_mid_refresh_holds_the_source_only_until_the_short_lease_expires(
    db_url, sessions, tmp_path: Path, fixtures_dir: Path
):
    with http_server(stall(30)) as base:
        env = service_env(
            database_url=db_url, data_dir=str(tmp_path / "d"), list_mirror=base, lease_seconds="5"
        )
        process = start(["lists", "refresh", "us_trade_csl"], env, tmp_path / "refresh.log")
        wait_for("the refresher to take its lease", lambda: _lease_taken(sessions), timeout=30)
        killed_at = time.monotonic()
        stop(process, sig=signal.SIGKILL)
    env["SCREENING_LIST_MIRROR"] = (fixtures_dir / "lists").as_uri()
    # While the dead holder's lease runs, a refresh is skipped: said, recorded, and not success.
    skipped = _refresh(env)
    assert skipped.returncode == 1
    assert "us_trade_csl: skipped: another process" in skipped.stdout
    with sessions() as session:
        assert store.attempts(session, "us_trade_csl")[0].status == "skipped"
    wait_for("the dead holder's lease to expire", lambda: not _holds(sessions), timeout=10)
    assert time.monotonic() - killed_at < 12
    after = _refresh(env)
    assert "skipped" not in after.stdout  # it ran (and judged the small fixture file on its own)


def _holds(sessions) -> bool:
    from screening.db import utcnow

    with sessions() as session:
        lease = leases.current(session, LEASE)
        return lease is not None and lease.expires_at > utcnow()


KEY = "signup:" + "s" * 24
ANALYST = "analyst:" + "a" * 24


@pytest.mark.shared_data
def test_two_services_and_a_scheduler_share_one_database(
    db_url, sessions, tmp_path: Path, shared_data: Path
):
    """The scheduler refreshes, both services serve it within the poll bound; then a CLI refresh
    activates newer versions and both services swap to them within the bound too."""
    poll_s = 2
    common = {
        "database_url": db_url,
        "data_dir": str(tmp_path / "d"),
        "api_keys": f"{KEY},{ANALYST}",
        "scheduler_in_process": "false",
        "refresh_on_start": "false",
        "index_poll_s": str(poll_s),
        "max_drop_share": "1.0",
    }
    old = service_env(**common, list_mirror=(shared_data / "mirror-2021").as_uri())
    new = service_env(**common, list_mirror=(shared_data / "mirror").as_uri())
    ports = [free_port(), free_port()]
    services = [
        running(["-v", "serve", "--port", str(p)], old, tmp_path / f"serve-{p}.log") for p in ports
    ]
    with services[0], services[1]:
        for port in ports:
            wait_for("a service to answer", partial(_answers, port), timeout=60)
        with running(["scheduler"], old, tmp_path / "scheduler.log"):
            wait_for("the scheduler's first refresh", lambda: _all_active(sessions), timeout=120)
            first = _active(sessions)
            for port in ports:
                wait_for("a service to load it", partial(_serves, port, first), timeout=60)
        refresh = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "api", "lists", "refresh", *first],
            env=new, cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        # Only the SDN files differ between the two mirrors.
        assert "us_ofac_sdn: new version" in refresh.stdout, refresh.stdout
        activated = time.monotonic()
        second = _active(sessions)
        assert second["us_ofac_sdn"] != first["us_ofac_sdn"]
        for port in ports:
            # Noticed within one poll (plus a little scheduling slack): pending or already loaded.
            noticed = wait_for(
                "a service to notice", partial(_noticed, port, second), timeout=poll_s + 3,
                every=0.05,
            )  # fmt: skip
            print(f"service on {port} noticed the new version after {noticed:.1f} s")
        for port in ports:
            wait_for("a service to swap", partial(_serves, port, second), timeout=60)
        swapped = time.monotonic() - activated
        # The bound: one poll, plus building the index of every list (a few seconds here).
        assert swapped < poll_s + 30
        print(f"both services served the new version {swapped:.1f} s after activation")
        for port in ports:
            status, body = post_json(
                f"http://127.0.0.1:{port}/v1/screen",
                {"name": "Huawei Technologies Co., Ltd."},
                {"X-API-Key": KEY.split(":", 1)[1]},
            )
            assert status == 200
            assert body["decision"] == "deny"  # Entity List, exact name
            assert body["versions"]["us_ofac_sdn"].startswith(f"v{second['us_ofac_sdn']} ")


def _answers(port: int) -> bool:
    return _status(port)[0] in (200, 503)


def _noticed(port: int, versions: dict[str, int]) -> bool:
    sources = _status(port)[1]["sources"]
    assert isinstance(sources, dict)
    return all(v in (sources[s]["pending_version"], sources[s]["loaded_version"])
               for s, v in versions.items())  # fmt: skip


def _status(port: int) -> tuple[int, dict[str, object]]:
    return get_json(f"http://127.0.0.1:{port}/v1/readyz")


def _active(sessions) -> dict[str, int]:
    with sessions() as session:
        return store.active_version_ids(session)


def _all_active(sessions) -> bool:
    wanted = {"us_ofac_sdn", "us_ofac_cons", "un_sc_sanctions", "us_trade_csl"}
    return wanted <= set(_active(sessions))


def _serves(port: int, versions: dict[str, int]) -> bool:
    status, body = _status(port)
    sources = body["sources"]
    assert isinstance(sources, dict)
    return status == 200 and all(sources[s]["loaded_version"] == v for s, v in versions.items())
