"""The analyst pages' fixtures: three people, the fixture lists plus the packaged curated list,
and helpers that sign in and post forms the way a browser does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.http.app import create_app
from screening.people import users
from screening.settings import Settings
from tests.helpers import local_refresher

PASSWORDS = {
    "alice": "alice-long-password-1",
    "bob": "bob-long-password-22",
    "root": "root-long-password-333",
}
ROLES = {"alice": "analyst", "bob": "analyst", "root": "admin"}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    # Plain http in tests (TestClient, the browser on 127.0.0.1); Secure is tested on its own.
    return settings.model_copy(update={"web_secure_cookies": False, "four_eyes": True})


@pytest.fixture
def people(sessions) -> dict[str, str]:
    with sessions.begin() as session:
        for name, password in PASSWORDS.items():
            users.create_user(session, name, role=ROLES[name], password=password)
    return PASSWORDS


@pytest.fixture
def labs_loaded(sessions, tmp_path: Path, loaded: None) -> None:
    """The packaged curated AI-labs list (67 organisations), beside the fixture lists: a
    mirror without the file falls back to the packaged copy."""
    empty = tmp_path / "no-mirror"
    empty.mkdir()
    outcome = local_refresher(sessions, tmp_path / "data", mirror=empty.as_uri()).refresh(
        "curated_ai_labs"
    )
    assert outcome.status == "new_version", outcome.detail


@pytest.fixture
def web(web_settings: Settings, labs_loaded: None, people: dict[str, str]) -> Iterator[TestClient]:
    app = create_app(web_settings, start_background=False)
    with TestClient(app, follow_redirects=False) as client:
        yield client


def token_of(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "no csrf_token in the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str | None = None) -> TestClient:
    page = client.get("/ui/signin")
    assert page.status_code == 200
    answer = client.post(
        "/ui/signin",
        data={
            "username": username,
            "password": PASSWORDS[username] if password is None else password,
            "csrf_token": token_of(page.text),
            "next": "/ui/",
        },
    )
    assert answer.status_code == 303, answer.text
    return client


def post_form(client: TestClient, page: str, action: str, data: dict[str, str]):
    """Post `data` with the CSRF token of `page`, as the browser would."""
    token = token_of(client.get(page).text)
    return client.post(action, data={**data, "csrf_token": token})


def second_browser(client: TestClient) -> TestClient:
    """Another browser on the same app: its own cookie jar."""
    other = TestClient(client.app, follow_redirects=False)
    return other
