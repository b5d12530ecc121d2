"""Real companies stay clear: the S&P 500, screened in the signup context against every mirror
list and the curated lists, with the headquarters the file gives."""

from __future__ import annotations

import csv
import functools
from datetime import date
from pathlib import Path

import pytest

from lists import get_source
from screening.listings.records import ListEntry
from screening.matching import MatchIndex
from screening.matching.domains import DomainIndex
from screening.matching.live import Snapshot, unverified_names
from screening.names.countries import country_code
from screening.policy.config import load_policy
from screening.policy.engine import PolicyEngine
from screening.policy.subject import Subject

MIRRORED = ("us_trade_csl", "us_ofac_sdn", "us_ofac_cons", "un_sc_sanctions")
PACKAGED = ("curated_ai_labs", "us_dod_1260h")
US_STATES = {
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "District of Columbia", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois",
    "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts",
    "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota",
    "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina",
    "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
    "West Virginia", "Wisconsin", "Wyoming", "Washington, D.C.",
}  # fmt: skip


def headquarters_country(location: str) -> str | None:
    last = location.rsplit(",", 1)[-1].strip()
    return "US" if last in US_STATES or "D.C." in location else country_code(last)


@functools.cache
def snapshot(shared: Path) -> Snapshot:
    entries: list[ListEntry] = []
    for source_id in MIRRORED:
        folder = shared / "mirror" / source_id
        files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
        entries += get_source(source_id).parse(files).entries
    for source_id in PACKAGED:
        source = get_source(source_id)
        files = {f.name: Path(f.url.removeprefix("file://")).read_bytes() for f in source.files}
        entries += source.parse(files).entries
    sources = {e.source for e in entries}
    index = MatchIndex.build(entries, dict.fromkeys(sources, "test"))
    return Snapshot(
        index, DomainIndex(entries), unverified_names(entries), dict.fromkeys(sources, 0)
    )


@pytest.mark.shared_data
@pytest.mark.xfail(
    reason="measured 4/503 = 0.80% not clear (target 0.5%), all review, none deny: SDN "
    "namesakes abroad (Carvana, Iron Mountain, Everest Group, PTC)",
    strict=True,
)
def test_sp500_stays_clear_in_the_signup_context(shared_data: Path):
    snap = snapshot(shared_data)
    engine = PolicyEngine(load_policy())
    with (shared_data / "companies" / "sp500_constituents.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    flagged = []
    for row in rows:
        location = row["Headquarters Location"]
        subject = Subject(row["Security"], country=headquarters_country(location), address=location)
        result = engine.screen(snap, subject, context="signup", on=date(2026, 12, 1))
        if result.decision != "clear":
            flagged.append((row["Security"], result.decision, result.reasons[0].detail))
    share = len(flagged) / len(rows)
    print(f"\nS&P 500 not clear: {len(flagged)}/{len(rows)} = {share:.2%}")
    for name, decision, why in flagged:
        print(f"  {decision}: {name}: {why[:160]}")
    assert share <= 0.005, flagged


# Foreign operators of restricted groups, named as such companies are and giving the country they
# are in (written before they were first screened, not tuned on), and real multinationals'
# subsidiaries named the same way.
FOREIGN_OPERATORS = [
    ("Huawei Technologies Singapore Pte. Ltd.", "SG"),
    ("华为技术新加坡有限公司", "SG"),
    ("Hikvision USA Inc", "US"),
    ("Rosneft Deutschland GmbH", "DE"),
    ("Gazprom Neft Middle East FZE", "AE"),
    ("DeepSeek AI Singapore Pte Ltd", "SG"),
    ("MiniMax Singapore Pte Ltd", "SG"),
    ("SenseTime International Pte Ltd", "SG"),
    ("Megvii Technology USA", "US"),
    ("Iflytek Hong Kong Limited", "HK"),
    ("Baidu USA LLC", "US"),
    ("Tencent America LLC", "US"),
    ("Inspur Systems Inc", "US"),
    ("Cambricon Technologies Singapore", "SG"),
    ("Unitree Robotics Europe GmbH", "DE"),
    ("华为云计算技术有限公司", "SG"),
    ("百度智能云", "SG"),
]
SUBSIDIARIES_OF_UNLISTED = [
    ("Apple Operations International", "IE"),
    ("Goldman Sachs Asia Pacific", "HK"),
    ("Microsoft Singapore Pte Ltd", "SG"),
    ("Shell Trading Singapore", "SG"),
    ("Siemens Energy Middle East", "AE"),
    ("Tata Consultancy Services Singapore", "SG"),
    ("Alpha Capital Singapore", "SG"),
]


@pytest.mark.shared_data
def test_foreign_operators_go_to_review_in_their_own_country(shared_data: Path):
    snap = snapshot(shared_data)
    engine = PolicyEngine(load_policy())

    def decision(name: str, country: str) -> str:
        subject = Subject(name, country=country)
        return engine.screen(snap, subject, context="signup", on=date(2026, 12, 1)).decision

    missed = [(n, c) for n, c in FOREIGN_OPERATORS if decision(n, c) == "clear"]
    assert missed == []
    flagged = [(n, c) for n, c in SUBSIDIARIES_OF_UNLISTED if decision(n, c) != "clear"]
    assert flagged == []
