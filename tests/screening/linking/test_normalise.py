"""Signal values are read strictly and normalised so that the same mailbox, phone, network or
address is one value however it was typed."""

from __future__ import annotations

import pytest

from screening.errors import InvalidQueryError
from screening.linking import normalise


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("J.Doe+ai@GMail.com", "jdoe@gmail.com"),
        ("jdoe@googlemail.com", "jdoe@gmail.com"),
        ("j.doe+x@outlook.com", "j.doe@outlook.com"),  # Outlook keeps dots, drops plus-tags
        ("j.doe+x@acme-ai.com", "j.doe+x@acme-ai.com"),  # a company's server: left as written
        ("a.b@me.com", "a.b@icloud.com"),
    ],
)
def test_email_normalised_only_where_the_provider_ignores_it(given: str, normalised: str) -> None:
    assert normalise.email(given).normalised == normalised


def test_email_domain_is_registrable_and_corporate_only_off_mailbox_providers() -> None:
    corporate = normalise.email("ops@eu.mail.acme-ai.co.uk")
    assert (corporate.domain, corporate.corporate) == ("acme-ai.co.uk", True)
    mailbox = normalise.email("someone@gmail.com")
    assert (mailbox.domain, mailbox.corporate) == ("gmail.com", False)
    assert normalise.email("x@qq.com").corporate is False


@pytest.mark.parametrize("bad", ["not-an-email", "@acme.com", "a b@acme.com", "x@-bad-.com"])
def test_bad_emails_are_refused(bad: str) -> None:
    with pytest.raises(InvalidQueryError, match="email"):
        normalise.email(bad)


def test_phone_is_e164_and_needs_a_country_code() -> None:
    assert normalise.phone("+44 20 7946 0018") == "+442079460018"
    assert normalise.phone("0044 (20) 7946-0018") == "+442079460018"
    with pytest.raises(InvalidQueryError, match="country code"):
        normalise.phone("020 7946 0018")
    with pytest.raises(InvalidQueryError, match="not a valid number"):
        normalise.phone("+44 12")


def test_ip_is_reduced_to_its_24_or_48() -> None:
    assert normalise.ip_prefix(normalise.ip_address("8.8.4.4")) == "8.8.4.0/24"
    assert normalise.ip_prefix(normalise.ip_address("::ffff:8.8.4.4")) == "8.8.4.0/24"
    v6 = normalise.ip_prefix(normalise.ip_address("2a00:1450:4001:81c::200e"))
    assert v6 == "2a00:1450:4001::/48"


@pytest.mark.parametrize("bad", ["10.1.2.3", "127.0.0.1", "192.168.0.9", "fe80::1", "::1"])
def test_private_addresses_are_refused(bad: str) -> None:
    with pytest.raises(InvalidQueryError, match="not a public address"):
        normalise.ip_address(bad)


def test_asn_reads_as_number_or_text_and_refuses_private_ones() -> None:
    assert normalise.asn("AS45102") == normalise.asn(45102) == 45102
    for bad in (64512, 65535, 64496, 0, "ASX", 4_200_000_000):
        with pytest.raises(InvalidQueryError):
            normalise.asn(bad)


def test_organisation_ignores_case_and_legal_form() -> None:
    assert normalise.organisation("Acme Ltd") == normalise.organisation("ACME LIMITED")
    assert normalise.organisation("Acme Robotics GmbH") != normalise.organisation("Acme Ltd")


def test_billing_address_and_city_from_text_or_parts() -> None:
    text = normalise.billing_address("12 Main Street, Springfield 12345, United States")
    parts = normalise.billing_address(
        {"line1": "12 main st.", "city": "Springfield", "postal_code": "12345", "country": "US"}
    )
    assert text.city == parts.city == "us|springfield"
    assert (
        normalise.billing_address("12 Main St, Springfield, US").full == "12 main st springfield us"
    )
    with pytest.raises(InvalidQueryError, match="unknown fields"):
        normalise.billing_address({"street": "x"})
