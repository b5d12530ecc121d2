"""The DoD 1260H source: the packaged editions, and the diff a refresh of the 2025-01-07 edition
followed by the 2026-06-08 edition records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lists
from lists.curated import DATA_DIR
from lists.us_dod_1260h import EDITIONS, FILE_NAME, SOURCE, URL, parse
from screening.errors import ListParseError
from screening.listings import store
from screening.listings.records import ListEntry, NameStrength
from screening.listings.refresh import Refresher
from tests.helpers import local_refresher

PDF_2026 = (
    "https://media.defense.gov/2026/Jun/08/2003945537/-1/-1/1/ENTITIES-IDENTIFIED-AS-CHINESE-"
    "MILITARY-COMPANIES-OPERATING-IN-THE-UNITED-STATES-IN-ACCORDANCE-WITH-SECTION-1260H.PDF"
)


def edition(name: str) -> dict[str, ListEntry]:
    result = parse({FILE_NAME: (DATA_DIR / name).read_bytes()})
    assert result.warnings == []
    return {e.source_key: e for e in result.entries}


@pytest.fixture(scope="module")
def e2025() -> dict[str, ListEntry]:
    return edition("dod_1260h_2025-01-07.json")


@pytest.fixture(scope="module")
def e2026() -> dict[str, ListEntry]:
    return edition(FILE_NAME)


def test_source_declaration() -> None:
    assert SOURCE.id == "us_dod_1260h"
    assert [f.name for f in SOURCE.files] == ["dod_1260h.json"]
    assert (DATA_DIR / FILE_NAME).resolve().as_uri() == URL
    assert (SOURCE.min_records, SOURCE.max_records) == (100, 1_000)
    assert lists.get_source("us_dod_1260h") is SOURCE


def test_official_file_is_a_copy_of_the_newest_edition() -> None:
    dates = [json.loads((DATA_DIR / name).read_bytes())["as_of"] for name in EDITIONS]
    assert dates == sorted(dates) == ["2025-01-07", "2026-06-08"]


def test_edition_sizes(e2025: dict[str, ListEntry], e2026: dict[str, ListEntry]) -> None:
    assert len(e2025) == 133
    assert len(e2026) == 188
    # 80 top-level companies and 108 printed under a listed parent.
    assert sum(1 for e in e2026.values() if e.relations) == 108


def test_entry_fields(e2026: dict[str, ListEntry]) -> None:
    huawei = e2026["huawei-technologies-co-ltd"]
    assert huawei.name == "Huawei Technologies Co., Ltd."
    assert [(a.value, a.kind) for a in huawei.aliases] == [("Huawei", "aka")]
    assert huawei.lists == ("1260H",)
    assert huawei.listed_on == "2026-06-08"
    assert huawei.source_urls == (PDF_2026,)
    assert huawei.headquarters == "CN"
    assert huawei.countries == ()  # the list says Chinese military company, not where it sits
    [parent] = huawei.relations
    assert (parent.kind, parent.name, parent.country, parent.verified) == (
        "parent", "Huawei Investment & Holding Co., Ltd.", "CN", True,
    )  # fmt: skip
    remarks = huawei.remarks or ""
    assert "prohibits nothing by itself" in remarks
    assert "directly from 2026-06-30 and indirectly from 2027-06-30" in remarks


def test_every_listed_parent_is_itself_listed(e2025, e2026) -> None:
    for entries in (e2025, e2026):
        names = {e.name for e in entries.values()}
        assert all(r.name in names for e in entries.values() for r in e.relations)


def test_names_short_names_and_former_names(e2025, e2026) -> None:
    # The parenthesised short name is an alias, not part of the name (or of the key).
    assert e2026["dawning-information-industry-co-ltd"].name == (
        "Dawning Information Industry Co., Ltd."
    )
    assert [a.value for a in e2026["dawning-information-industry-co-ltd"].aliases] == ["Sugon"]
    assert e2025["aerospace-ch-uav-co-ltd"].aliases[0].value == "CH UAV"
    chengdu = e2026["avic-chengdu-aircraft-co-ltd"]
    assert [(a.value, a.kind) for a in chengdu.aliases] == [
        ("Zhonghang Electronic Measuring Instruments Company Limited", "former"),
        ("ZEMIC", "former"),
    ]
    # Acronyms of up to five capitals identify nobody alone.
    assert e2026["semiconductor-manufacturing-international-corporation"].aliases[0].strength is (
        NameStrength.WEAK
    )
    assert e2026["hangzhou-yushu-technology-co-ltd"].aliases[0].strength is NameStrength.STRONG
    # "Xi'an" (2025) and "Xi’an" (2026) give one key.
    key = "avic-xian-aircraft-industry-group-company-ltd"
    assert e2025[key].name != e2026[key].name


def test_unresolved_parent_is_refused(fixtures_dir: Path) -> None:
    doc = json.loads((fixtures_dir / "lists" / "us_dod_1260h" / FILE_NAME).read_text())
    doc["entries"][1]["relations"][0]["entry"] = "example-aviation-industry-corp"
    with pytest.raises(ListParseError) as info:
        parse({FILE_NAME: json.dumps(doc).encode()})
    assert info.value.detail == (
        "entry 'example-aircraft-co-ltd' relations[0] entry: no entry has the key "
        "'example-aviation-industry-corp'"
    )
    assert info.value.source == "us_dod_1260h"


def test_another_lists_file_is_refused() -> None:
    with pytest.raises(ListParseError, match="this is list 'AI_LABS', expected '1260H'"):
        parse({FILE_NAME: (DATA_DIR / "ai_labs.json").read_bytes()})


# --- refreshing ----------------------------------------------------------------------------


def refresher(sessions, tmp_path: Path, mirror: str = "") -> Refresher:
    return local_refresher(sessions, tmp_path / "data", mirror=mirror)


def test_refresh_from_the_packaged_file_then_unchanged(sessions, tmp_path: Path) -> None:
    refresh = refresher(sessions, tmp_path)
    first = refresh.refresh("us_dod_1260h")
    assert first.status == "new_version", first.detail
    assert first.records == 188
    second = refresh.refresh("us_dod_1260h")
    assert (second.status, second.version_id) == ("unchanged", first.version_id)


def publish(mirror: Path, edition_file: str) -> None:
    """A mirror serving `edition_file` under the official file name, as DoD's next PDF would."""
    folder = mirror / "us_dod_1260h"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / FILE_NAME).write_bytes((DATA_DIR / edition_file).read_bytes())


