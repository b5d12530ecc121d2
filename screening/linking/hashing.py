"""The keyed hash of signal values. The key comes from the settings and is never logged, shown
or stored; without it a stored digest cannot be tested against guessed e-mail addresses.

Keys are rotated by making the new key current and keeping the old one as a previous key: a
value is looked up under every key, and one found under a previous key is stored under the
current one from then on (`store.rekey`). A value nobody shows again keeps its old digest; it
still links (the walk reads ids, not digests), and the retention period forgets it, after which
the previous key can go.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

MIN_KEY_LENGTH = 32


def _hash(key: bytes, kind: str, value: str) -> str:
    # The kind is hashed in, so one value under two kinds never collides.
    return hmac.new(key, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()


class Keyer:
    def __init__(self, key: bytes, previous: Sequence[bytes] = ()) -> None:
        for one in (key, *previous):
            if len(one) < MIN_KEY_LENGTH:
                raise ValueError(f"a signal key must be at least {MIN_KEY_LENGTH} bytes long")
        if key in previous:
            raise ValueError("the current signal key is also given as a previous one")
        self._key = key
        self._previous = tuple(dict.fromkeys(previous))

    def digest(self, kind: str, value: str) -> str:
        return _hash(self._key, kind, value)

    def previous_digests(self, kind: str, value: str) -> tuple[str, ...]:
        """The value's digests under the previous keys, newest first."""
        return tuple(_hash(key, kind, value) for key in self._previous)

    def __repr__(self) -> str:
        return f"Keyer(<key hidden>, {len(self._previous)} previous)"
