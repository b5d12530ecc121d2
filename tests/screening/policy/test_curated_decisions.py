"""The curated AI-labs list as shipped, through the default policy: the lab by its English legal
name, its Chinese legal name, its brand and its foreign operator, its domains and subdomains."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lists import get_source
from screening.matching import MatchIndex
from screening.matching.domains import DomainIndex
from screening.matching.live import Snapshot, unverified_names
from screening.policy.config import load_policy
from screening.policy.engine import PolicyEngine, Screening
from screening.policy.subject import Subject

ENGINE = PolicyEngine(load_policy())


@pytest.fixture(scope="module")
def curated() -> Snapshot:
    source = get_source("curated_ai_labs")
    files = {f.name: Path(f.url.removeprefix("file://")).read_bytes() for f in source.files}
    entries = source.parse(files).entries
    index = MatchIndex.build(entries, {"curated_ai_labs": "v1 packaged"})
    return Snapshot(index, DomainIndex(entries), unverified_names(entries), {"curated_ai_labs": 1})


def screen(
    snap: Snapshot,
    name: str,
    *,
    country: str | None = None,
    email: str | None = None,
    website: str | None = None,
) -> Screening:
    subject = Subject(name, country=country, email=email, website=website)
    return ENGINE.screen(snap, subject, context="signup", on=date(2026, 12, 1))


def lab_of(result: Screening) -> str:
    hit = next(r for r in result.reasons if r.rule in ("list_match", "domain"))
    return str(hit.evidence.get("source_key", ""))


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Hangzhou DeepSeek Artificial Intelligence Fundamental Technology Research Co Ltd",
         "deepseek"),
        ("杭州深度求索人工智能基础技术研究有限公司", "deepseek"),
        ("Kimi", "moonshot"),
        ("JINGSHENG HENGXING TECHNOLOGY PTE. LTD.", "zhipu-jingsheng-hengxing"),
    ],
)  # fmt: skip
def test_a_lab_is_denied_by_legal_name_chinese_name_brand_and_operator(curated, name, key):
    # No country: the name alone decides (CN would deny by jurisdiction anyway, and a country
    # that conflicts with the listed one sends even an exact name to review).
    result = screen(curated, name)
    assert result.decision == "deny", result.reasons
    assert lab_of(result) == key
    hit = next(r for r in result.reasons if r.decision == "deny")
    assert hit.rule == "list_match"
    assert hit.source == "curated_ai_labs"
    assert hit.evidence["lists"] == ["AI_LABS"]


@pytest.mark.parametrize(
    ("field", "value", "decision"),
    [
        ("email", "researcher@deepseek.com", "deny"),
        ("website", "https://platform.deepseek.com/usage", "deny"),
        ("website", "https://deepseek.com.example.org", "clear"),
        ("website", "https://notdeepseek.com", "clear"),
        ("email", "someone@qq.com", "clear"),
    ],
)
def test_lab_domains_and_subdomains(curated, field: str, value: str, decision: str):
    result = screen(
        curated,
        "Blue Harbor Analytics",
        country="SG",
        email=value if field == "email" else None,
        website=value if field == "website" else None,
    )
    assert result.decision == decision, result.reasons
    if decision == "deny":
        assert lab_of(result) == "deepseek"


def test_an_unverified_chinese_name_only_reviews(curated):
    # Zhipu's joint-stock Chinese name is marked unverified in the reference.
    result = screen(curated, "北京智谱华章科技股份有限公司", country="SG")
    assert result.decision in ("review", "deny")
    hits = [r for r in result.reasons if r.rule == "list_match"]
    unverified = [h for h in hits if h.evidence["matched_name"] == "北京智谱华章科技股份有限公司"]
    assert all(h.decision == "review" for h in unverified)


def test_an_unrelated_company_stays_clear(curated):
    assert screen(curated, "Acme Robotics GmbH", country="DE").decision == "clear"