def test_2025_then_2026_edition_gives_the_diff(sessions, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    refresh = refresher(sessions, tmp_path, mirror.as_uri())
    publish(mirror, "dod_1260h_2025-01-07.json")
    first = refresh.refresh("us_dod_1260h")
    assert (first.status, first.records) == ("new_version", 133), first.detail
    publish(mirror, FILE_NAME)
    second = refresh.refresh("us_dod_1260h")
    assert second.status == "new_version", second.detail
    assert second.records == 188
    # Every party carried over is "changed": its listing date is the new edition's.
    assert second.diff_counts == {"added": 75, "removed": 20, "changed": 113}
    with sessions() as session:
        version = store.active_version(session, "us_dod_1260h")
        assert version is not None
        assert version.previous_version_id == first.version_id
        diff = version.diff
    added, removed = set(diff["added"]), set(diff["removed"])
    # New in 2026 (the reference's AI-relevant additions among them).
    assert {
        "alibaba-group-holding-limited",
        "baidu-inc",
        "hangzhou-yushu-technology-co-ltd",
        "tianyi-cloud-technology-co-ltd",
        "byd-company-limited",
    } <= added
    # Not carried into 2026, some end-dated 2026-02-17 in the transcription.
    assert {"costar-group-co-ltd", "taiji-computer-co-ltd", "cnooc-china-limited"} <= removed
    # Renamed: the old name leaves, the new one arrives (and keeps the old as a former name).
    assert "guangzhou-gci-science-and-technology-co-ltd" in removed
    assert "cetc-potevio-science-and-technology-co-ltd" in added
    assert "shenzhen-dji-innovation-technology-co-ltd" in removed
    assert "shenzhen-dji-technology-co-ltd" in added
    # Megvii's Beijing company left in 2025 already; YMTC and CXMT are in both editions.
    assert "beijing-megvii-technology-co-ltd" not in removed | added
    assert {"yangtze-memory-technologies-co-ltd", "changxin-memory-technologies-inc"} <= set(
        diff["changed"]
    )
