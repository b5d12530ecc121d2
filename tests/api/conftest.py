from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.http.app import create_app
from lists import get_source
from screening.listings.refresh import Refresher
from screening.listings.source import ListSource
from screening.settings import Settings
from tests.helpers import local_refresher

KEYS = {
    "signup": "signup-key-0123456789",
    "analyst": "analyst-key-0123456789",
    "admin": "admin-key-0123456789abc",
}
FIXTURE_SOURCES = ("us_trade_csl", "un_sc_sanctions")


def small_source(source: str) -> ListSource:
    """The real source with bounds that fit the small fixture files."""
    return dataclasses.replace(get_source(source), min_records=1)


def fixture_refresher(sessions, tmp_path: Path, fixtures_dir: Path) -> Refresher:
    return local_refresher(
        sessions,
        tmp_path / "data",
        mirror=(fixtures_dir / "lists").as_uri(),
        resolve=small_source,
    )


@pytest.fixture
def settings(db_url: str, tmp_path: Path, fixtures_dir: Path) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        list_mirror=(fixtures_dir / "lists").as_uri(),
        api_keys=[SecretStr(f"{role}:{key}") for role, key in KEYS.items()],
        scheduler_in_process=False,
        refresh_on_start=False,
    )


@pytest.fixture
def loaded(sessions, tmp_path: Path, fixtures_dir: Path) -> None:
    """The fixture lists refreshed into the test database."""
    outcomes = fixture_refresher(sessions, tmp_path, fixtures_dir).refresh_many(FIXTURE_SOURCES)
    assert [o.status for o in outcomes] == ["new_version"] * len(FIXTURE_SOURCES)


@pytest.fixture
def client(settings: Settings, loaded: None) -> Iterator[TestClient]:
    with TestClient(create_app(settings, start_background=False)) as test_client:
        yield test_client


def auth(role: str) -> dict[str, str]:
    return {"X-API-Key": KEYS[role]}
