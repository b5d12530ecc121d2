"""From a subject to clear / review / deny, with every reason as data.

A reason names its rule, what it decided, the evidence, and the list source and version it rests
on; the answer names the policy version. Decisions come only from here: the match index explains
how names meet, this module says what that means under the policy of the day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from screening.errors import InvalidQueryError
from screening.matching import Match, Query
from screening.matching.live import Snapshot
from screening.matching.readings import Read
from screening.names.countries import country_code
from screening.names.domains import domain_of
from screening.policy.config import AGREEING_EVIDENCE, ListRule, LoadedPolicy, Policy, Verdict
from screening.policy.subject import Subject

SEVERITY: dict[Verdict, int] = {"clear": 0, "review": 1, "deny": 2}
MATCH_LIMIT = 10


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str  # list_match | domain | jurisdiction | ownership_ofac_50 | ... | lab_rule
    decision: Verdict
    detail: str
    source: str | None = None
    version: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "decision": self.decision,
            "detail": self.detail,
            "source": self.source,
            "version": self.version,
            "evidence": dict(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class Screening:
    subject: Subject
    context: str
    decision: Verdict
    reasons: tuple[Reason, ...]
    matches: tuple[Match, ...]
    versions: Mapping[str, str]
    policy_version: str
    screened_on: date
    normalized: Mapping[str, Any] = field(default_factory=dict)
    screening_id: str | None = None
    # Set when the name held nothing distinctive (only legal forms or generic words).
    note: str | None = None

    @property
    def score(self) -> float:
        return self.matches[0].score if self.matches else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "screening_id": self.screening_id,
            "decision": self.decision,
            "reasons": [r.to_dict() for r in self.reasons],
            "score": round(self.score, 4),
            "query": self.subject.to_dict(),
            "context": self.context,
            "matches": [m.to_dict() for m in self.matches],
            "versions": dict(self.versions),
            "policy_version": self.policy_version,
            "screened_on": self.screened_on.isoformat(),
            "note": self.note,
        }


def worst(reasons: tuple[Reason, ...] | list[Reason]) -> Verdict:
    decision: Verdict = "clear"
    for reason in reasons:
        if SEVERITY[reason.decision] > SEVERITY[decision]:
            decision = reason.decision
    return decision


class PolicyEngine:
    def __init__(self, loaded: LoadedPolicy) -> None:
        self.loaded = loaded
        self.policy: Policy = loaded.policy

    def screen(
        self,
        snapshot: Snapshot,
        subject: Subject,
        *,
        context: str = "signup",
        on: date,
        limit: int = 5,
        read: Mapping[str, Read] | None = None,
    ) -> Screening:
        """`read`: readings of the subject's names kept from an earlier screen, by name (a
        rescreen need not read a name again); a name not in it is read now."""
        ctx = self.policy.contexts.get(context)
        if ctx is None:
            raise InvalidQueryError(
                f"unknown context {context!r}; contexts: {', '.join(self.policy.contexts)}"
            )
        queries = subject.queries()
        notes: list[str] = []
        matches = self.match(snapshot, queries, sources=ctx.sources, notes=notes, read=read)
        versions = snapshot.index.versions
        reasons: list[Reason] = []
        reasons += self._match_reasons(snapshot, matches, versions, ctx.review_offset)
        reasons += self._domain_reasons(snapshot, subject, versions, ctx.sources)
        reasons += self._jurisdiction_reasons(subject)
        if subject.owners:
            # Imported here: the ownership rules are only needed when owners are declared.
            from screening.policy.owners import ownership_reasons

            reasons += ownership_reasons(self, snapshot, subject, on=on, context=context)
        return Screening(
            subject=subject,
            context=context,
            decision=worst(reasons),
            reasons=tuple(reasons),
            matches=tuple(matches[: max(limit, 1)]),
            versions=dict(versions),
            policy_version=self.loaded.version,
            screened_on=on,
            normalized={"names": [q.name for q in queries], "domain": queries[0].domain},
            note=notes[0] if notes else None,
        )

    def match(
        self,
        snapshot: Snapshot,
        queries: list[Query],
        *,
        sources: tuple[str, ...] = (),
        notes: list[str] | None = None,
        read: Mapping[str, Read] | None = None,
    ) -> list[Match]:
        """Best match per party over every query (name and aliases), best first."""
        best: dict[str, Match] = {}
        for query in queries:
            known = read.get(query.name) if read else None
            if known is None:
                result = snapshot.index.screen(query, limit=MATCH_LIMIT)
            else:
                result = snapshot.index.screen_read(query, known, limit=MATCH_LIMIT)
            if result.note and notes is not None:
                notes.append(result.note)
            for match in result.matches:
                if sources and not set(match.sources) & set(sources):
                    continue
                held = best.get(match.party_key)
                if held is None or match.score > held.score:
                    best[match.party_key] = match
        return sorted(best.values(), key=lambda m: (-m.score, m.entity_name))

    def verdict_for(self, snapshot: Snapshot, match: Match, review_offset: float = 0.0) -> Verdict:
        """What one match means under the policy: deny, review or nothing."""
        rule = self.policy.rule_for(match.lists)
        verified = (match.party_key, match.matched_name) not in snapshot.unverified_names
        # Facts that disagree (the party says it is elsewhere than the list says) leave the
        # decision to a human: evaders lie about their country, namesakes really are elsewhere.
        conflicting = any(e.kind == "country_conflict" for e in match.evidence)
        if conflicting and rule.country_conflict == "clear":
            return "clear"
        if verified and not conflicting and self._strong(match, rule) and self._corroborated(match):
            return "deny"
        review_at = rule.review_at + review_offset
        if conflicting and match.match_type not in self.policy.deny_match_types:
            # A name that only resembles the listed one, for a party that says it is elsewhere:
            # both pieces of evidence are weak, so the bar is higher.
            review_at += self.policy.conflict_review_margin
        if match.score >= review_at:
            return "review"
        return "clear"

    def _strong(self, match: Match, rule: ListRule) -> bool:
        """Whether the name is close enough to the listed one to deny on its list."""
        return (
            rule.deny_at is not None
            and match.score >= rule.deny_at
            and match.match_type in self.policy.deny_match_types
        )

    def _corroborated(self, match: Match) -> bool:
        """Whether a match may deny on its evidence: an organisation's name may alone, a
        person's only with one of the policy's `person_deny_needs` agreeing beside it."""
        needs = self.policy.person_deny_needs
        if match.kind != "person" or not needs:
            return True
        return any(e.kind in needs for e in match.evidence)

    def _match_reasons(
        self,
        snapshot: Snapshot,
        matches: list[Match],
        versions: Mapping[str, str],
        review_offset: float,
    ) -> list[Reason]:
        reasons: list[Reason] = []
        for match in matches:
            verdict = self.verdict_for(snapshot, match, review_offset)
            if verdict == "clear":
                continue
            rule = self.policy.rule_for(match.lists)
            unverified = (match.party_key, match.matched_name) in snapshot.unverified_names
            detail = f"{rule.name}: {match.explanation}"
            held_back = not self._corroborated(match) and self._strong(match, rule)
            if unverified and verdict == "review":
                detail += " (the matched name is unverified: review, never deny on its own)"
            elif verdict == "review" and held_back:
                facts = " or ".join(AGREEING_EVIDENCE[k] for k in self.policy.person_deny_needs)
                detail += f" (a person's name alone: review; it denies with {facts} agreeing)"
            reasons.append(
                Reason(
                    rule="list_match",
                    decision=verdict,
                    detail=detail,
                    source=match.source,
                    version=versions.get(match.source),
                    evidence={
                        "party_key": match.party_key,
                        "source_key": match.source_key,
                        "lists": list(match.lists),
                        "entity_name": match.entity_name,
                        "matched_name": match.matched_name,
                        "match_type": match.match_type,
                        "score": round(match.score, 4),
                        "policy_rule": rule.name,
                        "verified": not unverified,
                    },
                )
            )
        return reasons

    def _domain_reasons(
        self,
        snapshot: Snapshot,
        subject: Subject,
        versions: Mapping[str, str],
        sources: tuple[str, ...],
    ) -> list[Reason]:
        reasons: list[Reason] = []
        seen: set[tuple[str, str]] = set()
        for value, role in ((subject.website, "website"), (subject.email, "email")):
            if not value:
                continue
            domain = domain_of(value, role)  # type: ignore[arg-type]  # literal by construction
            if domain is None:
                continue
            for hit in snapshot.domains.lookup(domain):
                if (sources and hit.source not in sources) or (hit.party_key, role) in seen:
                    continue
                seen.add((hit.party_key, role))
                rule = self.policy.rule_for(hit.lists)
                verdict: Verdict = "deny" if rule.deny_at is not None and hit.verified else "review"
                how = "is" if domain.host == hit.registrable else "is a subdomain of"
                reasons.append(
                    Reason(
                        rule="domain",
                        decision=verdict,
                        detail=(
                            f"{role} {domain.host} {how} {hit.registrable}, listed for "
                            f"{hit.entity_name!r} [{', '.join(hit.lists)}] ({rule.name})"
                            + ("" if hit.verified else "; the listed domain is unverified")
                        ),
                        source=hit.source,
                        version=versions.get(hit.source),
                        evidence={
                            "party_key": hit.party_key,
                            "source_key": hit.source_key,
                            "entity_name": hit.entity_name,
                            "screened": domain.host,
                            "registrable": hit.registrable,
                            "listed": hit.listed,
                            "role": role,
                            "verified": hit.verified,
                        },
                    )
                )
        return reasons

    def _jurisdiction_reasons(self, subject: Subject) -> list[Reason]:
        code = country_code(subject.country) if subject.country else None
        if code is None:
            return []
        rules = self.policy.jurisdictions
        reasons: list[Reason] = []
        if code in rules.comprehensive:
            reasons.append(
                Reason(
                    rule="jurisdiction",
                    decision=rules.comprehensive_decision,
                    detail=f"headquartered in {code}, a comprehensively sanctioned jurisdiction",
                    evidence={"country": code, "set": "comprehensive"},
                )
            )
        if code in rules.restricted:
            reasons.append(
                Reason(
                    rule="jurisdiction",
                    decision=rules.restricted_decision,
                    detail=f"headquartered in {code}, a restricted jurisdiction under the policy",
                    evidence={"country": code, "set": "restricted"},
                )
            )
        return reasons
