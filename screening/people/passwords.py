"""Password hashing with Argon2id (argon2-cffi, with its RFC 9106 low-memory profile).

People choose low-entropy secrets, so unlike API keys (see screening.keys.service) they get a
slow, memory-hard hash. An unknown username is verified against a fixed dummy hash, so the time
a sign-in takes does not tell whether the name exists.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from screening.errors import InvalidQueryError

MIN_LENGTH = 12
MAX_LENGTH = 1024


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4: argon2-cffi's default profile


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidQueryError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidQueryError(f"a password is at most {MAX_LENGTH} characters")
    if password.strip() != password:
        raise InvalidQueryError("a password may not start or end with white space")


def hash_password(password: str) -> str:
    check_strength(password)
    return _hasher().hash(password)


@lru_cache(maxsize=1)
def _dummy() -> str:
    return _hasher().hash("not a password of anyone, only spent time")


def verify(stored: str | None, password: str) -> bool:
    """True when `password` is the one hashed in `stored`; None (no such user) costs the same."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher().verify(stored or _dummy(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher().check_needs_rehash(stored)
