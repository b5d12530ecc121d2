"""A listed party as every active list that names it describes it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from screening.errors import NotFoundError
from screening.listings import store
from screening.matching.live import version_label


def entity(session: Session, source: str, key: str) -> dict[str, Any]:
    active = store.active_version_ids(session)
    version_id = active.get(source)
    if version_id is None:
        raise NotFoundError(f"source {source!r} has no active version")
    found = store.entry_rows(session, [version_id], source_key=key)
    if not found:
        raise NotFoundError(f"{source} has no party {key!r} in its active version")
    party_key = found[0].party_key
    rows = store.entry_rows(session, list(active.values()), party_key=party_key)
    versions = {v: store.get_version(session, v) for v in {r.version_id for r in rows}}
    return {
        "party_key": party_key,
        "name": found[0].name,
        "kind": found[0].kind,
        "entries": [
            {
                "source": versions[r.version_id].source,
                "source_key": r.source_key,
                "version": version_label(versions[r.version_id]),
                "record": r.data,
            }
            for r in rows
        ],
    }
