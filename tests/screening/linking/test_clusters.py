"""Clusters end to end on the database: a denied account's links go to review with their path
and an alert; signals that arrive later link at once; an analyst decides a whole cluster (with
four-eyes); widely shared signals and weak ones alone never link; clusters merge and release."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from screening.db import utcnow
from screening.errors import ConflictError, InvalidQueryError, NotPermittedError
from screening.linking import decisions, service, views
from screening.linking.access import account_access
from screening.linking.clusters import party_key
from screening.linking.models import ClusterMember, LinkCluster, SignalValue
from screening.linking.service import Context
from screening.linking.signals import Observation
from screening.monitoring import review
from screening.monitoring.models import Account, Alert, CustomerResult
from tests.screening.linking.conftest import NewAccount


def send(sessions: sessionmaker[Session], ctx: Context, account_id: str, **values: str) -> int:
    with sessions.begin() as db:
        account = service.find_account(db, account_id)
        return service.record(db, account, Observation(**values), ctx, actor="test").added  # type: ignore[arg-type]


def sweep(sessions: sessionmaker[Session], ctx: Context) -> service.SweepReport:
    with sessions.begin() as db:
        return service.sweep(db, ctx.rules, actor="sweep")


def access(sessions: sessionmaker[Session], account_id: str) -> dict[str, str]:
    with sessions() as db:
        return account_access(db, account_id)


def members(sessions: sessionmaker[Session]) -> dict[str, str]:
    with sessions() as db:
        rows = db.execute(
            select(Account.account_id, ClusterMember.state).join(
                ClusterMember, ClusterMember.account_pk == Account.id
            )
        )
        return {a: s for a, s in rows}


@pytest.fixture
def ring(sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount) -> None:
    """A-17 is denied; B shares its two cards, C shares B's device, D shares only weak
    signals, E only a mailbox provider's domain."""
    new_account("A-17", access="deny", because="DeepSeek")
    for name in ("B", "C", "D", "E"):
        new_account(name)
    send(sessions, ctx, "A-17", payment_fingerprint="card-1", ip="81.2.69.5", asn="AS3320")
    send(sessions, ctx, "A-17", payment_fingerprint="card-2")
    send(sessions, ctx, "B", payment_fingerprint="card-1", device_id="dev-9")
    send(sessions, ctx, "B", payment_fingerprint="card-2")
    send(sessions, ctx, "C", device_id="dev-9")
    send(sessions, ctx, "D", ip="81.2.69.77", asn="AS3320")
    send(sessions, ctx, "E", email="someone@gmail.com")


def test_accounts_linked_to_a_denied_one_go_to_review_with_the_path(
    sessions: sessionmaker[Session], ctx: Context, ring: None
) -> None:
    # The denied account's signals made it a root, and each linked account joined on arrival.
    assert members(sessions) == {"B": "review", "C": "review"}
    b, c = access(sessions, "B"), access(sessions, "C")
    assert b["access"] == c["access"] == "review"
    assert b["reason"].endswith("shares payment fingerprint with account A-17, denied: DeepSeek")
    assert c["reason"].endswith(
        "shares device id with account B, which shares payment fingerprint with account A-17, "
        "denied: DeepSeek"
    )
    assert access(sessions, "D")["access"] == "allow"  # an IP prefix and an ASN do not add up
    assert access(sessions, "A-17")["access"] == "deny"
    with sessions() as db:
        alerts = db.scalars(select(Alert).where(Alert.party_key.like("rule:linked%"))).all()
        assert len(alerts) == 2
        assert {a.status for a in alerts} == {"open"}
        assert {a.entity_name for a in alerts} == {"DeepSeek"}
        assert {a.source_key for a in alerts} == {"A-17"}
    assert sweep(sessions, ctx).roots == 0  # nothing new: no second cluster, no second alert


