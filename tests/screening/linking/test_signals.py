"""Personal values leave only keyed hashes; public ones are shown; curated clouds are found."""

from __future__ import annotations

import pytest

from screening.linking import kinds as k
from screening.linking.hashing import Keyer
from screening.linking.networks import NetworkTable
from screening.linking.service import Context
from screening.linking.signals import Observation, signals_of

FULL = Observation(
    email="J.Doe+ai@gmail.com",
    payment_fingerprint="card_fp_123",
    device_id="DEVICE-ABC",
    phone="+44 20 7946 0018",
    ip="47.89.10.20",
    asn="AS45102",
    organisation="Acme Ltd",
    billing_address="12 Main St, Springfield, US",
)


def test_every_signal_of_an_observation(ctx: Context) -> None:
    found = {s.kind: s for s in signals_of(FULL, ctx.keyer, ctx.networks)}
    assert set(found) == set(k.ALL)
    assert found[k.EMAIL_DOMAIN].display == "gmail.com"
    assert found[k.EMAIL_DOMAIN].counts is False  # a mailbox provider links nobody
    assert found[k.ASN].display == "AS45102"
    assert found[k.CLOUD].display == "Alibaba Cloud (Alibaba Group)"
    assert found[k.ORGANISATION].display == "acme"


def test_personal_values_are_stored_only_as_keyed_hashes(ctx: Context) -> None:
    found = signals_of(FULL, ctx.keyer, ctx.networks)
    personal = [s for s in found if s.kind not in k.PUBLIC]
    assert personal
    assert all(s.display is None for s in personal)
    text = repr(found)
    for secret in ("jdoe", "card_fp_123", "device-abc", "7946", "47.89.10", "main st"):
        assert secret not in text.lower()
    other = signals_of(FULL, Keyer(b"x" * 32), NetworkTable())
    assert {s.digest for s in found}.isdisjoint({s.digest for s in other})
    assert "k" * 32 not in repr(ctx.keyer)


def test_the_same_mailbox_typed_twice_is_one_value(ctx: Context) -> None:
    one = signals_of(Observation(email="j.doe+x@gmail.com"), ctx.keyer, ctx.networks)
    two = signals_of(Observation(email="JDOE@googlemail.com"), ctx.keyer, ctx.networks)
    normalised = {s.digest for s in one if s.kind == k.EMAIL_NORMALISED}
    assert normalised == {s.digest for s in two if s.kind == k.EMAIL_NORMALISED}


def test_an_address_outside_every_curated_cloud_gives_no_cloud(ctx: Context) -> None:
    found = signals_of(Observation(ip="8.8.8.8", asn=15169), ctx.keyer, ctx.networks)
    assert k.CLOUD not in {s.kind for s in found}
    tencent = signals_of(Observation(asn=132203), ctx.keyer, ctx.networks)
    assert [s.display for s in tencent if s.kind == k.CLOUD] == ["Tencent Cloud (Tencent Holdings)"]


@pytest.mark.parametrize(
    ("device", "counts"),
    [
        ("00000000-0000-0000-0000-000000000000", False),
        ("unknown", False),
        ("N/A", False),
        ("9774d56d682e549c", False),  # the ANDROID_ID a batch of Android 2.2 devices share
        ("emu_4f2a91c0", True),
    ],
)
def test_a_placeholder_device_or_card_links_nobody(ctx: Context, device: str, counts: bool) -> None:
    found = {
        s.kind: s
        for s in signals_of(
            Observation(device_id=device, payment_fingerprint=device), ctx.keyer, ctx.networks
        )
    }
    assert found[k.DEVICE].counts is counts
    assert found[k.PAYMENT].counts is counts
