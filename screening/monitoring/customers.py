"""The customer registry: create, update and read customers and their accounts.

Functions take a Session and never commit. Whether a customer must be rescreened is answered by
`upsert`'s `changed` flag: the screened fields are hashed, so a re-import of the same row is a
no-op and any real change is seen.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.db import utcnow
from screening.errors import ConflictError, InvalidQueryError, NotFoundError
from screening.monitoring.models import Account, Customer
from screening.policy.subject import Subject

MAX_ACCOUNTS = 1000


@dataclass(frozen=True, slots=True)
class CustomerData:
    """What an organisation declares about one customer (the screened fields)."""

    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    address: str | None = None
    website: str | None = None
    email_domain: str | None = None
    owners: tuple[Mapping[str, Any], ...] = field(default=())

    def subject(self) -> Subject:
        # Subject and Query validate every field: a customer that cannot be screened is refused
        # before it is stored, never stored unscreenable.
        subject = Subject(
            name=self.name,
            aliases=self.aliases,
            kind="organization",
            country=self.country,
            address=self.address,
            email=self.email_domain,
            website=self.website,
            owners=self.owners,
        )
        subject.queries()
        return subject

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["aliases"] = list(self.aliases)
        data["owners"] = [dict(o) for o in self.owners]
        return data

    def digest(self) -> str:
        text = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text(value: str | None) -> str | None:
    """Without control characters (PostgreSQL cannot store NUL; none is ever meaningful)."""
    if value is None:
        return None
    kept = "".join(c for c in value if c in "\t\n" or unicodedata.category(c) != "Cc").strip()
    return kept or None


def _deep(value: Any) -> Any:
    if isinstance(value, str):
        return _text(value) or ""
    if isinstance(value, dict):
        return {_deep(k): _deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_deep(v) for v in value]
    return value


def _clean(account: tuple[str, str | None]) -> tuple[str, str | None]:
    return _text(account[0]) or "", _text(account[1])


def cleaned(data: CustomerData) -> CustomerData:
    return CustomerData(
        name=_text(data.name) or "",
        aliases=tuple(a for a in (_text(a) for a in data.aliases) if a),
        country=_text(data.country),
        address=_text(data.address),
        website=_text(data.website),
        email_domain=_text(data.email_domain),
        owners=tuple(_deep(dict(o)) for o in data.owners),
    )


def data_of(customer: Customer) -> CustomerData:
    return CustomerData(
        name=customer.name,
        aliases=tuple(customer.aliases or ()),
        country=customer.country,
        address=customer.address,
        website=customer.website,
        email_domain=customer.email_domain,
        owners=tuple(customer.owners or ()),
    )


def get_customer(session: Session, external_id: str) -> Customer:
    customer = session.scalar(select(Customer).where(Customer.external_id == external_id))
    if customer is None:
        raise NotFoundError(f"no customer with external_id {external_id!r}")
    return customer


def find_customer(session: Session, external_id: str) -> Customer | None:
    return session.scalar(select(Customer).where(Customer.external_id == external_id))


def create(session: Session, external_id: str, data: CustomerData) -> Customer:
    if find_customer(session, _text(external_id) or "") is not None:
        raise ConflictError(f"customer {external_id!r} exists already; PUT updates it")
    customer, _ = upsert(session, external_id, data)
    return customer


def upsert(session: Session, external_id: str, data: CustomerData) -> tuple[Customer, bool]:
    """Create or update; returns the customer and whether its screened data changed."""
    external_id = _text(external_id) or ""
    if not external_id or len(external_id) > 200:
        raise InvalidQueryError("external_id must be 1 to 200 characters")
    data = cleaned(data)
    if not data.name:
        raise InvalidQueryError("name is required")
    data.subject()
    digest = data.digest()
    customer = find_customer(session, external_id)
    now = utcnow()
    if customer is None:
        customer = Customer(external_id=external_id, created_at=now, data_hash="")
        session.add(customer)
    elif customer.data_hash == digest:
        return customer, False
    customer.name = data.name
    customer.aliases = list(data.aliases)
    customer.country = data.country
    customer.address = data.address
    customer.website = data.website
    customer.email_domain = data.email_domain
    customer.owners = [dict(o) for o in data.owners]
    customer.data_hash = digest
    customer.updated_at = now
    session.flush()
    return customer, True


def attach_accounts(
    session: Session, customer: Customer, accounts: Sequence[tuple[str, str | None]]
) -> list[Account]:
    """Give these (account id, e-mail) to the customer (kept if they are its already); an
    account of another customer is a conflict, never silently moved."""
    if len(accounts) > MAX_ACCOUNTS:
        raise InvalidQueryError(f"at most {MAX_ACCOUNTS} accounts per customer")
    attached: list[Account] = []
    for raw, email in dict(_clean(a) for a in accounts).items():
        if not raw or len(raw) > 200:
            raise InvalidQueryError("an account_id must be 1 to 200 characters")
        account = session.scalar(select(Account).where(Account.account_id == raw))
        if account is None:
            account = Account(
                account_id=raw, customer_id=customer.id, email=email, created_at=utcnow()
            )
            session.add(account)
        elif account.customer_id != customer.id:
            raise ConflictError(f"account {raw!r} belongs to another customer")
        elif email is not None:
            account.email = email
        attached.append(account)
    session.flush()
    return attached


def accounts_of(session: Session, customer_id: int) -> list[Account]:
    query = select(Account).where(Account.customer_id == customer_id).order_by(Account.account_id)
    return list(session.scalars(query))


def customers_page(session: Session, *, after_id: int = 0, limit: int = 100) -> list[Customer]:
    query = select(Customer).where(Customer.id > after_id).order_by(Customer.id).limit(limit)
    return list(session.scalars(query))
