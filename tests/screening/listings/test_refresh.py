"""Refreshing a source: new versions, unchanged lists, and every way a bad download is refused
while the previous version stays active with nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from lists.fetch import HttpFetcher
from screening import leases
from screening.listings import refresh as refresh_module
from screening.listings import store
from screening.listings.models import ListEntryRow, ListVersion
from screening.listings.rawstore import RawStore
from screening.listings.records import ListEntry
from screening.listings.refresh import Refresher
from tests.helpers import DEMO, demo_csv, http_server, respond, stall, write_mirror


def make_refresher(sessions: sessionmaker[Session], tmp_path: Path, mirror: str) -> Refresher:
    fetcher = HttpFetcher(timeout_s=0.5, retries=1, backoff_s=0.01, max_bytes=1 << 20)
    return Refresher(
        sessions,
        lambda _: DEMO,
        fetcher,
        RawStore(tmp_path / "data"),
        mirror=mirror,
    )


@pytest.fixture
def mirror_dir(tmp_path: Path) -> Path:
    return tmp_path / "mirror"


def active_state(sessions: sessionmaker[Session]) -> tuple[int | None, int | None]:
    with sessions() as session:
        version = store.active_version(session, "demo")
        return (version.id, version.record_count) if version else (None, None)


def test_first_refresh_activates_a_version(sessions, tmp_path, mirror_dir):
    mirror = write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(10)})
    outcome = make_refresher(sessions, tmp_path, mirror).refresh("demo")
    assert outcome.status == "new_version"
    assert outcome.records == 10
    assert outcome.diff_counts == {"added": 10, "removed": 0, "changed": 0}
    with sessions() as session:
        version = store.active_version(session, "demo")
        assert version is not None
        assert version.files[0]["name"] == "parties.csv"
        sha = version.files[0]["sha256"]
        entries = store.load_entries(session, version.id)
    assert [e.name for e in entries][:2] == [
        "Party number 0 Trading Ltd",
        "Party number 1 Trading Ltd",
    ]
    # The raw bytes are kept content-addressed.
    assert RawStore(tmp_path / "data").read(sha) == demo_csv(10)


def test_unchanged_list_is_not_stored_again(sessions, tmp_path, mirror_dir):
    mirror = write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(10)})
    refresher = make_refresher(sessions, tmp_path, mirror)
    first = refresher.refresh("demo")
    second = refresher.refresh("demo")
    assert second.status == "unchanged"
    assert second.version_id == first.version_id
    with sessions() as session:
        assert store.count_versions(session, "demo") == 1
        assert [a.status for a in store.attempts(session, "demo")] == ["unchanged", "new_version"]


def test_changed_list_records_its_diff(sessions, tmp_path, mirror_dir):
    mirror = write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(10)})
    refresher = make_refresher(sessions, tmp_path, mirror)
    refresher.refresh("demo")
    body = demo_csv(10, offset=2).replace(b"Party number 5 ", b"Party number five ")
    write_mirror(mirror_dir, "demo", {"parties.csv": body})
    outcome = refresher.refresh("demo")
    assert outcome.status == "new_version"
    assert outcome.diff_counts == {"added": 2, "removed": 2, "changed": 1}
    with sessions() as session:
        version = store.active_version(session, "demo")
        assert version is not None
        assert version.diff["added"] == ["10", "11"]
        assert version.diff["removed"] == ["0", "1"]
        assert version.diff["changed"] == ["5"]


BAD_FILES = {
    "zero_bytes": b"",
    "html_page_with_200": b"<!DOCTYPE html><html><body>Service maintenance</body></html>",
    "truncated": demo_csv(10)[:-15],
    "wrong_encoding": demo_csv(10).decode().encode("utf-16"),
    "shrank_by_half": demo_csv(5),
    "wrong_format": b'{"results": []}',
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_download_keeps_previous_version(sessions, tmp_path, mirror_dir, case):
    mirror = write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(10)})
    refresher = make_refresher(sessions, tmp_path, mirror)
    good = refresher.refresh("demo")
    write_mirror(mirror_dir, "demo", {"parties.csv": BAD_FILES[case]})
    outcome = refresher.refresh("demo")
    assert outcome.status == "failed"
    assert outcome.detail
    assert active_state(sessions) == (good.version_id, 10)
    with sessions() as session:
        state = store.source_state(session, "demo")
        assert state.last_error == outcome.detail
        assert state.consecutive_failures == 1
        assert store.count_versions(session, "demo") == 1
        assert len(store.load_entries(session, good.version_id or 0)) == 10


def test_shrunken_list_is_accepted_when_forced(sessions, tmp_path, mirror_dir):
    mirror = write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(10)})
    refresher = make_refresher(sessions, tmp_path, mirror)
    refresher.refresh("demo")
    write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(5)})
    outcome = refresher.refresh("demo", allow_drop=True)
    assert outcome.status == "new_version"
    assert outcome.diff_counts["removed"] == 5


def test_missing_file_fails_without_touching_active(sessions, tmp_path, mirror_dir):
    mirror = write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(10)})
    refresher = make_refresher(sessions, tmp_path, mirror)
    good = refresher.refresh("demo")
    (mirror_dir / "demo" / "parties.csv").unlink()
    outcome = refresher.refresh("demo")
    assert outcome.status == "failed"
    assert "404" in outcome.detail
    assert active_state(sessions) == (good.version_id, 10)


def test_crash_between_parse_and_activation_rolls_back(sessions, tmp_path, mirror_dir, monkeypatch):
    mirror = write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(10)})
    refresher = make_refresher(sessions, tmp_path, mirror)
    good = refresher.refresh("demo")
    write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(12)})

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    # The new version and its entries are written by now; the crash comes before the switch.
    monkeypatch.setattr(store, "activate", crash)
    outcome = refresher.refresh("demo")
    assert outcome.status == "failed"
    assert "power cut" in outcome.detail
    assert active_state(sessions) == (good.version_id, 10)
    with sessions() as session:
        assert store.count_versions(session, "demo") == 1  # the half-written version is gone


def test_crash_while_staging_entries_leaves_nothing_readable(
    sessions, tmp_path, mirror_dir, monkeypatch
):
    mirror = write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(10)})
    refresher = make_refresher(sessions, tmp_path, mirror)
    good = refresher.refresh("demo")
    write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(12)})
    real_add = store.add_entries
    calls: list[int] = []

    def add_then_crash(
        session: Session, version_id: int, entries: list[ListEntry], prints: dict[str, str]
    ) -> None:
        calls.extend([1] if entries else [])
        if len(calls) == 2:
            raise RuntimeError("power cut")
        real_add(session, version_id, entries, prints)

    # Entries go in batches of 5, each its own transaction: the crash comes after one committed.
    monkeypatch.setattr(refresh_module, "STAGE_BATCH", 5)
    monkeypatch.setattr(store, "add_entries", add_then_crash)
    outcome = refresher.refresh("demo")
    assert outcome.status == "failed"
    assert active_state(sessions) == (good.version_id, 10)
    with sessions() as session:
        assert store.count_versions(session, "demo") == 1
        assert [v.id for v in store.versions(session, "demo")] == [good.version_id]
        staged = session.scalars(select(ListVersion).where(ListVersion.complete.is_(False))).all()
        assert len(staged) == 1
        assert len(store.load_entries(session, staged[0].id)) == 5
    # The next refresh deletes what the crash left and activates a complete version.
    monkeypatch.setattr(store, "add_entries", real_add)
    again = refresher.refresh("demo")
    assert again.status == "new_version"
    assert active_state(sessions) == (again.version_id, 12)
    with sessions() as session:
        assert (
            session.scalars(select(ListVersion).where(ListVersion.complete.is_(False))).all() == []
        )
        # Only the two complete versions' entries are left (SQLite may reuse the discarded id).
        assert session.scalar(select(func.count()).select_from(ListEntryRow)) == 10 + 12


@pytest.mark.parametrize(
    ("handler", "expected"),
    [(respond(500, b"oops"), "HTTP 500"), (stall(3), "timed out")],
    ids=["http_500", "timeout"],
)
def test_http_failures_keep_previous_version(sessions, tmp_path, mirror_dir, handler, expected):
    mirror = write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(10)})
    good = make_refresher(sessions, tmp_path, mirror).refresh("demo")
    with http_server(handler) as base:
        outcome = make_refresher(sessions, tmp_path, base).refresh("demo")
    assert outcome.status == "failed"
    assert expected in outcome.detail
    assert active_state(sessions) == (good.version_id, 10)


def test_http_mirror_serves_a_new_version(sessions, tmp_path):
    with http_server(respond(200, demo_csv(4), {"ETag": '"v1"'})) as base:
        outcome = make_refresher(sessions, tmp_path, base).refresh("demo")
    assert outcome.status == "new_version"
    with sessions() as session:
        version = store.active_version(session, "demo")
        assert version is not None
        assert version.files[0]["etag"] == '"v1"'
        assert version.files[0]["url"].endswith("/demo/parties.csv")


def test_not_modified_answer_means_unchanged(sessions, tmp_path):
    with http_server(respond(200, demo_csv(4), {"ETag": '"v1"'})) as base:
        first = make_refresher(sessions, tmp_path, base).refresh("demo")
    with http_server(respond(304)) as base:
        second = make_refresher(sessions, tmp_path, base).refresh("demo")
    assert second.status == "unchanged"
    assert second.version_id == first.version_id


def test_lease_held_elsewhere_skips_refresh(sessions, tmp_path, mirror_dir):
    from datetime import timedelta

    mirror = write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(10)})
    with sessions.begin() as session:
        assert leases.try_acquire(session, "refresh:demo", "other-host:1", timedelta(hours=1))
    outcome = make_refresher(sessions, tmp_path, mirror).refresh("demo")
    assert outcome.status == "skipped"
    assert not outcome.ok
    assert "other-host:1" in outcome.detail
    assert active_state(sessions) == (None, None)
    # The skip is recorded: nothing was checked, and status shows it.
    with sessions() as session:
        (attempt,) = store.attempts(session, "demo")
        assert attempt.status == "skipped"
        assert store.source_state(session, "demo").last_status == "skipped"


def test_expired_lease_is_taken_over(sessions, tmp_path, mirror_dir):
    from datetime import timedelta

    mirror = write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(10)})
    with sessions.begin() as session:
        assert leases.try_acquire(session, "refresh:demo", "crashed:1", timedelta(seconds=-1))
    outcome = make_refresher(sessions, tmp_path, mirror).refresh("demo")
    assert outcome.status == "new_version"


def test_same_bytes_without_validators_mean_unchanged(sessions, tmp_path):
    # A server that ignores conditional requests still costs no new version: hashes match.
    with http_server(respond(200, demo_csv(4))) as base:
        refresher = make_refresher(sessions, tmp_path, base)
        first = refresher.refresh("demo")
        second = refresher.refresh("demo")
    assert (first.status, second.status) == ("new_version", "unchanged")
    with sessions() as session:
        assert store.count_versions(session, "demo") == 1


def test_new_parser_reparses_unchanged_bytes(sessions, tmp_path, mirror_dir):
    import dataclasses

    mirror = write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(10)})
    first = make_refresher(sessions, tmp_path, mirror).refresh("demo")
    upgraded = dataclasses.replace(DEMO, parser_version="2")
    refresher = make_refresher(sessions, tmp_path, mirror)
    refresher.resolve = lambda _: upgraded
    second = refresher.refresh("demo")
    assert second.status == "new_version"
    assert second.diff_counts == {"added": 0, "removed": 0, "changed": 0}
    assert refresher.refresh("demo").status == "unchanged"
    with sessions() as session:
        versions = store.versions(session, "demo")
        assert [v.parser_version for v in versions] == ["2", "1"]
        assert versions[0].content_sha256 == versions[1].content_sha256
        assert versions[1].id == first.version_id


def test_prune_keeps_active_and_its_diff_base(sessions, tmp_path, mirror_dir):
    refresher = make_refresher(sessions, tmp_path, mirror_dir.as_uri())
    for count in (10, 11, 12, 13):
        write_mirror(mirror_dir, "demo", {"parties.csv": demo_csv(count)})
        assert refresher.refresh("demo").status == "new_version"
    with sessions.begin() as session:
        removed = store.prune_entries(session, "demo", keep=1)
    assert removed == 10 + 11  # versions 1 and 2; 4 is active, 3 is its diff base
    with sessions() as session:
        ids = [v.id for v in store.versions(session, "demo")]
        assert [len(store.load_entries(session, i)) for i in ids] == [13, 12, 0, 0]
        assert store.count_versions(session, "demo") == 4  # provenance and diffs stay
