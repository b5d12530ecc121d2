from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from screening.matching.live import LiveIndex
from screening.monitoring.results import Screener
from screening.policy.config import load_policy
from screening.policy.engine import PolicyEngine
from tests.api.conftest import FIXTURE_SOURCES, fixture_refresher


@pytest.fixture
def screener(sessions: sessionmaker[Session], tmp_path: Path, fixtures_dir: Path) -> Screener:
    """The fixture lists, indexed, with the default policy."""
    fixture_refresher(sessions, tmp_path, fixtures_dir).refresh_many(FIXTURE_SOURCES)
    live = LiveIndex(sessions)
    live.reload()
    return Screener(live.snapshot(), PolicyEngine(load_policy()))
