"""Identifiers (registration, tax, LEI, IMO numbers): one normal form for lists and queries."""

from __future__ import annotations

from typing import Final

# Shorter numbers ("123") collide across registries and prove nothing.
MIN_IDENTIFIER_LENGTH: Final = 5


def normalize_identifier(value: str) -> str:
    """Identifier without spaces or punctuation, upper case: 'ab-12 34' -> 'AB1234'."""
    return "".join(ch for ch in value.upper() if ch.isalnum())
