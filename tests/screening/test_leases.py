"""Leases: short, kept alive by a heartbeat, released on exit, and fenced when lost."""

from __future__ import annotations

import time
from datetime import timedelta

from screening import leases

TTL = timedelta(seconds=0.3)


def test_heartbeat_keeps_a_short_lease_alive(sessions):
    with leases.HeldLease(sessions, "job", "me", TTL) as held:
        assert held.acquired
        time.sleep(1.0)  # three expiries: only the heartbeat keeps it
        with sessions.begin() as session:
            assert not leases.try_acquire(session, "job", "other", TTL)
            assert leases.still_held(session, "job", "me")
        assert not held.lost
    with sessions() as session:
        assert leases.current(session, "job") is None


def test_a_second_holder_is_refused_while_it_is_held(sessions):
    with (
        leases.HeldLease(sessions, "job", "me", TTL),
        leases.HeldLease(sessions, "job", "other", TTL) as second,
    ):
        assert not second.acquired
    # Leaving the refused one released nothing of the first one's; leaving the first freed it.
    with sessions.begin() as session:
        assert leases.try_acquire(session, "job", "third", TTL)


def test_a_lease_taken_over_is_noticed_as_lost(sessions):
    with leases.HeldLease(sessions, "job", "me", timedelta(seconds=3)) as held:
        with sessions.begin() as session:
            # Another process decided we were dead (the lease expired) and took it.
            lease = leases.current(session, "job")
            assert lease is not None
            lease.holder = "thief"
        time.sleep(1.2)
        assert held.lost
        with sessions() as session:
            assert not leases.still_held(session, "job", "me")
    with sessions() as session:
        lease = leases.current(session, "job")
        assert lease is not None
        assert lease.holder == "thief"  # our exit did not release someone else's lease


def test_holder_ids_differ_within_one_process():
    assert leases.holder_id() != leases.holder_id()
