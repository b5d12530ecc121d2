"""Ownership reasons for a screen: the declared owners, screened and put through the rules.

Each declared owner is screened against the lists like the subject; a strong match marks it
listed (its list codes), a weaker one sends the subject to review on its own. The graph of
declared holdings then goes through the OFAC 50% rule, the BIS affiliates rule (on the screening
date) and the lab rule, each finding becoming a reason with its chain and aggregate percentage.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from screening.matching.live import Snapshot
from screening.policy.config import Verdict
from screening.policy.ownership import (
    NodeFacts,
    OwnershipFinding,
    OwnershipGraph,
    bis_affiliates,
    bis_affiliates_status,
    ofac_fifty_percent,
    owners_from_declaration,
    restricted_jurisdiction_control,
)
from screening.policy.subject import Subject

if TYPE_CHECKING:
    from screening.policy.engine import PolicyEngine, Reason

SUBJECT = "subject"


def ownership_reasons(
    engine: PolicyEngine, snapshot: Snapshot, subject: Subject, *, on: date, context: str
) -> list[Reason]:
    from screening.policy.engine import Reason

    config = engine.policy.ownership
    declaration = owners_from_declaration(SUBJECT, list(subject.owners))
    graph = OwnershipGraph.build(declaration.holdings)
    reasons: list[Reason] = []
    facts: dict[str, NodeFacts] = {
        SUBJECT: NodeFacts(SUBJECT, subject.name, subject.country and subject.country.upper())
    }
    sources: dict[str, tuple[str, str | None]] = {}
    for node in declaration.nodes:
        query = Subject(node.name, country=node.country).queries()
        listed: set[str] = set()
        headquarters, hq_verified = node.country, True
        for match in engine.match(snapshot, query):
            verdict = engine.verdict_for(snapshot, match)
            if verdict == "deny":
                listed.update(match.lists)
                if headquarters is None and match.party_key in snapshot.headquarters:
                    # The declaration says nothing of where the owner sits; the list does.
                    headquarters, hq_verified = snapshot.headquarters[match.party_key]
                sources[node.id] = (match.source, snapshot.index.versions.get(match.source))
                reasons.append(
                    Reason(
                        rule="owner_listed",
                        # The ownership rules below decide what the stake means; a listed
                        # owner always deserves a human's look, whatever its share.
                        decision="review",
                        detail=f"declared owner {node.name!r} is a listed party: "
                        f"{match.explanation}",
                        source=match.source,
                        version=snapshot.index.versions.get(match.source),
                        evidence={
                            "owner": node.location,
                            "party_key": match.party_key,
                            "lists": list(match.lists),
                        },
                    )
                )
            elif verdict == "review":
                reasons.append(
                    Reason(
                        rule="owner_match",
                        decision="review",
                        detail=f"declared owner {node.name!r} may be a listed party: "
                        f"{match.explanation}",
                        source=match.source,
                        version=snapshot.index.versions.get(match.source),
                        evidence={"owner": node.location, "party_key": match.party_key},
                    )
                )
        facts[node.id] = NodeFacts(
            node.id, node.name, headquarters, frozenset(listed), headquarters_verified=hq_verified
        )

    def reason(finding: OwnershipFinding, decision: Verdict) -> Reason:
        if finding.depends_on_unverified and decision == "deny":
            decision = "review"
        root = next((sources[v] for v in finding.via if v in sources), (None, None))
        return Reason(
            rule=finding.rule,
            decision=decision,
            detail=finding.basis,
            source=root[0],
            version=root[1],
            evidence=finding.to_dict(),
        )

    for finding in ofac_fifty_percent(
        graph, facts, SUBJECT, blocked_codes=config.ofac_blocking_lists
    ):
        reasons.append(reason(finding, config.ofac_decision))
    status = bis_affiliates_status(on, config.bis_extension)
    if status == "in_force":
        for finding in bis_affiliates(
            graph, facts, SUBJECT, on=on, codes=config.bis_lists,
            extension_until=config.bis_extension,
        ):  # fmt: skip
            reasons.append(reason(finding, config.bis_decision))
    else:
        # Say what the rule would have found: a reviewer must see why this party was cleared.
        dormant = bis_affiliates(
            graph, facts, SUBJECT, on=date(2025, 10, 1), codes=config.bis_lists
        )
        for finding in dormant:
            reasons.append(
                Reason(
                    rule="bis_affiliates",
                    decision="clear",
                    detail=f"BIS affiliates rule {status.replace('_', ' ')} on {on.isoformat()}"
                    f" (no effect): {finding.basis}",
                    evidence={**finding.to_dict(), "status": status},
                )
            )
    for finding in restricted_jurisdiction_control(
        graph, facts, SUBJECT, jurisdictions=engine.policy.jurisdictions.restricted
    ):
        reasons.append(reason(finding, config.lab_decision))
    return reasons
