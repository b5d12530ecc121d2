"""Party-level difference between two versions of one list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class VersionDiff:
    added: list[str]
    removed: list[str]
    changed: list[str]

    @classmethod
    def between(cls, old: Mapping[str, str], new: Mapping[str, str]) -> VersionDiff:
        """Compare {source_key: fingerprint} maps of the previous and the new version."""
        added = sorted(k for k in new if k not in old)
        removed = sorted(k for k in old if k not in new)
        changed = sorted(k for k, fp in new.items() if k in old and old[k] != fp)
        return cls(added, removed, changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": {
                "added": len(self.added),
                "removed": len(self.removed),
                "changed": len(self.changed),
            },
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
        }
