"""Raw signal values -> the normalised forms that are compared (and then hashed).

Each function refuses a value it cannot read with an InvalidQueryError naming the field, so a
caller learns what is wrong instead of storing junk that would link unrelated accounts.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import phonenumbers

from screening.errors import InvalidQueryError
from screening.names.countries import country_code
from screening.names.domains import registrable_domain
from screening.names.hosts import hostname_of, shared_kind
from screening.names.normalize import fold, normalize_name

MAX_TEXT = 500
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"\d")
# One spelling per common street word, so "12 Main Street" and "12 main st." are one address.
_STREET_WORDS = {
    "street": "st",
    "road": "rd",
    "avenue": "ave",
    "av": "ave",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "place": "pl",
    "square": "sq",
    "suite": "ste",
    "floor": "fl",
    "building": "bldg",
    "apartment": "apt",
    "number": "no",
}
_ADDRESS_FIELDS = ("line1", "line2", "city", "region", "postal_code", "country")


@dataclass(frozen=True, slots=True)
class Provider:
    canonical: str
    dots: bool
    plus: bool


@lru_cache(maxsize=1)
def mail_providers() -> dict[str, Provider]:
    text = resources.files("screening.linking").joinpath("data/mail_providers.tsv")
    table: dict[str, Provider] = {}
    for number, line in enumerate(text.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 5 or cells[2] not in ("yes", "no") or cells[3] not in ("yes", "no"):
            raise ValueError(f"mail_providers.tsv line {number}: bad row {line!r}")
        table[cells[0]] = Provider(cells[1], cells[2] == "yes", cells[3] == "yes")
    return table


def _text(value: str, field: str, *, limit: int = MAX_TEXT) -> str:
    kept = " ".join(value.split())
    if not kept:
        raise InvalidQueryError(f"{field} is empty")
    if len(kept) > limit:
        raise InvalidQueryError(f"{field} is longer than {limit} characters")
    if "\x00" in kept:
        raise InvalidQueryError(f"{field} holds a NUL character")
    return kept


@dataclass(frozen=True, slots=True)
class Email:
    address: str
    normalised: str
    # The registrable domain, and whether it identifies an organisation (not a mailbox provider).
    domain: str | None
    corporate: bool


def email(value: str) -> Email:
    text = _text(value, "email", limit=320).lower()
    local, at, host_part = text.rpartition("@")
    host = hostname_of(host_part) if at else None
    if not local or host is None or " " in local or len(local) > 64:
        raise InvalidQueryError(f"email {value[:80]!r} is not an e-mail address")
    address = f"{local}@{host}"
    provider = mail_providers().get(host)
    normalised = address
    if provider is not None:
        if provider.plus:
            local = local.split("+", 1)[0] or local
        if provider.dots:
            local = local.replace(".", "") or local
        normalised = f"{local}@{provider.canonical}"
    domain = registrable_domain(host)
    return Email(address, normalised, domain, domain is not None and shared_kind(host) is None)


def phone(value: str) -> str:
    """E.164; a number needs its country code (`+44 20 7946 0018`, or 0044...)."""
    text = _text(value, "phone", limit=40)
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise InvalidQueryError(
            f"phone {value[:40]!r} is not a phone number with its country code (+CC ...)"
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidQueryError(f"phone {value[:40]!r} is not a valid number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def ip_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        address = ipaddress.ip_address(_text(value, "ip", limit=64))
    except ValueError:
        raise InvalidQueryError(f"ip {value[:64]!r} is not an IPv4 or IPv6 address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not address.is_global:
        # A private or reserved address is the caller's proxy or load balancer, shared by every
        # client behind it: stored, it would link them all.
        raise InvalidQueryError(
            f"ip {address} is not a public address; send the client's address, not a proxy's"
        )
    return address


def ip_prefix(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """The /24 of an IPv4 address, the /48 of an IPv6 one (a home, an office, a proxy range)."""
    length = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{length}", strict=False))


def asn(value: int | str) -> int:
    text = str(value).strip().upper().removeprefix("AS")
    if not text.isdigit() or len(text) > 10:
        raise InvalidQueryError(f"asn {str(value)[:20]!r} is not an AS number")
    number = int(text)
    # Private use and documentation ranges (RFC 6996, RFC 5398): no real network's.
    private = 64496 <= number <= 65551 or 4_200_000_000 <= number <= 4_294_967_294
    if number in (0, 23456, 65535) or number >= 4_294_967_295 or private:
        raise InvalidQueryError(f"asn {number} is reserved or private, not a network's")
    return number


def organisation(value: str) -> str | None:
    """The declared organisation as the matcher reads names: legal forms and case do not count
    ("Acme Ltd" is "ACME LIMITED"); None when nothing distinctive is left."""
    norm = normalize_name(_text(value, "organisation"))
    return " ".join(norm.tokens) or None


def _address_words(text: str) -> str:
    words = _NON_ALNUM.sub(" ", fold(text)).split()
    return " ".join(_STREET_WORDS.get(w, w) for w in words)


@dataclass(frozen=True, slots=True)
class Address:
    full: str
    # "country|city" when the city could be read, else None.
    city: str | None


def billing_address(value: str | Mapping[str, object]) -> Address:
    """A structured address ({line1, line2, city, region, postal_code, country}) or one line of
    text; from text, the city is the part before a trailing country, with postal codes dropped
    ("1 Main St, Springfield 12345, US")."""
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(_ADDRESS_FIELDS))
        if unknown:
            raise InvalidQueryError(
                f"billing_address has unknown fields {', '.join(unknown)}; "
                f"fields: {', '.join(_ADDRESS_FIELDS)}"
            )
        parts = {}
        for key in _ADDRESS_FIELDS:
            raw = value.get(key)
            if raw is None:
                continue
            if not isinstance(raw, str):
                raise InvalidQueryError(f"billing_address {key} must be text")
            parts[key] = _text(raw, f"billing_address {key}", limit=200)
        if not parts:
            raise InvalidQueryError("billing_address is empty")
        nation = country_code(parts.get("country")) or _address_words(parts.get("country", ""))
        if "country" in parts:
            parts["country"] = nation
        full = _address_words(" ".join(parts[k] for k in _ADDRESS_FIELDS if k in parts))
        town = _address_words(parts.get("city", ""))
        return Address(full, f"{nation.lower()}|{town}" if town else None)
    text = _text(value, "billing_address")
    pieces = [p for p in (_address_words(p) for p in text.split(",")) if p]
    if not pieces:
        raise InvalidQueryError("billing_address holds no letters or digits")
    country = country_code(pieces[-1]) if len(pieces) >= 2 else None
    # "GB" and "United Kingdom" are one country: the full address carries its code.
    full = " ".join([*pieces[:-1], country.lower()] if country else pieces)
    city: str | None = None
    if len(pieces) >= 2:
        place = pieces[-2] if country else pieces[-1]
        place = " ".join(w for w in place.split() if not _DIGITS.search(w))
        if place and (country or len(pieces) >= 3):
            city = f"{(country or '').lower()}|{place}"
    return Address(full, city)
