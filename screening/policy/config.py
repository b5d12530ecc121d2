"""The policy file: loaded once, validated strictly, versioned by its hash."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from screening.errors import ScreeningError

Verdict = Literal["clear", "review", "deny"]
CONTEXTS = ("signup", "auth", "vetting", "rescreen")


class PolicyError(ScreeningError):
    """The policy file is missing, malformed or inconsistent."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Jurisdictions(_Strict):
    restricted: tuple[str, ...] = ("CN", "RU", "IR", "KP")
    restricted_decision: Verdict = "deny"
    comprehensive: tuple[str, ...] = ("CU", "SY", "IR", "KP")
    comprehensive_decision: Verdict = "deny"

    @field_validator("restricted", "comprehensive")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if len(code) != 2 or not code.isalpha() or not code.isupper():
                raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 code")
        return value


class Ownership(_Strict):
    ofac_blocking_lists: tuple[str, ...] = ("SDN",)
    ofac_decision: Verdict = "deny"
    bis_lists: tuple[str, ...] = ("EL", "MEU")
    bis_decision: Verdict = "deny"
    bis_suspension_extended_until: str = ""
    lab_decision: Verdict = "deny"

    @property
    def bis_extension(self) -> date | None:
        text = self.bis_suspension_extended_until
        return date.fromisoformat(text) if text else None

    @field_validator("bis_suspension_extended_until")
    @classmethod
    def _iso(cls, value: str) -> str:
        if value:
            date.fromisoformat(value)
        return value


class ListRule(_Strict):
    name: str
    lists: tuple[str, ...] = Field(min_length=1)
    review_at: float = Field(gt=0, le=1)
    deny_at: float | None = Field(default=None, gt=0, le=1)
    # What a match means when the party says it is elsewhere than the list does: "review" leaves
    # it to a human; "clear" is for lists that prohibit no dealing (an investment ban), where a
    # name shared with a company abroad is no reason to hold a party.
    country_conflict: Literal["review", "clear"] = "review"

    def applies_to(self, codes: tuple[str, ...]) -> bool:
        return "*" in self.lists or any(code in self.lists for code in codes)


class Context(_Strict):
    description: str = ""
    # Which sources count in this context (empty: every source).
    sources: tuple[str, ...] = ()
    # Added to every rule's review threshold here (vetting shows more near misses).
    review_offset: float = Field(default=0.0, ge=-0.3, le=0.3)


# The facts beside a name that can agree with a listed party, as the matcher names them, and
# how a reason says them.
AGREEING_EVIDENCE: Final = {
    "country_match": "the country",
    "identifier_match": "an identifier",
    "address_match": "the address",
    "domain_match": "the domain",
}


class Policy(_Strict):
    deny_match_types: tuple[str, ...]
    # Added to the review threshold of a fuzzy or partial match whose listed country conflicts
    # with the screened party's.
    conflict_review_margin: float = Field(default=0.05, ge=0, le=0.3)
    # Evidence kinds, one of which must agree beside a person's name for a match to deny.
    person_deny_needs: tuple[str, ...] = ()
    jurisdictions: Jurisdictions = Jurisdictions()
    ownership: Ownership = Ownership()
    rules: tuple[ListRule, ...] = Field(min_length=1)
    contexts: dict[str, Context]

    @field_validator("person_deny_needs")
    @classmethod
    def _person_needs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [kind for kind in value if kind not in AGREEING_EVIDENCE]
        if unknown:
            known = ", ".join(AGREEING_EVIDENCE)
            raise ValueError(f"person_deny_needs: unknown {', '.join(unknown)} (known: {known})")
        return value

    @field_validator("contexts")
    @classmethod
    def _contexts(cls, value: dict[str, Context]) -> dict[str, Context]:
        missing = [c for c in CONTEXTS if c not in value]
        unknown = [c for c in value if c not in CONTEXTS]
        if missing or unknown:
            raise ValueError(f"contexts must be exactly {', '.join(CONTEXTS)}")
        return value

    def rule_for(self, codes: tuple[str, ...]) -> ListRule:
        for rule in self.rules:
            if rule.applies_to(codes):
                return rule
        return self.rules[-1]


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    policy: Policy
    version: str  # "sha256:<first 16 hex>" of the file's bytes
    text: str


def parse_policy(text: str, *, origin: str = "policy") -> LoadedPolicy:
    try:
        data = tomllib.loads(text)
        policy = Policy.model_validate(data)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{origin}: not valid TOML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise PolicyError(f"{origin}: {problems}") from exc
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return LoadedPolicy(policy, f"sha256:{digest}", text)


def load_policy(path: Path | None = None) -> LoadedPolicy:
    """The policy in `path`, or the default one shipped with the package."""
    if path is None:
        text = resources.files("screening.policy").joinpath("default_policy.toml").read_text()
        return parse_policy(text, origin="default policy")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"policy file {path}: {exc}") from exc
    return parse_policy(text, origin=str(path))