def test_signals_arriving_after_the_denial_link_at_once(
    sessions: sessionmaker[Session], ctx: Context, ring: None, new_account: NewAccount
) -> None:
    sweep(sessions, ctx)
    new_account("F")
    assert send(sessions, ctx, "F", device_id="DEV-9") == 1  # device ids compare in any case
    found = access(sessions, "F")
    assert found["access"] == "review"
    assert "shares device id with account B" in found["reason"]
    # weak signals alone still link nobody
    new_account("G")
    assert send(sessions, ctx, "G", ip="81.2.69.9", asn=3320) == 0  # type: ignore[arg-type]
    assert access(sessions, "G")["access"] == "allow"


def test_a_weak_signals_that_add_up_link(
    sessions: sessionmaker[Session], ctx: Context, ring: None, new_account: NewAccount
) -> None:
    sweep(sessions, ctx)
    new_account("H")
    send(sessions, ctx, "A-17", billing_address="1 Dock Road, Leith, GB")
    send(sessions, ctx, "H", ip="81.2.69.200", billing_address="1 dock rd, leith, united kingdom")
    found = access(sessions, "H")
    assert found["access"] == "review"
    assert "shares billing address, IP prefix and billing city with account A-17" in found["reason"]


def test_widely_shared_values_stop_linking(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    narrow = Context(ctx.keyer, ctx.networks, ctx.rules.__class__(max_degree=3))
    new_account("ROOT", access="deny")
    send(sessions, narrow, "ROOT", email="a@acme-ai.com")
    for n in range(3):
        new_account(f"S{n}")
        send(sessions, narrow, f"S{n}", email=f"s{n}@acme-ai.com")
    # 4 accounts share the domain: over the cut-off of 3, it links nobody
    sweep(sessions, narrow)
    assert members(sessions) == {}
    with sessions() as db:
        degree = db.scalar(select(SignalValue.accounts).where(SignalValue.display == "acme-ai.com"))
    assert degree == 4


def test_one_persons_values_have_a_cut_off_of_their_own(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    rules = ctx.rules.__class__(max_degree=3, personal_max_degree=6)
    narrow = Context(ctx.keyer, ctx.networks, rules)
    new_account("ROOT", access="deny")
    send(sessions, narrow, "ROOT", payment_fingerprint="card-farm", ip="81.2.69.10")
    for n in range(5):
        new_account(f"S{n}")
        send(sessions, narrow, f"S{n}", payment_fingerprint="card-farm", ip="81.2.69.10")
    # 6 accounts on one card: over the general cut-off of 3 (the /24 links nobody), not over
    # the card's own of 6: a farm, not a crowd.
    sweep(sessions, narrow)
    assert set(members(sessions)) == {f"S{n}" for n in range(5)}
    assert access(sessions, "S4")["access"] == "review"
    # A seventh account takes the card over its cut-off: the cluster is walked again and the
    # accounts it reached through the card leave review.
    new_account("S5")
    send(sessions, narrow, "S5", payment_fingerprint="card-farm")
    assert access(sessions, "S4")["access"] != "review"
    with sessions() as db:
        links = views.account_links(db, "S0", rules)
    card = next(s for s in links["signals"] if s["kind"] == "payment_fingerprint")
    assert card["why_not"] == "shared by 7 accounts, over the cut-off of 6"


def test_a_placeholder_device_links_nobody_and_says_why(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    new_account("ROOT", access="deny")
    new_account("S")
    zeros = "00000000-0000-0000-0000-000000000000"
    send(sessions, ctx, "ROOT", device_id=zeros)
    send(sessions, ctx, "S", device_id=zeros)
    sweep(sessions, ctx)
    assert members(sessions) == {}
    with sessions() as db:
        links = views.account_links(db, "S", ctx.rules)
    (device,) = links["signals"]
    assert device["links"] is False
    assert device["why_not"] == "a placeholder value identifies nobody"


def test_an_analyst_denies_the_whole_cluster_with_four_eyes(
    sessions: sessionmaker[Session], ctx: Context, ring: None
) -> None:
    sweep(sessions, ctx)
    with sessions() as db:
        cluster_id = db.scalar(select(LinkCluster.id))
    assert cluster_id is not None
    with sessions.begin() as db:
        with pytest.raises(InvalidQueryError, match="note"):
            decisions.decide(db, cluster_id, "deny", actor="ana", note=" ", four_eyes=True)
        decisions.decide(db, cluster_id, "deny", actor="ana", note="one ring", four_eyes=True)
    assert access(sessions, "B")["access"] == "review"  # proposed, not approved
    with sessions.begin() as db, pytest.raises(NotPermittedError, match="four-eyes"):
        decisions.decide(db, cluster_id, "deny", actor="ana", note="again", four_eyes=True)
    with sessions.begin() as db:
        decisions.decide(db, cluster_id, "deny", actor="bob", note="agreed", four_eyes=True)
    assert members(sessions) == {"B": "denied", "C": "denied"}
    for name in ("B", "C"):
        found = access(sessions, name)
        assert found["access"] == "deny"
    with sessions() as db:
        statuses = db.scalars(select(Alert.status).where(Alert.party_key.like("rule:linked%")))
        assert set(statuses) == {"true_match"}
        # the customers' own stored access follows the confirmed alerts
        assert set(db.scalars(select(CustomerResult.access))) == {"deny", "allow"}
        assert db.get(LinkCluster, cluster_id).status == "denied"  # type: ignore[union-attr]


def test_dismissing_a_cluster_and_a_false_positive_let_accounts_back_in(
    sessions: sessionmaker[Session], ctx: Context, ring: None
) -> None:
    sweep(sessions, ctx)
    with sessions.begin() as db:
        alert_id = db.scalar(
            select(ClusterMember.alert_id)
            .join(Account, Account.id == ClusterMember.account_pk)
            .where(Account.account_id == "C")
        )
        assert alert_id is not None
        review.decide(db, alert_id, "false_positive", actor="ana", note="her own", four_eyes=False)
    assert access(sessions, "C")["access"] == "allow"
    assert access(sessions, "B")["access"] == "review"
    with sessions.begin() as db:
        cluster_id = db.scalar(select(LinkCluster.id))
        assert cluster_id is not None
        decisions.decide(db, cluster_id, "dismiss", actor="ana", note="family", four_eyes=False)
    assert access(sessions, "B")["access"] == "allow"
    with sessions.begin() as db, pytest.raises(ConflictError, match="dismissed"):
        decisions.decide(db, cluster_id, "deny", actor="ana", note="no", four_eyes=False)


def test_a_cluster_is_released_when_its_root_is_cleared(
    sessions: sessionmaker[Session], ctx: Context, ring: None
) -> None:
    sweep(sessions, ctx)
    with sessions.begin() as db:
        db.execute(update(CustomerResult).values(access="allow"))
    report = sweep(sessions, ctx)
    assert len(report.released) == 1
    assert members(sessions) == {}
    assert access(sessions, "B")["access"] == "allow"


def test_two_denied_accounts_that_meet_make_one_cluster(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    new_account("R1", access="deny", because="Lab One")
    new_account("R2", access="deny", because="Lab Two")
    new_account("M")
    send(sessions, ctx, "R1", device_id="d1", phone="+12025550143")
    send(sessions, ctx, "M", device_id="d1", phone="+1 202 555 0143")
    sweep(sessions, ctx)
    send(sessions, ctx, "R2", device_id="d2", payment_fingerprint="r2-card")
    new_account("N")
    send(sessions, ctx, "N", payment_fingerprint="r2-card", device_id="d2")
    # M now shares a card with N: the two clusters meet and become one
    send(sessions, ctx, "M", payment_fingerprint="shared-card")
    send(sessions, ctx, "N", payment_fingerprint="shared-card")
    with sessions() as db:
        live = db.scalars(select(LinkCluster).where(LinkCluster.status.in_(("open", "denied"))))
        assert len(list(live)) == 1
        assert db.scalar(select(func.count()).select_from(ClusterMember)) == 2
        alert_keys = set(db.scalars(select(Alert.party_key)))
    assert alert_keys <= {party_key(1), party_key(2)}
    assert access(sessions, "N")["access"] == "review"


def test_the_sweep_links_from_accounts_denied_after_their_signals(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    new_account("P")
    new_account("Q")
    send(sessions, ctx, "P", phone="+44 20 7946 0018")
    send(sessions, ctx, "Q", phone="+442079460018")
    assert access(sessions, "Q")["access"] == "allow"
    with sessions.begin() as db:  # a rescreen denies P's customer
        pk = db.scalar(select(Account.customer_id).where(Account.account_id == "P"))
        db.execute(
            update(CustomerResult)
            .where(CustomerResult.customer_id == pk)
            .values(access="deny", decision="deny")
        )
    report = sweep(sessions, ctx)
    assert (report.roots, len(report.clusters)) == (1, 1)
    assert "shares phone number with account P" in access(sessions, "Q")["reason"]


def test_links_are_not_followed_through_a_stolen_cards_owner(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    assert ctx.rules.through_values == 2  # the default
    for name in ("OWNER", "CHILD", "SHELL"):
        new_account(name)
    new_account("ROOT", access="deny")
    home = {"billing_address": "1 Dock Road, Leith, GB", "ip": "81.2.69.5"}
    send(sessions, ctx, "OWNER", payment_fingerprint="stolen", device_id="owner-phone", **home)
    # The household shares a tablet, its address and its home network with the owner.
    send(sessions, ctx, "CHILD", device_id="owner-phone", **home)
    send(sessions, ctx, "ROOT", payment_fingerprint="stolen", device_id="farm-1")
    send(sessions, ctx, "SHELL", payment_fingerprint="stolen", device_id="farm-1")
    assert members(sessions) == {"OWNER": "review", "SHELL": "review"}
    assert access(sessions, "CHILD")["access"] == "allow"


def test_with_one_value_enough_links_are_followed_through_every_account(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    ctx = Context(ctx.keyer, ctx.networks, replace(ctx.rules, through_values=1))
    for name in ("OWNER", "CHILD", "SHELL"):
        new_account(name)
    new_account("ROOT", access="deny")
    send(sessions, ctx, "OWNER", payment_fingerprint="stolen", device_id="owner-phone")
    send(sessions, ctx, "CHILD", device_id="owner-phone")
    send(sessions, ctx, "ROOT", payment_fingerprint="stolen", device_id="farm-1")
    assert set(members(sessions)) == {"OWNER", "CHILD"}


def test_a_member_another_process_added_meanwhile_is_skipped_not_an_error(
    sessions: sessionmaker[Session], ctx: Context, ring: None, new_account: NewAccount
) -> None:
    from screening.linking.clusters import Linker

    new_account("X")
    new_account("Y")
    with sessions.begin() as db:
        cluster_id = db.scalar(select(LinkCluster.id))
        ids = dict(db.execute(select(Account.account_id, Account.id)).all())

        def member(name: str) -> dict[str, Any]:
            return {
                "account_pk": ids[name], "cluster_id": cluster_id, "state": "review", "hops": 1,
                "via_account_pk": ids["A-17"], "score": 1.0, "through": True, "path": [],
                "reason": "r", "added_at": utcnow(),
            }  # fmt: skip

        db.add(ClusterMember(**member("X")))  # the other process's insert
        db.flush()
        kept = Linker(db, ctx.rules, actor="t")._insert([member("X"), member("Y")])
        assert [m["account_pk"] for m in kept] == [ids["Y"]]
    assert set(members(sessions)) == {"B", "C", "X", "Y"}
