"""Bad downloads of the real list formats (fixture mirror copies) never replace the active list."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from screening.listings import store
from screening.listings.refresh import Refresher
from tests.api.conftest import small_source
from tests.helpers import local_refresher

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>&lol3;</FIRST_NAME></ENTITY></ENTITIES>
</CONSOLIDATED_LIST>"""


@pytest.fixture
def mirror(tmp_path: Path, fixtures_dir: Path) -> Path:
    root = tmp_path / "mirror"
    shutil.copytree(fixtures_dir / "lists", root)
    return root


def refresher(sessions, tmp_path: Path, mirror: Path) -> Refresher:
    return local_refresher(
        sessions, tmp_path / "data", mirror=mirror.as_uri(), resolve=small_source
    )


def truncate(data: bytes) -> bytes:
    return data.rstrip(b"\x1a")[: len(data) * 2 // 3]


CASES: dict[str, tuple[str, str, Callable[[bytes], bytes]]] = {
    "un_malformed_xml": (
        "un_sc_sanctions",
        "consolidated.xml",
        lambda d: d.replace(b"</", b"<", 3),
    ),
    "un_entity_bomb": ("un_sc_sanctions", "consolidated.xml", lambda d: BOMB),
    "un_wrong_root": (
        "un_sc_sanctions",
        "consolidated.xml",
        lambda d: b"<?xml version='1.0'?><x/>",
    ),
    "un_utf16": ("un_sc_sanctions", "consolidated.xml", lambda d: d.decode().encode("utf-16-le")),
    "sdn_truncated": ("us_ofac_sdn", "SDN.CSV", truncate),
    "sdn_zero_bytes": ("us_ofac_sdn", "SDN.CSV", lambda d: b""),
    "sdn_html": ("us_ofac_sdn", "SDN.CSV", lambda d: b"<html><body>Access denied</body></html>"),
    "csl_truncated": ("us_trade_csl", "consolidated.csv", truncate),
    "csl_json": ("us_trade_csl", "consolidated.csv", lambda d: b'{"results": []}'),
    "csl_latin1": (
        "us_trade_csl",
        "consolidated.csv",
        lambda d: d.replace(b"Ltd", "Ltd \u00e9\u00e8\u00ff".encode("latin-1")),
    ),
    "eu_malformed": ("eu_fsf", "content", lambda d: d[: len(d) // 2]),
    "uk_truncated": ("gb_fcdo_sanctions", "UK-Sanctions-List.csv", truncate),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_keeps_the_active_version(sessions, tmp_path, mirror, case):
    source, name, corrupt = CASES[case]
    refresh = refresher(sessions, tmp_path, mirror)
    good = refresh.refresh(source)
    assert good.status == "new_version", good.detail
    path = mirror / source / name
    path.write_bytes(corrupt(path.read_bytes()))
    bad = refresh.refresh(source)
    assert bad.status == "failed", case
    assert bad.detail
    with sessions() as session:
        version = store.active_version(session, source)
        assert version is not None
        assert version.id == good.version_id
        assert len(store.load_entries(session, version.id)) == good.records
        assert store.source_state(session, source).last_error == bad.detail


def test_a_mirror_without_a_curated_file_falls_back_to_the_packaged_copy(sessions, tmp_path):
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    outcome = local_refresher(sessions, tmp_path / "data", mirror=empty.as_uri()).refresh(
        "curated_ai_labs"
    )
    assert outcome.status == "new_version", outcome.detail
    with sessions() as session:
        version = store.active_version(session, "curated_ai_labs")
        assert version is not None
        (file,) = version.files
        assert file["url"].endswith("/lists/curated/ai_labs.json")
