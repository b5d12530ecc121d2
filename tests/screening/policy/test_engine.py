"""Decisions with reasons: for each rule, a party it denies, one it sends to review and one it
clears, asserting on the reasons, not only on the decision word."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from screening.errors import InvalidQueryError
from screening.policy.config import PolicyError, load_policy, parse_policy
from screening.policy.engine import PolicyEngine, Screening
from screening.policy.subject import Subject
from tests.screening.policy.factory import snapshot

ENGINE = PolicyEngine(load_policy())
SNAPSHOT = snapshot()
TODAY = date(2026, 12, 1)


def screen(name: str, *, on: date = TODAY, context: str = "signup", **kw: Any) -> Screening:
    return ENGINE.screen(SNAPSHOT, Subject(name, **kw), context=context, on=on)


def rules(result: Screening) -> dict[str, str]:
    """{rule: worst decision of that rule}."""
    out: dict[str, str] = {}
    order = {"clear": 0, "review": 1, "deny": 2}
    for r in result.reasons:
        if order[r.decision] >= order.get(out.get(r.rule, "clear"), 0):
            out[r.rule] = r.decision
    return out


def test_sdn_exact_denies_with_the_list_and_version():
    result = screen("Rostec State Corporation")
    assert result.decision == "deny"
    (reason,) = [r for r in result.reasons if r.rule == "list_match"]
    assert reason.evidence["lists"] == ["SDN"]
    assert reason.source == "us_ofac_sdn"
    assert reason.version is not None
    assert "blocking sanctions" in reason.detail
    assert result.policy_version.startswith("sha256:")


def test_sdn_typo_only_reviews_and_an_unlisted_name_clears():
    typo = screen("Rostek State Corporatoin")
    assert typo.decision == "review"
    assert rules(typo) == {"list_match": "review"}
    assert screen("Procter & Gamble", country="US").decision == "clear"


def test_entity_list_hit_denies_reviews_and_clears():
    assert screen("Huawei Technologies Co Ltd").decision == "deny"
    assert screen("Huaweii Technologies Co Ltd").decision == "review"  # a typo: fuzzy
    assert screen("Hua Xia Bank", country="US").decision == "clear"


@pytest.mark.parametrize(
    "name",
    [
        "Hangzhou DeepSeek Artificial Intelligence Basic Technology Research Co Ltd",
        "杭州深度求索人工智能基础技术研究有限公司",
        "Kimi",
        "Z.ai Singapore Pte Ltd",
    ],
)
def test_curated_labs_by_english_chinese_brand_and_foreign_operator(name: str):
    result = screen(name, country="SG")
    assert result.decision == "deny", result.reasons
    hit = next(r for r in result.reasons if r.rule == "list_match")
    assert hit.source == "curated_ai_labs"
    assert hit.evidence["lists"] == ["AI_LABS"]


def test_a_persons_name_alone_reviews_and_denies_with_an_agreeing_fact():
    alone = screen("Dmitri Arkadyevich Kovalenko")
    assert alone.decision == "review"
    (hit,) = [r for r in alone.reasons if r.rule == "list_match"]
    assert hit.evidence["match_type"] in {"exact", "token_reorder"}
    assert "a person's name alone" in hit.detail
    assert "the country or an identifier or the address" in hit.detail
    # The country the caller gives agrees with the list: that is enough to deny.
    assert screen("Dmitri Arkadyevich Kovalenko", country="RU").decision == "deny"
    # A conflicting country leaves it to a human, and an organisation's name denies alone.
    assert screen("Dmitri Arkadyevich Kovalenko", country="US").decision == "review"
    assert screen("Rostec State Corporation").decision == "deny"


def test_an_unverified_name_reviews_but_never_denies():
    result = screen("Zhipu Singapore Operator Holdings", country="SG")
    assert result.decision == "review"
    (hit,) = [r for r in result.reasons if r.rule == "list_match"]
    assert hit.evidence["verified"] is False
    assert "unverified" in hit.detail


def test_1260h_is_a_risk_flag_never_a_deny():
    result = screen("Inspur Group Co., Ltd.", country="US")
    assert result.decision == "review"
    assert "1260H" in result.reasons[0].detail


@pytest.mark.parametrize(
    ("field", "value", "decision"),
    [
        ("website", "https://deepseek.com", "deny"),
        ("website", "https://chat.deepseek.com/a/b", "deny"),
        ("email", "someone@api.deepseek.com", "deny"),
        ("website", "deepseek.com.example.org", "clear"),
        ("website", "notdeepseek.com", "clear"),
        ("email", "someone@gmail.com", "clear"),
        ("website", "https://z.ai", "review"),  # listed, but the domain is unverified
    ],
)
def test_domains_exact_and_subdomain_only(field: str, value: str, decision: str):
    subject = Subject(
        "Acme Research Inc",
        country="US",
        website=value if field == "website" else None,
        email=value if field == "email" else None,
    )
    result = ENGINE.screen(SNAPSHOT, subject, on=TODAY)
    assert result.decision == decision, result.reasons
    if decision != "clear":
        (reason,) = result.reasons
        assert reason.rule == "domain"
        assert reason.evidence["registrable"] in ("deepseek.com", "z.ai")


def test_headquarters_in_a_restricted_jurisdiction_is_the_configured_decision():
    result = screen("Acme Research Inc", country="CN")
    assert result.decision == "deny"
    assert rules(result) == {"jurisdiction": "deny"}
    assert screen("Acme Research Inc", country="DE").decision == "clear"
    cuba = screen("Acme Research Inc", country="Cuba")
    assert "comprehensively sanctioned" in cuba.reasons[0].detail


def owner(name: str, percent: float, country: str | None = None, owners=()) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "percent": percent, "owners": list(owners)}
    if country:
        out["country"] = country
    return out


def test_ofac_fifty_percent_three_levels_only_aggregation_catches():
    # Rostec (SDN) owns 60% of Alpha (blocked by the rule) and 25% of Beta directly; Alpha owns
    # 30% of Beta: Beta is 55% owned by blocked persons, and owns 50% of the subject.
    rostec = owner("Rostec State Corporation", 60)
    alpha = owner("Alpha Holdings", 30, "CY", [rostec])
    beta = owner("Beta Industrial", 50, "CY", [alpha, owner("Rostec State Corporation", 25)])
    result = screen("Gamma Trading", country="AE", owners=[beta])
    assert result.decision == "deny"
    (finding,) = [r for r in result.reasons if r.rule == "ofac_50_percent"]
    assert finding.evidence["aggregate_percent"] == 50
    assert "Beta Industrial" in finding.detail
    assert "ROSTEC" in finding.detail.upper()
    # No single path reaches 50%: Alpha at 40% is not blocked, so Beta is owned 25%: clear.
    weaker = owner("Alpha Holdings", 30, "CY", [owner("Rostec State Corporation", 40)])
    beta2 = owner("Beta Industrial", 50, "CY", [weaker, owner("Rostec State Corporation", 25)])
    assert screen("Gamma Trading", country="AE", owners=[beta2]).decision != "deny"


@pytest.mark.parametrize(("percent", "decision"), [(50, "clear"), (60, "deny")])
def test_lab_rule_more_than_half_owned_from_a_restricted_jurisdiction(percent, decision):
    result = screen(
        "Lion City Analytics Pte Ltd", country="SG",
        owners=[owner("Shenzhen Example Group", percent, "CN")],
    )  # fmt: skip
    assert result.decision == decision
    found = [r for r in result.reasons if r.rule == "restricted_jurisdiction_control"]
    assert bool(found) is (decision == "deny")
    if found:
        assert "60%" in found[0].detail


@pytest.mark.parametrize(
    ("on", "decision"),
    [
        # Out of force the rule decides nothing; the listed owner still sends it to a human.
        (date(2025, 9, 1), "review"),  # not yet in force
        (date(2025, 10, 1), "deny"),  # in force
        (date(2026, 1, 15), "review"),  # suspended: said, but no effect
        (date(2026, 11, 10), "deny"),  # back
    ],
)
def test_bis_affiliates_rule_before_during_and_after_its_suspension(on: date, decision: str):
    result = screen(
        "Kunlun Quantum Devices Ltd", country="AE", on=on,
        owners=[owner("Kunlun Quantum Microsystems Co., Ltd.", 60, "AE")],
    )  # fmt: skip
    assert result.decision == decision
    (bis,) = [r for r in result.reasons if r.rule == "bis_affiliates"]
    assert bis.evidence["aggregate_percent"] == 60
    assert bis.decision == ("deny" if decision == "deny" else "clear")
    if on == date(2026, 1, 15):
        assert "suspended" in bis.detail
    assert {r.rule for r in result.reasons} >= {"owner_listed", "bis_affiliates"}


def test_a_declared_owner_cycle_is_a_clear_error():
    looped = {"id": "a", "name": "A Ltd", "percent": 50, "owners": [
        {"id": "b", "name": "B Ltd", "percent": 50, "owners": [
            {"id": "a", "name": "A Ltd", "percent": 50}]}]}  # fmt: skip
    with pytest.raises(InvalidQueryError, match="cycle"):
        screen("Subject Ltd", owners=[looped])


def test_unknown_context_is_refused():
    with pytest.raises(InvalidQueryError, match="context"):
        screen("Acme", context="nightly")


def test_vetting_shows_more_near_misses_than_signup():
    near = "Rostek State Corp Holding"
    assert (
        screen(near, context="vetting").decision,
        screen(near, context="signup").decision,
    ) in (("review", "clear"), ("review", "review"))


def test_the_policy_file_is_validated_and_versioned_by_hash():
    text = load_policy().text
    assert parse_policy(text).version == load_policy().version
    assert parse_policy(text + "\n# edited\n").version != load_policy().version
    with pytest.raises(PolicyError, match="contexts"):
        parse_policy(text.replace("[contexts.rescreen]", "[contexts.nightly]"))
    with pytest.raises(PolicyError, match="TOML"):
        parse_policy("rules = [")
    # A misspelt fact would silently stop every person from being denied: refused.
    with pytest.raises(PolicyError, match="person_deny_needs: unknown country_matches"):
        parse_policy(text.replace('"country_match",', '"country_matches",'))


def test_an_exact_name_with_a_conflicting_country_goes_to_a_human_not_to_deny():
    result = screen("Rostec State Corporation", country="US")
    assert result.decision == "review"
    (hit,) = [r for r in result.reasons if r.rule == "list_match"]
    assert hit.evidence["match_type"] in ("exact", "legal_form_differs")
    assert "differs from listed RU" in hit.detail


def test_a_fuzzy_match_with_a_conflicting_country_needs_more_to_reach_review():
    # A typo (fuzzy) of an SDN name just over the review bar: reviewed with no country, cleared
    # when the party is elsewhere than the list says; an exact name with a conflict still reviews.
    near = "Rosteck State Corporatoin Holding"
    assert screen(near).decision == "review"
    assert screen(near, country="US").decision == "clear"
    assert screen("Rostec State Corporation", country="US").decision == "review"


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Rostec Singapore", "SG"),
        ("Rostec Trading Singapore Pte Ltd", "SG"),
        ("Huawei Technologies Deutschland GmbH", "DE"),
        ("Huawei Cloud Services", "SG"),
    ],
)
def test_an_affiliate_abroad_is_not_cleared_by_the_country_it_gives(name: str, country: str):
    # A listed name inside a longer one is how a group's foreign operators are named: being
    # elsewhere than the list says is what such an affiliate is, not evidence against it.
    result = screen(name, country=country)
    assert result.decision == "review", result.matches[:2]
    (hit,) = [r for r in result.reasons if r.rule == "list_match"]
    assert hit.evidence["match_type"] == "contained"
    assert "listed name inside a longer name" in hit.detail
    assert f"country {country} differs from listed" in hit.detail
    assert "expected of an affiliate abroad" in hit.detail
    # The same name that names no listed group still clears there.
    unlisted = name.replace("Rostec", "Rosetta").replace("Huawei", "Hanwha")
    assert screen(unlisted, country=country).decision == "clear"


def test_an_investment_ban_list_holds_no_party_that_says_it_is_elsewhere():
    # NS-CMIC forbids buying the company's securities, not serving it: a namesake abroad clears
    # (the match still shows, with the conflict); no country or the listed one still reviews.
    name = "Luoyang Zhongxin Robotics Co Ltd"
    abroad = screen(name, country="US")
    assert abroad.decision == "clear"
    (shown,) = [m for m in abroad.matches if m.party_key == "us_ofac_cons:cmic-1"]
    assert "differs from listed CN" in shown.explanation
    unsaid = screen(name)
    assert unsaid.decision == "review"
    (hit,) = [r for r in unsaid.reasons if r.rule == "list_match"]
    assert "NS-CMIC" in hit.detail
    at_home = screen(name, country="CN")
    assert rules(at_home)["list_match"] == "review"
    # An SDN namesake abroad is still left to a human.
    assert screen("Rostec State Corporation", country="US").decision == "review"


def test_an_owner_matched_to_a_curated_lab_brings_its_headquarters():
    # The declaration gives no country; the curated list says DeepSeek sits in CN: the lab rule
    # sees a 60% Chinese owner of a Singapore company.
    result = screen(
        "Lion City Models Pte Ltd", country="SG",
        owners=[owner("Hangzhou DeepSeek Artificial Intelligence Basic Technology Research "
                      "Co., Ltd.", 60)],
    )  # fmt: skip
    assert result.decision == "deny"
    (lab,) = [r for r in result.reasons if r.rule == "restricted_jurisdiction_control"]
    assert "60%" in lab.detail
