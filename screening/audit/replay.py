"""Replaying a recorded screen: against the list versions and policy of its day (it must give
the recorded decision again), and against today's, with what changed.

Auditors ask "why did you let them in on 12 March?"; the answer is the same screen, run again on
exactly what the service knew on 12 March, beside what it knows now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from screening.audit import store as audit_store
from screening.errors import NotFoundError
from screening.listings import store as list_store
from screening.listings.records import ListEntry
from screening.matching import MatchIndex
from screening.matching.domains import DomainIndex
from screening.matching.live import Snapshot, headquarters_of, unverified_names, version_label
from screening.policy.config import parse_policy
from screening.policy.engine import PolicyEngine, Screening
from screening.policy.subject import Subject


def snapshot_of(session: Session, version_ids: dict[str, int]) -> Snapshot:
    """The index of exactly these list versions (their entries must not have been pruned)."""
    entries: list[ListEntry] = []
    labels: dict[str, str] = {}
    for source, version_id in sorted(version_ids.items()):
        version = list_store.get_version(session, version_id)
        loaded = list_store.load_entries(session, version_id)
        if not loaded and version.record_count:
            raise NotFoundError(
                f"the entries of {source} version {version_id} were pruned; that day's lists "
                "can no longer be rebuilt (its raw files are kept: re-parse them to restore)"
            )
        entries.extend(loaded)
        labels[source] = version_label(version)
    index = MatchIndex.build(entries, labels)
    return Snapshot(
        index,
        DomainIndex(entries),
        unverified_names(entries),
        dict(version_ids),
        headquarters_of(entries),
    )


@dataclass(frozen=True, slots=True)
class Replay:
    recorded: dict[str, Any]
    then: Screening
    now: Screening
    reproduced: bool

    def to_dict(self) -> dict[str, Any]:
        then_parties = {m.party_key for m in self.then.matches}
        now_parties = {m.party_key for m in self.now.matches}
        return {
            "screening_id": self.recorded["screening_id"],
            "recorded_decision": self.recorded["decision"],
            "then": self.then.to_dict(),
            "reproduced": self.reproduced,
            "now": self.now.to_dict(),
            "changes": {
                "decision": None
                if self.then.decision == self.now.decision
                else {"then": self.then.decision, "now": self.now.decision},
                "matches_added": sorted(now_parties - then_parties),
                "matches_removed": sorted(then_parties - now_parties),
                "policy_changed": self.then.policy_version != self.now.policy_version,
                "lists_changed": {
                    source: {"then": self.then.versions.get(source), "now": label}
                    for source, label in self.now.versions.items()
                    if self.then.versions.get(source) != label
                },
            },
        }


def replay(
    session: Session,
    screening_id: str,
    *,
    today: Snapshot,
    engine_today: PolicyEngine,
    on_today: date,
) -> Replay:
    row = audit_store.get_screening(session, screening_id)
    subject = Subject.from_dict(row.subject)
    then_engine = PolicyEngine(parse_policy(audit_store.policy_text(session, row.policy_version)))
    then = then_engine.screen(
        snapshot_of(session, dict(row.version_ids)),
        subject,
        context=row.context,
        on=date.fromisoformat(row.screened_on),
    )
    now = engine_today.screen(today, subject, context=row.context, on=on_today)
    recorded = dict(row.answer)
    reproduced = then.decision == row.decision and [
        r.to_dict() for r in then.reasons
    ] == recorded.get("reasons")
    return Replay(recorded, then, now, reproduced)
