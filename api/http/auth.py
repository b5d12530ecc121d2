"""API keys, roles and permissions.

Keys are configured as `role:secret` pairs. Roles are separate capabilities, not a ladder that a
signup key could climb: the signup path may only screen single names, analysts also read list state
and screen in bulk, admins also refresh lists. Secrets are kept as SHA-256 digests and compared in
constant time against every configured key, so the time taken does not reveal which key (or how
much of one) matched.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import SecretStr

from screening.errors import NotAuthenticatedError, NotPermittedError
from screening.keys.roles import GRANTS, Permission, Role

__all__ = ["GRANTS", "Credential", "KeyRing", "Permission", "Role", "authorize", "presented_key"]

MIN_KEY_LENGTH = 16
MAX_KEY_LENGTH = 512


@dataclass(frozen=True, slots=True)
class Credential:
    """Who called: the role, and a name for the key that never reveals the key."""

    role: Role
    key_id: str


@dataclass(frozen=True, slots=True)
class _Key:
    credential: Credential
    digest: bytes


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


# A key found in the database is trusted for this long before it is looked up again: a revoked
# key stops working within this time, and a busy signup path costs one lookup per key per period.
DB_KEY_TTL_S = 5.0

Lookup = Callable[[str], "Credential | None"]


class KeyRing:
    """The keys a process accepts: from the settings (bootstrap) and from the database."""

    def __init__(
        self, keys: list[_Key], *, lookup: Lookup | None = None, ttl_s: float = DB_KEY_TTL_S
    ) -> None:
        self._keys = keys
        self._lookup = lookup
        self._ttl_s = ttl_s
        self._cache: dict[bytes, tuple[Credential, float]] = {}
        self._lock = threading.Lock()

    def with_lookup(self, lookup: Lookup, *, ttl_s: float = DB_KEY_TTL_S) -> KeyRing:
        return KeyRing(self._keys, lookup=lookup, ttl_s=ttl_s)

    @classmethod
    def from_settings(cls, values: list[SecretStr]) -> KeyRing:
        keys: list[_Key] = []
        for number, value in enumerate(values, 1):
            role, sep, secret = value.get_secret_value().partition(":")
            if not sep or not secret:
                raise ValueError("each API key must be written role:secret")
            try:
                parsed = Role(role.strip().lower())
            except ValueError:
                raise ValueError(f"unknown role {role!r}; roles: signup, analyst, admin") from None
            if len(secret) < MIN_KEY_LENGTH:
                raise ValueError(
                    f"the {parsed} key is too short: use at least {MIN_KEY_LENGTH} characters"
                )
            keys.append(_Key(Credential(parsed, f"env-{number}"), _digest(secret)))
        return cls(keys)

    def authenticate(self, presented: str | None) -> Credential:
        if not presented:
            raise NotAuthenticatedError(
                "an API key is required (header X-API-Key, or Authorization: Bearer)"
            )
        if len(presented) > MAX_KEY_LENGTH:
            raise NotAuthenticatedError("the API key is not valid")
        # Digests have one length, so compare_digest's time depends on nothing secret.
        candidate = _digest(presented)
        found: Credential | None = None
        for key in self._keys:
            # No early exit: every key is compared whether or not one already matched.
            if hmac.compare_digest(key.digest, candidate):
                found = key.credential
        if found is None and self._lookup is not None:
            found = self._stored(presented, candidate)
        if found is None:
            raise NotAuthenticatedError("the API key is not valid")
        return found

    def _stored(self, presented: str, candidate: bytes) -> Credential | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(candidate)
        if cached is not None and now - cached[1] < self._ttl_s:
            return cached[0]
        assert self._lookup is not None
        found = self._lookup(presented)
        with self._lock:
            if found is None:
                self._cache.pop(candidate, None)
            else:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[candidate] = (found, now)
        return found


def presented_key(x_api_key: bytes | None, authorization: bytes | None) -> str | None:
    """The key from `X-API-Key`, or from `Authorization: Bearer KEY`."""
    if x_api_key:
        return x_api_key.decode("latin-1").strip()
    if authorization:
        scheme, _, value = authorization.decode("latin-1").strip().partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


def authorize(credential: Credential, permission: Permission) -> None:
    if permission not in GRANTS[credential.role]:
        raise NotPermittedError(
            f"the {credential.role} role may not {permission.value.replace('_', ' ')}"
        )
