"""An observation's writes in their fewer statements: the alerts of a customer with several
members, an alert that exists already, webhooks, and (PostgreSQL) a value another writer
inserts while the observation's statement runs."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from lists.curated.cloud_networks import load_file
from screening.db import utcnow
from screening.linking import pgstore, raising, service, store
from screening.linking.hashing import Keyer
from screening.linking.models import AccountSignal, ClusterEvent, ClusterMember, SignalValue
from screening.linking.raising import party_key
from screening.linking.rules import LinkRules
from screening.linking.service import Context
from screening.linking.signals import Observation, signals_of
from screening.monitoring import customers, webhooks
from screening.monitoring.customers import CustomerData
from screening.monitoring.models import Account, Alert, AlertEvent, CustomerResult, WebhookEvent
from tests.screening.linking.conftest import NewAccount


def record(
    sessions: sessionmaker[Session], ctx: Context, account_id: str, **values: str
) -> service.Recorded:
    with sessions.begin() as db:
        account = service.find_account(db, account_id)
        observation = Observation(**values)  # type: ignore[arg-type]
        return service.record(db, account, observation, ctx, actor="test")


def send(sessions: sessionmaker[Session], ctx: Context, account_id: str, **values: str) -> int:
    return record(sessions, ctx, account_id, **values).added


def shared_customer(sessions: sessionmaker[Session], *account_ids: str) -> None:
    """One customer (allowed) owning every one of these accounts."""
    with sessions.begin() as db:
        customer, _ = customers.upsert(db, "cust-shared", CustomerData(name="Shared Org"))
        customers.attach_accounts(db, customer, [(a, None) for a in account_ids])
        now = utcnow()
        db.add(CustomerResult(customer_id=customer.id, decision="clear", screened_at=now,
                              policy_version="test", version_ids={}, screening_id="s" * 32,
                              data_hash=customer.data_hash, access="allow",
                              access_reason="clear", access_since=now))  # fmt: skip


def alerts_of_members(sessions: sessionmaker[Session]) -> tuple[dict[str, int | None], list[int]]:
    """Each member's alert id, and the ids of the link alerts."""
    with sessions() as db:
        rows = db.execute(
            select(Account.account_id, ClusterMember.alert_id).join(
                ClusterMember, ClusterMember.account_pk == Account.id
            )
        )
        on_members = {a: alert for a, alert in rows}
        ids = db.scalars(select(Alert.id).where(Alert.party_key.like("rule:linked%"))).all()
        return on_members, sorted(ids)


def test_two_accounts_of_one_customer_reached_together_share_one_alert(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    shared_customer(sessions, "X1", "X2", "X3")
    new_account("ROOT", access="deny", because="DeepSeek")
    send(sessions, ctx, "X1", payment_fingerprint="card-1")
    send(sessions, ctx, "X2", payment_fingerprint="card-1")
    send(sessions, ctx, "ROOT", payment_fingerprint="card-1")  # a root: both join at once
    on_members, ids = alerts_of_members(sessions)
    assert len(ids) == 1
    assert on_members == {"X1": ids[0], "X2": ids[0]}
    # A third account of the customer joining later finds the alert open already.
    assert send(sessions, ctx, "X3", payment_fingerprint="card-1") == 1
    on_members, ids = alerts_of_members(sessions)
    assert on_members == {"X1": ids[0], "X2": ids[0], "X3": ids[0]}
    with sessions() as db:
        alert = db.get(Alert, ids[0])
        assert alert is not None
        assert alert.party_key.startswith("rule:linked_accounts:cluster-")
        assert (alert.status, alert.source_key, alert.entity_name) == ("open", "ROOT", "DeepSeek")
        events = db.scalars(select(AlertEvent.kind).where(AlertEvent.alert_id == ids[0])).all()
        assert events == ["opened"]


def test_a_new_members_alert_opens_with_its_event_and_its_webhook(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    new_account("ROOT", access="deny", because="DeepSeek")
    new_account("B")
    new_account("C")
    send(sessions, ctx, "ROOT", payment_fingerprint="card-1")
    send(sessions, ctx, "B", payment_fingerprint="card-1")  # no webhook yet
    with sessions.begin() as db:
        webhooks.register(db, "https://hooks.example.com/x", "s" * 32, actor="admin")
    send(sessions, ctx, "C", payment_fingerprint="card-1")
    on_members, ids = alerts_of_members(sessions)
    assert len(ids) == 2
    assert set(on_members.values()) == set(ids)
    with sessions() as db:
        cluster = db.scalar(select(ClusterMember.cluster_id))
        assert cluster is not None
        for alert_id in ids:
            alert = db.get(Alert, alert_id)
            assert alert is not None
            assert alert.party_key == party_key(cluster)
            event = db.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert_id)).one()
            assert (event.kind, event.to_status, event.actor) == ("opened", "open", "test")
            assert event.reason == "new match: 'DeepSeek' [linked_accounts ROOT] at review"
            assert event.details == {"fingerprint": None, "score": alert.score}
        sent = db.scalars(select(WebhookEvent).where(WebhookEvent.kind == webhooks.ALERT_OPENED))
        assert [e.payload["alert_id"] for e in sent] == [on_members["C"]]


