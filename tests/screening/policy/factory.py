"""A small, hand-built set of listed parties and a snapshot over it, for policy tests."""

from __future__ import annotations

from screening.listings.records import EntityKind, ListEntry, Name, NameStrength, Relation
from screening.matching import MatchIndex
from screening.matching.domains import DomainIndex
from screening.matching.live import Snapshot, headquarters_of, unverified_names


def org(source: str, key: str, name: str, lists: tuple[str, ...], **kw: object) -> ListEntry:
    return ListEntry(
        source=source, source_key=key, kind=EntityKind.ORGANIZATION, name=name, lists=lists,
        **kw,  # type: ignore[arg-type]
    )  # fmt: skip


ENTRIES = [
    org("us_ofac_sdn", "1001", "ROSTEC STATE CORPORATION", ("SDN",), countries=("RU",)),
    org("us_ofac_sdn", "1002", "VOLGA NORTHERN SHIPPING HOLDINGS", ("SDN",), countries=("RU",)),
    org(
        "us_trade_csl",
        "el-1",
        "Huawei Technologies Co., Ltd.",
        ("EL",),
        countries=("CN",),
        websites=("huawei.com",),
    ),
    org("us_trade_csl", "el-2", "Kunlun Quantum Microsystems Co., Ltd.", ("EL",)),
    org(
        "curated_ai_labs",
        "deepseek",
        "Hangzhou DeepSeek Artificial Intelligence Basic Technology Research Co., Ltd.",
        ("AI_LABS",),
        aliases=(
            Name(
                "杭州深度求索人工智能基础技术研究有限公司", NameStrength.STRONG, "legal_zh", "Hani"
            ),
            Name("DeepSeek", NameStrength.STRONG, "brand"),
        ),
        headquarters="CN",
        websites=("deepseek.com",),
        email_domains=("deepseek.com",),
    ),
    org(
        "curated_ai_labs",
        "moonshot",
        "Beijing Moonshot Technology Co., Ltd.",
        ("AI_LABS",),
        aliases=(
            Name("Moonshot AI", NameStrength.STRONG, "brand"),
            Name("Kimi", NameStrength.STRONG, "brand"),
        ),
        headquarters="CN",
        websites=("moonshot.cn", "kimi.ai"),
    ),
    org(
        "curated_ai_labs",
        "zai-sg",
        "Z.ai Singapore Pte. Ltd.",
        ("AI_LABS",),
        aliases=(
            Name(
                "Zhipu Singapore Operator Holdings", NameStrength.STRONG, "operator", verified=False
            ),
        ),
        relations=(Relation("parent", "Zhipu AI", 100.0, "CN", "ref", True),),
        headquarters="SG",
        websites=("z.ai",),
        unverified=("website:z.ai",),
    ),
    org(
        "us_ofac_cons",
        "cmic-1",
        "LUOYANG ZHONGXIN ROBOTICS CO., LTD.",
        ("CMIC",),
        countries=("CN",),
    ),
    org("us_dod_1260h", "inspur", "Inspur Group Co., Ltd.", ("1260H",), headquarters="CN"),
    ListEntry(
        source="us_ofac_sdn",
        source_key="1003",
        kind=EntityKind.PERSON,
        name="KOVALENKO, Dmitri Arkadyevich",
        lists=("SDN",),
        countries=("RU",),
    ),
]
VERSIONS = {s: f"v1 2026-12-01T00:00Z {s}" for s in {e.source for e in ENTRIES}}


def snapshot() -> Snapshot:
    index = MatchIndex.build(ENTRIES, VERSIONS)
    return Snapshot(
        index,
        DomainIndex(ENTRIES),
        unverified_names(ENTRIES),
        dict.fromkeys(VERSIONS, 1),
        headquarters_of(ENTRIES),
    )
