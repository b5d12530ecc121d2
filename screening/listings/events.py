"""Events the listings package publishes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ListActivated:
    """A new version of a source became active (in this process or, seen later, in another)."""

    source: str
    version_id: int
    previous_version_id: int | None
    # Source keys added / removed / changed against the previous version, and their counts.
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    # True when this process activated it; False when a watcher saw another process do it.
    local: bool = True
