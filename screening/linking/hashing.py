"""The keyed hash of signal values. The key comes from the settings and is never logged, shown
or stored; without it a stored digest cannot be tested against guessed e-mail addresses."""

from __future__ import annotations

import hashlib
import hmac

MIN_KEY_LENGTH = 32


class Keyer:
    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_LENGTH:
            raise ValueError(f"the signal key must be at least {MIN_KEY_LENGTH} bytes long")
        self._key = key

    def digest(self, kind: str, value: str) -> str:
        # The kind is hashed in, so one value under two kinds never collides.
        message = f"{kind}\x00{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "Keyer(<key hidden>)"