def test_a_value_another_writer_inserts_meanwhile_is_recorded(
    sessions: sessionmaker[Session],
    ctx: Context,
    new_account: NewAccount,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with sessions() as db:
        if db.get_bind().dialect.name != "postgresql":
            pytest.skip("the race needs PostgreSQL's concurrent writers")
    new_account("X")
    card = signals_of(Observation(payment_fingerprint="card-9"), ctx.keyer, ctx.networks)[0]
    second_statement: list[list[int]] = []
    rows = pgstore.rows

    def spy(session: Session, account_pk: int, ids: list[int], *args: object, **kw: int) -> object:
        second_statement.append(list(ids))
        return rows(session, account_pk, ids, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pgstore, "rows", spy)
    other = sessions()
    other.execute(insert(SignalValue).values(kind=card.kind, digest=card.digest, display=None,
                                             counts=True, accounts=0))  # fmt: skip
    done: list[int] = []

    def observe() -> None:
        done.append(record(sessions, ctx, "X", payment_fingerprint="card-9", device_id="d").new)

    writer = threading.Thread(target=observe)
    writer.start()
    time.sleep(0.5)  # the observation waits on the uncommitted value
    other.commit()
    other.close()
    writer.join(timeout=10)
    assert done == [2]
    assert len(second_statement) == 1
    with sessions() as db:
        value = db.scalars(select(SignalValue).where(SignalValue.digest == card.digest)).one()
        assert value.accounts == 1
        carried = db.scalars(select(AccountSignal.signal_id)).all()
        assert value.id in carried
        assert len(carried) == 2
        assert second_statement == [[value.id]]


def _as_read(seen: pgstore.Seen) -> tuple[object, ...]:
    """A look's answer, its lists in a fixed order (JSON aggregates come in any)."""
    return (seen.access, seen.hooks, sorted(map(tuple, seen.rows)),
            sorted(map(repr, seen.roots)), sorted(map(repr, seen.members)),
            sorted(map(tuple, seen.accounts)))  # fmt: skip


def test_the_look_read_with_the_write_is_the_look_read_after_it(
    sessions: sessionmaker[Session], new_account: NewAccount
) -> None:
    with sessions() as db:
        if db.get_bind().dialect.name != "postgresql":
            pytest.skip("one statement for both on PostgreSQL only")
    rules = LinkRules(max_degree=3, personal_max_degree=3, max_hops=3)
    ctx = Context(Keyer(b"k" * 32), load_file(), rules)
    new_account("ROOT", access="deny", because="DeepSeek")
    for name in ("A", "B", "C", "D"):
        new_account(name)
    send(sessions, ctx, "ROOT", payment_fingerprint="card-1", device_id="dev-1")
    send(sessions, ctx, "A", payment_fingerprint="card-1")  # a member
    send(sessions, ctx, "B", device_id="dev-1", phone="+12025550100")
    send(sessions, ctx, "C", phone="+12025550100")
    # D: a value at two accounts (its row makes three: the cut-off, still linking), one it
    # shares with a member, one of its own, and (second round) one it has already.
    rounds = [
        {"device_id": "dev-1", "payment_fingerprint": "card-1", "email": "d@example.org"},
        {"device_id": "dev-1", "phone": "+12025550100"},
        {"device_id": "dev-1"},
    ]
    for values in rounds:
        with sessions.begin() as db:
            account = service.find_account(db, "D")
            found = signals_of(Observation(**values), ctx.keyer, ctx.networks)  # type: ignore[arg-type]
            seen, read = store.observe_look(db, account.id, account.customer_id, found,
                                            utcnow(), degrees=rules.degrees)  # fmt: skip
            assert read is not None
            after = pgstore.look(db, account.id, account.customer_id, grow=seen.new > 0,
                                 degrees=rules.degrees)  # fmt: skip
            assert _as_read(read) == _as_read(after)
            assert (read.rows != []) == (seen.new > 0 and values != rounds[-1])
            db.rollback()
        send(sessions, ctx, "D", **values)


def test_the_generic_plan_is_forced_for_one_statement_and_errors_read_as_sqlalchemys(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as db:
        if db.get_bind().dialect.name != "postgresql":
            pytest.skip("plan_cache_mode and pipelines are PostgreSQL's")
    with sessions.begin() as db:
        during = pgstore._with_generic_plan(
            db, text("SELECT current_setting('plan_cache_mode'), CAST(:n AS integer) + 1"), {"n": 1}
        )
        assert tuple(during) == ("force_generic_plan", 2)
        # The rest of the transaction plans as the connection says.
        assert db.execute(text("SHOW plan_cache_mode")).scalar_one() == "auto"
    with sessions() as db:
        with pytest.raises(DBAPIError, match="division by zero"):
            pgstore._with_generic_plan(db, text("SELECT 1 / CAST(:n AS integer)"), {"n": 0})
        db.rollback()
        assert db.execute(text("SELECT 1")).scalar_one() == 1


def test_members_and_alerts_in_one_round_trip_when_a_member_existed_already(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    with sessions() as db:
        if db.get_bind().dialect.name != "postgresql":
            pytest.skip("the pipelined write is PostgreSQL's")
    new_account("ROOT", access="deny", because="DeepSeek")
    for name in ("B", "C", "D", "E"):
        new_account(name)
    send(sessions, ctx, "ROOT", payment_fingerprint="card-1")
    send(sessions, ctx, "B", payment_fingerprint="card-1")
    with sessions.begin() as db:
        template = db.scalars(select(ClusterMember)).one()
        pks = {a.account_id: (a.id, a.customer_id) for a in db.scalars(select(Account))}
        ids = {pk: name for name, (pk, _) in pks.items()}
        owners = dict(pks.values())
        table = ClusterMember.__table__
        now = utcnow()

        def row(name: str, at: datetime = now) -> dict[str, object]:
            return {"account_pk": pks[name][0], "cluster_id": template.cluster_id,
                    "state": "review", "hops": 1, "via_account_pk": pks["ROOT"][0],
                    "score": 1.0, "through": False, "path": template.path,
                    "reason": template.reason, "added_at": at}  # fmt: skip

        def grown() -> list[str]:
            found = select(ClusterEvent.reason).where(ClusterEvent.kind == "grown")
            return list(db.scalars(found.order_by(ClusterEvent.id)))

        before = grown()
        # C became a member in another process meanwhile (at another moment).
        db.execute(insert(ClusterMember).values(**{**row("C"), "added_at": template.added_at}))
        written = raising.members_with_alerts(
            db, table, [row("C"), row("D")], owners, ids, actor="test", now=now
        )
        assert written is not None
        assert [r["account_pk"] for r in written] == [pks["D"][0]]
        members = {m.account_pk: m.alert_id for m in db.scalars(select(ClusterMember))}
        assert members[pks["C"][0]] is None  # another process's member: not ours to alert
        assert members[pks["D"][0]] is not None  # raised after, the way it was before
        assert grown() == [*before, "1 linked accounts sent to review"]
        assert db.scalar(select(func.count()).select_from(Alert)) == 2  # B's and D's
        # Every member new: one round trip writes them all.
        later = utcnow()
        written = raising.members_with_alerts(
            db, table, [row("E", later)], owners, ids, actor="test", now=later
        )
        assert written is not None
        assert len(written) == 1
        member = db.get(ClusterMember, pks["E"][0])
        assert member is not None
        assert member.alert_id is not None
        assert grown()[-1] == "1 linked accounts sent to review"
        assert len(grown()) == len(before) + 2
