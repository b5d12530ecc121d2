"""Which reached accounts the walk goes on through: those the cluster reaches by two values
(counting a peer's only when it was reached by another value), or by a crowd link; and a
billing address that links alone, whatever its city's degree."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from screening.linking import kinds as k
from screening.linking.graph import links_from, walk
from screening.linking.rules import LinkRules
from screening.linking.service import Context
from tests.screening.linking.conftest import NewAccount
from tests.screening.linking.test_clusters import access, members, send
from tests.screening.linking.test_graph import Memory

RULES = LinkRules()


def test_a_stolen_cards_owner_and_teammate_do_not_open_their_company() -> None:
    """Shell accounts use an employee's team card; the employee and a teammate share the card
    with the cluster, and their domain, office and network with each other and with colleagues.
    Both go to review; the colleagues do not (the two are one piece of evidence: the card)."""
    card, ring = (k.PAYMENT, "stolen"), (k.DEVICE, "farm")
    office = {(k.EMAIL_DOMAIN, "corp.example"), (k.BILLING_ADDRESS, "1 office"),
              (k.IP_PREFIX, "nat"), (k.ORGANISATION, "corp")}  # fmt: skip
    graph = Memory(
        {
            1: {card, ring},  # the denied account
            2: {card, ring},  # shell accounts
            3: {card, ring},
            10: {card} | office,  # the employee
            11: {card} | office,  # a teammate on the same card
            12: set(office),  # colleagues
            13: set(office),
        }
    )
    walked = walk(graph, {1: 0}, RULES)
    assert set(walked.reached) == {2, 3, 10, 11}
    assert walked.through == {2, 3}


def test_peers_reached_by_other_values_vouch_for_each_other() -> None:
    """A rotating campaign: A (2) reached by the root's card, B (3) by its device; A and B
    share a device of their own, so each is reached by two values and walked through."""
    card, device, shared, onward = (
        (k.PAYMENT, "c1"),
        (k.DEVICE, "d0"),
        (k.DEVICE, "d5"),
        (k.PHONE, "p"),
    )
    graph = Memory({1: {card, device}, 2: {card, shared, onward}, 3: {device, shared}, 4: {onward}})
    walked = walk(graph, {1: 0}, RULES)
    assert set(walked.reached) == {2, 3, 4}
    assert {2, 3} <= walked.through
    assert walked.reached[4].via == 2


def test_an_account_reached_by_one_value_is_walked_through_in_part() -> None:
    """Reached by the card alone, account 2 is not `through`: the walk follows its one shared
    phone (a campaign's next account), not its household (an address and a home network)."""
    card, phone = (k.PAYMENT, "c1"), (k.PHONE, "p")
    home = {(k.BILLING_ADDRESS, "1 home"), (k.IP_PREFIX, "home")}
    graph = Memory({1: {card}, 2: {card, phone, *home}, 4: {phone}, 5: set(home)})
    walked = walk(graph, {1: 0}, RULES)
    assert set(walked.reached) == {2, 4}
    assert 2 not in walked.through
    everything = walk(graph, {1: 0}, LinkRules(through_values=1))
    assert set(everything.reached) == {2, 4, 5}


def test_an_account_reached_by_a_crowd_link_is_walked_through() -> None:
    """Weak links from five accounts of the cluster vouch by their number: the account a
    crowd link reaches is walked through, though it shares one value (a proxy range)."""
    proxy, card = (k.IP_PREFIX, "203.0.113.0/24"), (k.PAYMENT, "own")
    carried = {n: {proxy, (k.DEVICE, f"d{n}")} for n in range(1, 6)}
    carried[6] = {proxy, card}
    carried[7] = {card}
    walked = walk(Memory(carried), dict.fromkeys(range(1, 6), 0), RULES)
    assert walked.reached[6].link.crowd == 5
    assert 6 in walked.through
    assert walked.reached[7].via == 6


def test_a_billing_address_links_alone_and_its_city_does_not_count_again() -> None:
    address, city = k.BILLING_ADDRESS, k.BILLING_CITY
    rows = [(1, 2, address, 1), (1, 3, address, 2), (1, 3, city, 3), (1, 4, city, 3)]
    found = links_from(rows, RULES)[1]
    # A drop address in a city over the degree cut-off (no city row) links as one in a village.
    assert set(found) == {2, 3}
    assert found[2].score == found[3].score == 1.0
    assert RULES.score({address, city, k.IP_PREFIX}) == 1.4


def test_signups_after_a_stolen_card_link_as_the_walk_does(
    sessions: sessionmaker[Session], ctx: Context, new_account: NewAccount
) -> None:
    """The owner of a stolen card is in review, reached by the card alone. Who signs up later
    sharing the owner's address and home network (a household) stays allowed; who shares one
    phone with the owner (a campaign's next account) joins, as the walk would have it."""
    for name in ("OWNER", "SHELL", "SPOUSE", "NEXT"):
        new_account(name)
    new_account("ROOT", access="deny")
    home = {"billing_address": "1 Dock Road, Leith, GB", "ip": "81.2.69.5"}
    send(sessions, ctx, "OWNER", payment_fingerprint="stolen", phone="+442079460000", **home)
    send(sessions, ctx, "ROOT", payment_fingerprint="stolen", device_id="farm-1")
    send(sessions, ctx, "SHELL", payment_fingerprint="stolen", device_id="farm-1")
    assert members(sessions) == {"OWNER": "review", "SHELL": "review"}
    send(sessions, ctx, "SPOUSE", device_id="tablet", **home)
    send(sessions, ctx, "NEXT", phone="+442079460000")
    assert access(sessions, "SPOUSE")["access"] == "allow"
    assert members(sessions) == {"OWNER": "review", "SHELL": "review", "NEXT": "review"}
