"""The signal key: from the setting, or made once in a file only its owner can read."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import SecretStr

from api.linking import keyer, previous_signal_keys, rules, signal_key
from screening.linking.rules import Degrees
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


def test_processes_starting_at_once_all_read_the_one_key(tmp_path: Path):
    # Several services start together on a fresh data directory: one key is made, every one
    # reads it whole (none reads the file before it is written).
    settings = Settings(data_dir=tmp_path)
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = list(pool.map(lambda _: signal_key(settings), range(32)))
    assert len(set(keys)) == 1
    assert len(keys[0]) >= 32
    assert [p.name for p in tmp_path.iterdir()] == ["signal-key"]  # no draft left behind


def test_a_key_file_with_no_key_is_a_clear_error(tmp_path: Path):
    (tmp_path / "signal-key").write_text("\n")
    with pytest.raises(ValueError, match="holds no key"):
        signal_key(Settings(data_dir=tmp_path))


def test_previous_keys_are_read_for_a_rotation_and_checked(tmp_path: Path):
    current, old = "c" * 32, "o" * 40
    settings = Settings(data_dir=tmp_path, signal_key=SecretStr(current),
                        signal_previous_keys=SecretStr(f" {old} ,"))  # fmt: skip
    assert previous_signal_keys(settings) == [old.encode()]
    assert "1 previous" in repr(keyer(settings))
    short = Settings(data_dir=tmp_path, signal_key=SecretStr(current),
                     signal_previous_keys=SecretStr(f"{old},short"))  # fmt: skip
    with pytest.raises(ValueError, match="key 2 is shorter than 32") as raised:
        keyer(short)
    assert "short" not in str(raised.value).replace("shorter", "")
    same = Settings(data_dir=tmp_path, signal_key=SecretStr(current),
                    signal_previous_keys=SecretStr(current))  # fmt: skip
    with pytest.raises(ValueError, match="holds the current signal key"):
        keyer(same)


def test_the_personal_cut_off_follows_a_raised_general_one(tmp_path: Path):
    assert rules(Settings(data_dir=tmp_path)).degrees == Degrees(200, 2_000)
    raised = rules(Settings(data_dir=tmp_path, link_max_degree=5_000))
    assert raised.degrees == Degrees(5_000, 5_000)
    assert raised.degrees.of("device_id") == raised.degrees.of("ip_prefix") == 5_000
