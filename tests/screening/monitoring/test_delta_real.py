"""Delta rescreening on the real 2021 -> 2024 list change gives what a full rescreen gives.

Customers are built from real listed names (parties the 2024 lists added, removed, changed and
kept, some with a typo) and from unlisted names. They are screened in full on the 2021 lists,
the 2024 versions are activated, a delta run catches up, and a full run afterwards must find
nothing to change: the same open alerts, findings, decisions and access.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from screening.audit.models import ScreeningRecord
from screening.db import utcnow
from screening.listings import store
from screening.listings.diff import VersionDiff
from screening.listings.models import ListEntryRow
from screening.matching.live import LiveIndex
from screening.monitoring import delta, runs, service
from screening.monitoring.alerts import PENDING
from screening.monitoring.customers import CustomerData
from screening.monitoring.models import Alert, Customer, CustomerMatch, CustomerResult
from screening.monitoring.results import Screener
from screening.policy.config import load_policy
from screening.policy.engine import PolicyEngine
from tests.helpers import local_refresher

pytestmark = pytest.mark.shared_data

SOURCES = ("un_sc_sanctions", "us_ofac_cons", "us_ofac_sdn", "us_trade_csl")
UNLISTED_WORDS = (
    *("Northwind", "Harbor", "Meadow", "Copper", "Falcon", "Juniper", "Summit", "Lantern"),
    *("Orchard", "Prairie", "Willow", "Granite", "Beacon", "Cedar", "Maple", "Silver"),
    *("River", "Blue", "Stone", "Aspen", "Harvest", "Pioneer", "Crescent"),
)
SUFFIXES = ("Holdings LLC", "Logistics Inc", "Foods GmbH", "Analytics Ltd", "Partners LP")


def refresh(sessions: sessionmaker[Session], data: Path, mirror: Path) -> dict[str, int]:
    refresher = local_refresher(sessions, data, mirror=mirror.resolve().as_uri())
    for outcome in refresher.refresh_many(SOURCES, allow_drop=True):
        assert outcome.ok, outcome.line()
    with sessions() as db:
        return store.active_version_ids(db)


def activate(sessions: sessionmaker[Session], versions: dict[str, int]) -> None:
    with sessions.begin() as db:
        for source, version_id in versions.items():
            store.activate(db, source, version_id, utcnow())


def typo(name: str) -> str:
    i = max(1, len(name) // 2)
    return name[:i] + name[i + 1 :] if len(name) > 8 else name


def names(db: Session, version_id: int, keys: list[str]) -> list[tuple[str, str]]:
    rows = db.execute(
        select(ListEntryRow.name, ListEntryRow.kind).where(
            ListEntryRow.version_id == version_id, ListEntryRow.source_key.in_(keys)
        )
    )
    return [(name, kind) for name, kind in rows if kind in ("organization", "person")]


def build_customers(
    sessions: sessionmaker[Session], old: dict[str, int], new: dict[str, int]
) -> dict[str, str]:
    """Customers named after real parties; returns {external id: how it was built}."""
    rng = random.Random(8)
    made: list[tuple[str, str]] = []
    with sessions() as db:
        sdn_old, sdn_new = old["us_ofac_sdn"], new["us_ofac_sdn"]
        diff = VersionDiff.between(store.fingerprints(db, sdn_old), store.fingerprints(db, sdn_new))
        kept = sorted(set(store.fingerprints(db, sdn_new)) - set(diff.added) - set(diff.changed))
        picks = {
            "added": names(db, sdn_new, rng.sample(diff.added, 500)),
            "removed": names(db, sdn_old, rng.sample(diff.removed, 250)),
            "changed": names(db, sdn_new, rng.sample(diff.changed, 250)),
            "kept": names(db, sdn_new, rng.sample(kept, 250)),
            "csl": names(db, new["us_trade_csl"], rng.sample(
                sorted(store.fingerprints(db, new["us_trade_csl"])), 150
            )),
        }  # fmt: skip
    for how, found in picks.items():
        made.extend((how, name) for name, _ in found)
    made.extend(("added_typo", typo(name)) for name, _ in picks["added"][:120])
    for n in range(1200):
        words = rng.sample(UNLISTED_WORDS, 2)
        made.append(("unlisted", f"{words[0]} {words[1]} {rng.choice(SUFFIXES)} {n}"))
    built: dict[str, str] = {}
    with sessions.begin() as db:
        for n, (how, name) in enumerate(made):
            external_id = f"{how}-{n}"
            data = CustomerData(name=name[:1000], country="US" if n % 3 else None)
            service.save_customer(db, external_id, data, screener=None, actor="import")
            built[external_id] = how
    return built


def screener_for(sessions: sessionmaker[Session], live: LiveIndex) -> Screener:
    live.refresh_if_changed()
    return Screener(live.snapshot(), PolicyEngine(load_policy()))


def state(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with sessions() as db:
        ext = {i: e for i, e in db.execute(select(Customer.id, Customer.external_id))}
        alerts = {
            (ext[a.customer_id], a.party_key): (
                a.status,
                a.decision,
                a.fingerprint,
                a.delisted_at is not None,
            )
            for a in db.scalars(select(Alert))
        }
        matches = {
            (ext[m.customer_id], m.party_key, m.decision, m.fingerprint)
            for m in db.scalars(select(CustomerMatch))
        }
        results = {
            ext[r.customer_id]: (r.decision, r.access, r.version_ids)
            for r in db.scalars(select(CustomerResult))
        }
    return {"alerts": alerts, "matches": matches, "results": results}


def test_delta_after_the_real_2021_to_2024_change_equals_a_full_rescreen(
    sessions: sessionmaker[Session], shared_data: Path, tmp_path: Path
) -> None:
    old = refresh(sessions, tmp_path / "data", shared_data / "mirror-2021")
    new = refresh(sessions, tmp_path / "data", shared_data / "mirror")
    assert old["us_ofac_sdn"] != new["us_ofac_sdn"]
    built = build_customers(sessions, old, new)

    # On the 2021 lists: a full rescreen, and analysts' work on some alerts.
    activate(sessions, old)
    live = LiveIndex(sessions)
    with sessions.begin() as db:
        run_id = runs.start(db, actor="full", chunk_size=400).id
    runs.run_to_end(sessions, screener_for(sessions, live), run_id, actor="full")
    with sessions() as db:
        assert delta.pending(db) == {}
        kept_alerts = db.scalars(
            select(Alert.id)
            .join(Customer, Customer.id == Alert.customer_id)
            .where(Customer.external_id.like("kept-%"))
            .order_by(Alert.id)
            .limit(3)
        ).all()
    assert len(kept_alerts) == 3
    with sessions.begin() as db:
        for alert_id in kept_alerts:
            service.decide(db, alert_id, "false_positive", actor="a1", note="other firm",
                           four_eyes=False)  # fmt: skip
    before = state(sessions)

    # The 2024 versions become active: pending, whoever activated them.
    activate(sessions, new)
    with sessions() as db:
        assert delta.pending(db) == {"us_ofac_sdn": (old["us_ofac_sdn"], new["us_ofac_sdn"])}
    screener = screener_for(sessions, live)
    with sessions.begin() as db:
        started = runs.start_delta(db, actor="delta", chunk_size=400)
        assert started is not None
        delta_id = started.id
    by_delta = runs.run_to_end(sessions, screener, delta_id, actor="delta")
    with sessions() as db:
        assert delta.pending(db) == {}
    after_delta = state(sessions)

    with sessions.begin() as db:
        full_id = runs.start(db, actor="full", chunk_size=400, versions=new).id
    by_full = runs.run_to_end(sessions, screener, full_id, actor="full")
    after_full = state(sessions)

    # The proof: a full rescreen after the delta changes nothing.
    assert after_delta["alerts"] == after_full["alerts"]
    assert after_delta["matches"] == after_full["matches"]
    assert {k: v[:2] for k, v in after_delta["results"].items()} == {
        k: v[:2] for k, v in after_full["results"].items()
    }
    assert by_full.screened == len(built)
    assert by_delta.counts["checked"] == len(built)
    # It screens the customers the change can affect, not the others: most named after listed
    # parties (they have findings), few of the unlisted ones.
    assert by_delta.screened < len(built) * 0.6
    with sessions() as db:
        by_delta_names = set(
            db.scalars(
                select(ScreeningRecord.subject["name"].as_string()).where(
                    ScreeningRecord.key_id == "delta"
                )
            )
        )
    unlisted = {ext for ext, how in built.items() if how == "unlisted"}
    with sessions() as db:
        unlisted_names = set(
            db.scalars(select(Customer.name).where(Customer.external_id.in_(unlisted)))
        )
    assert len(unlisted_names & by_delta_names) <= len(unlisted_names) * 0.1

    alerts = after_delta["alerts"]
    opened = {k for k in alerts if k not in before["alerts"]}
    assert sum(built[ext] == "added" for ext, _ in opened) >= 100
    assert any(built[ext] == "added_typo" for ext, _ in opened)
    # Customers named after newly listed parties are denied or reviewed, never allowed (a
    # person's name alone reviews, so the denials are mostly the organisations').
    added_access = [after_delta["results"][ext][1] for ext, how in built.items() if how == "added"]
    assert "clear" not in added_access
    assert added_access.count("deny") >= 50
    # Alerts on delisted parties are marked; still-listed ones are not.
    delisted = {k for k, v in alerts.items() if v[3]}
    assert sum(built[ext] == "removed" for ext, _ in delisted) >= 50
    with sessions() as db:
        listed = set(
            db.scalars(
                select(ListEntryRow.party_key).where(ListEntryRow.version_id.in_(new.values()))
            )
        )
    assert delisted
    assert not {party for _, party in delisted} & listed
    assert {party for _, party in alerts} & listed - {party for _, party in delisted}
    # A confirmed false positive on an unchanged party stays closed.
    with sessions() as db:
        assert set(db.scalars(select(Alert.status).where(Alert.id.in_(kept_alerts)))) == {
            "false_positive"
        }
    open_now = {k for k, v in alerts.items() if v[0] in PENDING}
    assert open_now == {k for k, v in after_full["alerts"].items() if v[0] in PENDING}
