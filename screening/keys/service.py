"""Creating, listing, revoking and checking API keys stored in the database.

A key reads `rps_<prefix>_<secret>`. The prefix (public, unique) finds the row; the whole key's
SHA-256 is compared in constant time. Keys are 256-bit random strings, so a fast hash is the
right one: a password hash such as Argon2 protects low-entropy secrets against guessing, which
these are not, and would add milliseconds to every signup call.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.db import utcnow
from screening.errors import InvalidQueryError, NotFoundError
from screening.keys.models import ApiKeyRecord
from screening.keys.roles import Role

_KEY = re.compile(r"^rps_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$")


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredKey:
    id: str
    name: str
    role: Role
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


def _stored(row: ApiKeyRecord) -> StoredKey:
    return StoredKey(row.id, row.name, Role(row.role), row.prefix, row.created_at, row.revoked_at)


def create_key(session: Session, *, role: str, name: str) -> tuple[StoredKey, str]:
    """A new key; returns it with its secret, which is never stored or shown again."""
    try:
        parsed = Role(role)
    except ValueError:
        raise InvalidQueryError(f"unknown role {role!r}; roles: signup, analyst, admin") from None
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidQueryError("a key needs a name of 1 to 200 characters")
    prefix = secrets.token_hex(6)
    key = f"rps_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKeyRecord(
        id=uuid.uuid4().hex,
        name=name,
        role=parsed.value,
        prefix=prefix,
        digest=digest(key),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return _stored(row), key


def list_keys(session: Session) -> list[StoredKey]:
    rows = session.scalars(select(ApiKeyRecord).order_by(ApiKeyRecord.created_at))
    return [_stored(r) for r in rows]


def revoke_key(session: Session, key_id_or_prefix: str) -> StoredKey:
    row = session.get(ApiKeyRecord, key_id_or_prefix) or session.scalar(
        select(ApiKeyRecord).where(ApiKeyRecord.prefix == key_id_or_prefix)
    )
    if row is None:
        raise NotFoundError(f"no API key {key_id_or_prefix!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return _stored(row)


def check_key(session: Session, presented: str) -> StoredKey | None:
    """The live key `presented` is, or None (unknown, malformed or revoked)."""
    found = _KEY.match(presented)
    if found is None:
        return None
    row = session.scalar(select(ApiKeyRecord).where(ApiKeyRecord.prefix == found.group(1)))
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.digest, digest(presented)):
        return None
    return _stored(row)
