"""One observation of an account (what a signup or login sent) -> its signals.

Every value is normalised (`normalise`) then, unless its kind is public, kept only as a keyed
hash. The same e-mail gives three signals: the address, its normalised form (a different one
only at providers that ignore dots or plus-tags) and its registrable domain, which links only
when it names an organisation (never gmail.com).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from screening.linking import kinds as k
from screening.linking import normalise
from screening.linking.hashing import Keyer
from screening.linking.networks import NetworkTable

# The signals an observation may carry (the fields of `Observation` but its time).
SIGNAL_FIELDS = (
    "email",
    "payment_fingerprint",
    "device_id",
    "phone",
    "ip",
    "asn",
    "organisation",
    "billing_address",
)


@dataclass(frozen=True, slots=True)
class Observation:
    email: str | None = None
    payment_fingerprint: str | None = None
    device_id: str | None = None
    phone: str | None = None
    ip: str | None = None
    asn: int | str | None = None
    organisation: str | None = None
    billing_address: str | Mapping[str, object] | None = None
    observed_at: datetime | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, name) in (None, "") for name in SIGNAL_FIELDS)


@dataclass(frozen=True, slots=True)
class Signal:
    kind: str
    digest: str
    display: str | None
    counts: bool = True
    # The same value's digests under previous keys (a rotation in progress), for `store.rekey`.
    previous: tuple[str, ...] = ()


# Values an SDK or a test harness gives many unrelated devices and cards: with the personal
# degree cut-off (`rules.PERSONAL`) a placeholder would otherwise link thousands of accounts.
# 9774d56d682e549c is the ANDROID_ID that a batch of Android 2.2 devices all report.
_PLACEHOLDERS = frozenset(
    {"unknown", "null", "none", "nil", "undefined", "na", "default", "test", "9774d56d682e549c"}
)


def placeholder(value: str) -> bool:
    """A device id or card fingerprint that identifies nobody: a word for "no value", or one
    character repeated ("00000000-0000-0000-0000-000000000000")."""
    bare = "".join(ch for ch in value.lower() if ch.isalnum())
    return len(set(bare)) <= 1 or bare in _PLACEHOLDERS


def _opaque(value: str, field: str) -> str:
    """A token the caller's provider made (a card fingerprint, a device id): compared exactly,
    less surrounding space."""
    return normalise._text(value, field, limit=200)


def signals_of(obs: Observation, keyer: Keyer, networks: NetworkTable) -> list[Signal]:
    """Every signal of the observation; raises InvalidQueryError naming the first bad field."""
    found: list[Signal] = []

    def add(kind: str, value: str, *, counts: bool = True) -> None:
        display = value if kind in k.PUBLIC else None
        digest, previous = keyer.digest(kind, value), keyer.previous_digests(kind, value)
        found.append(Signal(kind, digest, display, counts, previous))

    if obs.email:
        mail = normalise.email(obs.email)
        add(k.EMAIL, mail.address)
        if mail.normalised != mail.address:
            add(k.EMAIL_NORMALISED, mail.normalised)
        if mail.domain:
            add(k.EMAIL_DOMAIN, mail.domain, counts=mail.corporate)
    if obs.payment_fingerprint:
        card = _opaque(obs.payment_fingerprint, "payment_fingerprint")
        add(k.PAYMENT, card, counts=not placeholder(card))
    if obs.device_id:
        device = _opaque(obs.device_id, "device_id").lower()
        add(k.DEVICE, device, counts=not placeholder(device))
    if obs.phone:
        add(k.PHONE, normalise.phone(obs.phone))
    clouds = set()
    if obs.ip:
        address = normalise.ip_address(obs.ip)
        add(k.IP_PREFIX, normalise.ip_prefix(address))
        owner = networks.by_address(address)
        if owner is not None:
            clouds.add(owner.label)
    if obs.asn not in (None, ""):
        assert obs.asn is not None
        number = normalise.asn(obs.asn)
        add(k.ASN, f"AS{number}")
        owner = networks.by_asn(number)
        if owner is not None:
            clouds.add(owner.label)
    for label in sorted(clouds):
        add(k.CLOUD, label)
    if obs.organisation:
        org = normalise.organisation(obs.organisation)
        if org:
            add(k.ORGANISATION, org)
    if obs.billing_address:
        address_of = normalise.billing_address(obs.billing_address)
        add(k.BILLING_ADDRESS, address_of.full)
        if address_of.city:
            add(k.BILLING_CITY, address_of.city)
    return found
