"""API keys and roles.

Keys are configured as `role:secret` pairs. Roles are separate capabilities, not a ladder that a
signup key could climb: the signup path may only screen single names, analysts also read list state
and screen in bulk, admins also refresh lists. Secrets are compared in constant time, against every
configured key, so the time taken does not reveal which key (or how much of one) matched.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum

from pydantic import SecretStr

from screening.errors import NotAuthenticatedError, NotPermittedError


class Role(StrEnum):
    SIGNUP = "signup"
    ANALYST = "analyst"
    ADMIN = "admin"


class Permission(StrEnum):
    SCREEN = "screen"
    SCREEN_BATCH = "screen_batch"
    READ_LISTS = "read_lists"
    REFRESH_LISTS = "refresh_lists"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.SIGNUP: frozenset({Permission.SCREEN}),
    Role.ANALYST: frozenset({Permission.SCREEN, Permission.SCREEN_BATCH, Permission.READ_LISTS}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True, slots=True)
class ApiKey:
    role: Role
    secret: bytes


def parse_keys(values: list[SecretStr]) -> list[ApiKey]:
    keys: list[ApiKey] = []
    for value in values:
        role, sep, secret = value.get_secret_value().partition(":")
        if not sep or not secret:
            raise ValueError("each API key must be written role:secret")
        try:
            parsed = Role(role.strip().lower())
        except ValueError:
            raise ValueError(f"unknown role {role!r}; roles: signup, analyst, admin") from None
        if len(secret) < 16:
            raise ValueError(f"the {parsed} key is too short: use at least 16 characters")
        keys.append(ApiKey(parsed, secret.encode()))
    return keys


def authenticate(keys: list[ApiKey], presented: str | None) -> Role:
    if not presented:
        raise NotAuthenticatedError("an API key is required (header X-API-Key)")
    candidate = presented.encode()
    role: Role | None = None
    for key in keys:
        # No early exit: every key is compared whether or not one already matched.
        if hmac.compare_digest(key.secret, candidate):
            role = key.role
    if role is None:
        raise NotAuthenticatedError("the API key is not valid")
    return role


def authorize(role: Role, permission: Permission) -> None:
    if permission not in GRANTS[role]:
        raise NotPermittedError(f"the {role} role may not {permission.value.replace('_', ' ')}")
