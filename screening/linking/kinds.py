"""The kinds of signal, how paths name them, and which are personal (stored only hashed)."""

from __future__ import annotations

from typing import Final

EMAIL: Final = "email"
EMAIL_NORMALISED: Final = "email_normalised"
EMAIL_DOMAIN: Final = "email_domain"
PAYMENT: Final = "payment_fingerprint"
PHONE: Final = "phone"
DEVICE: Final = "device_id"
IP_PREFIX: Final = "ip_prefix"
ASN: Final = "asn"
CLOUD: Final = "cloud"
ORGANISATION: Final = "organisation"
BILLING_ADDRESS: Final = "billing_address"
BILLING_CITY: Final = "billing_city"

ALL: Final = (
    EMAIL,
    EMAIL_NORMALISED,
    EMAIL_DOMAIN,
    PAYMENT,
    PHONE,
    DEVICE,
    IP_PREFIX,
    ASN,
    CLOUD,
    ORGANISATION,
    BILLING_ADDRESS,
    BILLING_CITY,
)

# Shown in clear (they name organisations and networks, not people); every other kind is stored
# as a keyed hash only and never shown.
PUBLIC: Final = frozenset({EMAIL_DOMAIN, ASN, CLOUD, ORGANISATION})

# Kinds that say the same thing count once: an address and its normalised form are one mailbox.
GROUP: Final = {EMAIL_NORMALISED: EMAIL}

LABEL: Final = {
    EMAIL: "e-mail address",
    EMAIL_DOMAIN: "e-mail domain",
    PAYMENT: "payment fingerprint",
    PHONE: "phone number",
    DEVICE: "device id",
    IP_PREFIX: "IP prefix",
    ASN: "ASN",
    CLOUD: "cloud",
    ORGANISATION: "declared organisation",
    BILLING_ADDRESS: "billing address",
    BILLING_CITY: "billing city",
}


def group_of(kind: str) -> str:
    return GROUP.get(kind, kind)
