"""The signal key: from the setting, or made once in a file only its owner can read."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from api.linking import signal_key
from screening.settings import Settings


def test_a_key_is_made_once_in_a_private_file(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    settings = Settings(data_dir=tmp_path)
    first = signal_key(settings)
    path = tmp_path / "signal-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signal_key(settings) == first
    assert len(first) >= 32
    assert first.decode() not in caplog.text  # the log names the file, never the key
    assert str(path) in caplog.text


def test_the_setting_wins_and_must_be_long(tmp_path: Path):
    key = "s" * 40
    assert signal_key(Settings(data_dir=tmp_path, signal_key=SecretStr(key))) == key.encode()
    assert not (tmp_path / "signal-key").exists()
    with pytest.raises(ValueError, match="at least 32"):
        signal_key(Settings(data_dir=tmp_path, signal_key=SecretStr("short")))
