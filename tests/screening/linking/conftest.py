from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from lists.curated.cloud_networks import load_file
from screening.db import utcnow
from screening.linking.hashing import Keyer
from screening.linking.rules import LinkRules
from screening.linking.service import Context
from screening.monitoring import customers
from screening.monitoring.customers import CustomerData
from screening.monitoring.models import Account, CustomerMatch, CustomerResult

KEY = b"k" * 32


@pytest.fixture
def ctx() -> Context:
    return Context(Keyer(KEY), load_file(), LinkRules(max_degree=50, max_hops=3))


NewAccount = Callable[..., int]


def make_account(
    db: Session, account_id: str, *, access: str = "allow", because: str = "DeepSeek"
) -> int:
    """A customer of its own with one account, its access stored as a rescreen would."""
    customer, _ = customers.upsert(db, f"cust-{account_id}", CustomerData(name=f"Org {account_id}"))
    customers.attach_accounts(db, customer, [(account_id, None)])
    now = utcnow()
    db.add(
        CustomerResult(
            customer_id=customer.id,
            decision={"allow": "clear", "deny": "deny", "review": "review"}[access],
            screened_at=now,
            policy_version="test",
            version_ids={},
            screening_id="s" * 32,
            data_hash=customer.data_hash,
            access=access,
            access_reason=f"{access} by policy: {because!r}" if access != "allow" else "clear",
            access_since=now,
        )
    )
    if access == "deny":
        db.add(CustomerMatch(customer_id=customer.id, party_key="p", decision="deny",
                             entity_name=because))  # fmt: skip
    db.flush()
    found = db.query(Account).filter_by(account_id=account_id).one()
    return found.id


@pytest.fixture
def new_account(sessions: sessionmaker[Session]) -> NewAccount:
    def make(account_id: str, **kwargs: str) -> int:
        with sessions.begin() as db:
            return make_account(db, account_id, **kwargs)

    return make
