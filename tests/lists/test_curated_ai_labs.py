"""The curated AI-labs source: the packaged data file, the fixture, the strict loader's refusals,
and refreshes through the real Refresher from the packaged file and from a mirror."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import lists
from lists.curated import DATA_DIR
from lists.curated_ai_labs import FILE_NAME, SOURCE, URL, parse
from screening.errors import ListParseError
from screening.listings import store
from screening.listings.records import EntityKind, ListEntry, Name, NameStrength
from screening.listings.refresh import Refresher
from tests.helpers import local_refresher

PACKAGED = DATA_DIR / FILE_NAME


@pytest.fixture(scope="module")
def packaged() -> dict[str, ListEntry]:
    result = parse({FILE_NAME: PACKAGED.read_bytes()})
    assert result.warnings == []
    return {e.source_key: e for e in result.entries}


@pytest.fixture
def fixture_doc(fixtures_dir: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        (fixtures_dir / "lists" / "curated_ai_labs" / FILE_NAME).read_text()
    )
    return doc


def names(entry: ListEntry, kind: str | None = None) -> dict[str, Name]:
    return {a.value: a for a in entry.aliases if kind is None or a.kind == kind}


def test_source_declaration() -> None:
    assert SOURCE.id == "curated_ai_labs"
    assert [f.name for f in SOURCE.files] == [FILE_NAME]
    # The official file is the packaged one, so a refresh with no mirror reads the package.
    assert PACKAGED.resolve().as_uri() == URL
    assert PACKAGED.is_file()
    assert (SOURCE.min_records, SOURCE.max_records) == (40, 500)
    assert SOURCE.parser_version == "1"
    assert lists.SOURCE_IDS[6:] == ("curated_ai_labs", "us_dod_1260h")
    assert lists.get_source("curated_ai_labs") is SOURCE


def test_packaged_file_yields_every_entry(packaged: dict[str, ListEntry]) -> None:
    assert len(packaged) == 67
    assert SOURCE.min_records <= len(packaged) <= SOURCE.max_records
    for entry in packaged.values():
        assert entry.source == "curated_ai_labs"
        assert entry.kind is EntityKind.ORGANIZATION
        assert entry.lists == ("AI_LABS",)
        assert entry.source_urls, entry.source_key  # every entry cites something checkable
        assert entry.remarks
        assert "\n" not in entry.remarks
    assert {
        "deepseek", "deepseek-beijing", "moonshot", "minimax", "alibaba-group", "alibaba-cloud",
        "zhipu", "zhipu-jingsheng-hengxing", "bytedance", "byteplus", "baidu", "tencent",
        "sensetime", "iflytek", "megvii", "yitu", "cloudwalk", "01-ai", "baichuan", "stepfun",
        "xiaomi", "huawei", "smic", "sugon", "hygon", "inspur", "cambricon", "biren",
        "moore-threads", "sophgo", "baai", "unitree", "ymtc", "cxmt", "nettrix", "tianyi-cloud",
    } <= set(packaged)  # fmt: skip


def test_deepseek(packaged: dict[str, ListEntry]) -> None:
    deepseek = packaged["deepseek"]
    assert deepseek.name == (
        "Hangzhou DeepSeek Artificial Intelligence Fundamental Technology Research Co., Ltd."
    )
    legal_zh = names(deepseek)["杭州深度求索人工智能基础技术研究有限公司"]
    assert (legal_zh.kind, legal_zh.script, legal_zh.strength, legal_zh.verified) == (
        "legal_zh", "Hani", NameStrength.STRONG, True,
    )  # fmt: skip
    assert names(deepseek, "brand")["DeepSeek"].script is None
    assert deepseek.headquarters == "CN"
    assert deepseek.countries == ("CN",)
    assert deepseek.websites == ("deepseek.com", "chat.deepseek.com", "platform.deepseek.com")
    assert deepseek.email_domains == ("deepseek.com",)
    assert deepseek.unverified == ()
    assert deepseek.programs == ()  # the Entity List addition was held back
    assert "EL addition held back (reported 2026-06-17)" in (deepseek.remarks or "")
    assert "D-FEB26, D-APR26, D-SEP26 (unverified)" in (deepseek.remarks or "")
    beijing = packaged["deepseek-beijing"]
    assert [(r.kind, r.name) for r in beijing.relations] == [("affiliate", deepseek.name)]


def test_moonshot_brand_and_unverified_facts(packaged: dict[str, ListEntry]) -> None:
    moonshot = packaged["moonshot"]
    assert moonshot.name == "Moonshot AI PTE. LTD."
    kimi = names(moonshot)["Kimi"]
    assert (kimi.kind, kimi.verified) == ("brand", True)
    assert names(moonshot)["北京月之暗面科技有限公司"].verified is False
    # The reference sources moonshot.cn as an e-mail domain but not as a website.
    assert "moonshot.cn" in moonshot.websites
    assert "moonshot.cn" in moonshot.email_domains
    assert set(moonshot.unverified) == {
        "country:CN", "headquarters:CN", "website:moonshot.cn", "website:api.moonshot.cn",
    }  # fmt: skip
    assert moonshot.countries == ("SG", "CN")


def test_zhipu_and_its_singapore_operator(packaged: dict[str, ListEntry]) -> None:
    zhipu, operator = packaged["zhipu"], packaged["zhipu-jingsheng-hengxing"]
    assert zhipu.programs == ("EL",)
    assert zhipu.federal_register == ("90 FR 4617 (FR doc 2025-00704)",)
    assert operator.name == "JINGSHENG HENGXING TECHNOLOGY PTE.LTD"
    assert (operator.headquarters, operator.countries) == ("SG", ("SG",))
    assert operator.addresses[0].country == "SG"
    [parent] = operator.relations
    assert (parent.kind, parent.name, parent.country) == ("parent", zhipu.name, "CN")
    # The terms show the operating role, not who owns it.
    assert parent.verified is False
    assert parent.as_of == "2026-06-15"
    assert parent.source == "https://zcode.z.ai/en/terms"
    [tie] = zhipu.relations
    assert (tie.kind, tie.name, tie.country, tie.verified) == (
        "operator",
        operator.name,
        "SG",
        True,
    )
    assert names(zhipu)["Z.ai"].kind == "brand"
    assert names(zhipu)["北京智谱华章科技有限公司"].kind == "former"
    assert "identifier:HKEX stock code:2513" in zhipu.unverified


def test_listings_are_kept_per_listed_company(packaged: dict[str, ListEntry]) -> None:
    assert packaged["sensetime"].programs == ("1260H",)
    assert packaged["sensetime-group-limited"].programs == ("NS-CMIC",)
    assert packaged["sensetime-beijing"].programs == ("EL",)
    assert packaged["megvii-beijing"].programs == ()  # on 1260H 2024-01-31, removed 2025-01-07
    assert "1260H 2024-01-31 to 2025-01-07 (removed)" in (packaged["megvii-beijing"].remarks or "")
    assert packaged["huawei"].programs == ("EL", "NS-CMIC", "1260H")
    smic_americas = packaged["smic-americas"]
    assert [(r.kind, r.name, r.source) for r in smic_americas.relations] == [
        ("parent", "SEMICONDUCTOR MANUFACTURING INTERNATIONAL CORPORATION", "1260H")
    ]


def test_unverified_values_are_flagged(packaged: dict[str, ListEntry]) -> None:
    baichuan = packaged["baichuan"]
    # No checked legal name: the name the sources use leads, the legal names are unverified.
    assert baichuan.name == "Baichuan"
    assert names(baichuan)["Beijing Baichuan Intelligent Technology Co., Ltd."].verified is False
    assert "website:baichuan-ai.com" not in baichuan.unverified
    assert "website:api.baichuan-ai.com" in baichuan.unverified
    assert "email_domain:baichuan-inc.com" not in baichuan.unverified
    bytedance = packaged["bytedance"]
    assert {a.value for a in bytedance.aliases if not a.verified} >= {"Doubao", "火山引擎"}
    assert "headquarters:CN" in bytedance.unverified
    sophgo = packaged["sophgo"]
    [owner] = sophgo.relations
    assert (owner.kind, owner.name, owner.percent) == ("owner", "Micree Zhan", 20.0)
    assert "lower bound" in sophgo.extra["relation:owner:Micree Zhan"]
    # Generic words and short acronyms are weak aliases: they cannot identify anyone alone.
    assert names(packaged["01-ai"])["Yi"].strength is NameStrength.WEAK
    assert names(packaged["smic"])["SMIC"].strength is NameStrength.WEAK
    assert names(packaged["moonshot"])["Kimi"].strength is NameStrength.STRONG


def test_every_alias_and_relation_says_whether_it_was_checked(
    packaged: dict[str, ListEntry],
) -> None:
    aliases = [a for e in packaged.values() for a in e.aliases]
    assert sum(a.verified for a in aliases) > 0
    assert sum(not a.verified for a in aliases) > 0
    assert all(a.script == "Hani" for a in aliases if a.kind == "legal_zh")
    relations = [r for e in packaged.values() for r in e.relations]
    assert all(r.source for r in relations)


# --- the strict loader ---------------------------------------------------------------------


def test_fixture_parses(fixture_doc: dict[str, Any]) -> None:
    result = parse({FILE_NAME: json.dumps(fixture_doc).encode()})
    entries = {e.source_key: e for e in result.entries}
    assert list(entries) == ["example-lab", "example-lab-sg", "other-lab"]
    lab = entries["example-lab"]
    assert lab.unverified == ("website:example-lab.cn",)
    assert names(lab)["EXLB"].verified is False
    assert names(lab)["EXLB"].strength is NameStrength.WEAK
    assert names(lab)["Example"].strength is NameStrength.WEAK
    assert lab.remarks == (
        "Chinese AI lab. Lists: EL since 2025-01-16 (90 FR 4617 (FR doc 2025-00704)). Reports: R-1."
    )
    assert lab.source_urls[0] == "https://github.com/example-lab/model/blob/HEAD/LICENSE"
    assert entries["other-lab"].remarks == "Lists: none found."


def _broken(doc: dict[str, Any], change: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    lab = doc["entries"][0]
    if change == "unknown key":
        lab["webiste"] = []
    elif change == "bad country":
        lab["countries"][0]["value"] = "China"
    elif change == "bad domain":
        lab["websites"][1]["value"] = "https://www.example-lab.cn/about"
    elif change == "missing source":
        del lab["websites"][0]["src"]
    elif change == "unknown source":
        lab["websites"][0]["src"] = ["lab-license"]
    elif change == "duplicate key":
        doc["entries"][1]["key"] = "example-lab"
    elif change == "percent 120":
        doc["entries"][2]["relations"][0]["percent"] = 120
    elif change == "verified without a checked source":
        lab["aliases"][2]["verified"] = True
    elif change == "duplicate alias":
        lab["aliases"][1]["value"] = "BEIJING EXAMPLE INTELLIGENCE TECHNOLOGY CO., LTD."
    elif change == "duplicate website":
        lab["websites"][1]["value"] = "example-lab.example"
    elif change == "chinese name not in chinese":
        lab["aliases"][0]["value"] = "Beijing Shili"
    elif change == "unknown relation entry":
        lab["relations"][0]["entry"] = "no-such-lab"
    elif change == "parent cycle":
        lab["relations"].append({"kind": "parent", "entry": "example-lab-sg", "src": ["R-1"]})
    elif change == "listing without date":
        lab["listings"][0].update(status="removed")
    elif change == "unknown list":
        lab["listings"][0]["list"] = "SDN"
    elif change == "bad date":
        lab["listings"][0]["since"] = "2025-02-30"
    elif change == "wrong list":
        doc["list"] = "1260H"
    elif change == "report that is no report":
        lab["reports"] = ["fr-notice"]
    return doc


BROKEN = {
    "unknown key": "entry 'example-lab': unknown key 'webiste'",
    "bad country": "entry 'example-lab' countries[0] value: 'China' is not an ISO 3166-1 alpha-2 "
    "country code (write 'CN')",
    "bad domain": "entry 'example-lab' websites[1] value: 'https://www.example-lab.cn/about' is "
    "not a bare host name (write 'example-lab.cn')",
    "missing source": "entry 'example-lab' websites[0]: has no source",
    "unknown source": "entry 'example-lab' websites[0] src: 'lab-license' is not a key of the "
    "sources map",
    "duplicate key": "entry 'example-lab' (entries[1]): the key is used by an earlier entry too",
    "percent 120": "entry 'other-lab' relations[0] percent: 120 is not a percentage",
    "verified without a checked source": "entry 'example-lab' aliases[2] verified: is true, but "
    "every source it cites is unchecked",
    "duplicate alias": "entry 'example-lab' aliases[1]: 'BEIJING EXAMPLE INTELLIGENCE TECHNOLOGY "
    "CO., LTD.' repeats the name or an alias",
    "duplicate website": "entry 'example-lab' websites: 'example-lab.example' is listed twice",
    "chinese name not in chinese": "entry 'example-lab' aliases[0] value: 'Beijing Shili' is kind "
    "legal_zh but not written in Chinese",
    "unknown relation entry": "entry 'example-lab' relations[0] entry: no entry has the key "
    "'no-such-lab'",
    "parent cycle": "parent/owner ties form a cycle: example-lab -> example-lab-sg -> example-lab",
    "listing without date": "entry 'example-lab' listings[0]: status removed needs 'until'",
    "unknown list": "entry 'example-lab' listings[0] list: 'SDN' is not in the file's lists (EL)",
    "bad date": "entry 'example-lab' listings[0] since: '2025-02-30' is not an ISO date",
    "wrong list": "top level list: this is list '1260H', expected 'AI_LABS'",
    "report that is no report": "entry 'example-lab' reports: source 'fr-notice' is not a report",
}


@pytest.mark.parametrize("change", sorted(BROKEN))
def test_bad_file_is_refused_naming_entry_and_field(fixture_doc: dict[str, Any], change: str):
    raw = json.dumps(_broken(fixture_doc, change), ensure_ascii=False).encode()
    with pytest.raises(ListParseError) as info:
        parse({FILE_NAME: raw})
    assert BROKEN[change] in info.value.detail
    assert info.value.source == "curated_ai_labs"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "the file is empty"),
        (b" \n", "the file is empty"),
        (b"<html><body>Service Unavailable</body></html>", "not JSON: Expecting value"),
        (b'{"format": 1, "list": "AI_LABS"', "not JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[]", "top level: expected an object, got an array"),
        (b'{"format": 1, "format": 1}', "key 'format' appears twice"),
        (b'{"format": NaN}', "NaN is not a number"),
        (b"[" * 5000 + b"]" * 5000, "nested too deeply"),
        (b'{"format": 2}', "missing key"),
    ],
)
def test_bytes_that_are_not_a_curated_file_are_refused(raw: bytes, message: str) -> None:
    with pytest.raises(ListParseError, match=message):
        parse({FILE_NAME: raw})


def test_missing_file_is_refused() -> None:
    with pytest.raises(ListParseError, match=r"ai_labs\.json is missing"):
        parse({})


# --- refreshing ----------------------------------------------------------------------------


def refresher(sessions, tmp_path: Path, mirror: str = "") -> Refresher:
    return local_refresher(sessions, tmp_path / "data", mirror=mirror)


def test_refresh_from_the_packaged_file_then_unchanged(sessions, tmp_path: Path) -> None:
    refresh = refresher(sessions, tmp_path)
    first = refresh.refresh("curated_ai_labs")
    assert first.status == "new_version", first.detail
    assert first.records == 67
    assert first.diff_counts == {"added": 67, "removed": 0, "changed": 0}
    second = refresh.refresh("curated_ai_labs")
    assert second.status == "unchanged"
    assert second.version_id == first.version_id
    with sessions() as session:
        version = store.active_version(session, "curated_ai_labs")
        assert version is not None
        assert version.files[0]["url"] == URL
        stored = {e.source_key: e for e in store.load_entries(session, version.id)}
    assert stored["deepseek"] == parse({FILE_NAME: PACKAGED.read_bytes()}).entries[0]


def test_a_mirror_serves_a_newer_file(sessions, tmp_path: Path) -> None:
    refresh = refresher(sessions, tmp_path)
    assert refresh.refresh("curated_ai_labs").status == "new_version"
    doc = json.loads(PACKAGED.read_text(encoding="utf-8"))
    doc["version"] += 1
    doc["entries"] = [e for e in doc["entries"] if e["key"] != "nettrix"]
    minimax = next(e for e in doc["entries"] if e["key"] == "minimax")
    minimax["websites"].append({"value": "hailuoai.example", "src": ["unverified"]})
    folder = tmp_path / "mirror" / "curated_ai_labs"
    folder.mkdir(parents=True)
    (folder / FILE_NAME).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    newer = refresher(sessions, tmp_path, (tmp_path / "mirror").as_uri()).refresh("curated_ai_labs")
    assert newer.status == "new_version", newer.detail
    assert newer.diff_counts == {"added": 0, "removed": 1, "changed": 1}
    with sessions() as session:
        version = store.active_version(session, "curated_ai_labs")
        assert version is not None
        assert (version.diff["removed"], version.diff["changed"]) == (["nettrix"], ["minimax"])
