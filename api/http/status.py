"""Views over list state shared by the CLI and the HTTP API: status rows and version diffs."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from lists import SOURCE_IDS, get_source
from screening.errors import NotFoundError
from screening.listings import store
from screening.matching.live import LiveIndex
from screening.settings import Settings


def titles(session: Session) -> dict[str, str]:
    """Every source in registry order, then the custom lists, with their titles."""
    out = {source: get_source(source).title for source in SOURCE_IDS}
    out.update({row.source: row.title for row in store.custom_lists(session)})
    return out


def source_status(session: Session, *, now: datetime) -> list[dict[str, Any]]:
    """One row per source, in registry order; `records` counts the primary file's entries."""
    states = store.all_source_states(session)
    rows: list[dict[str, Any]] = []
    for source, title in titles(session).items():
        state = states.get(source)
        version = store.active_version(session, source)
        rows.append(
            {
                "source": source,
                "title": title,
                "active_version": version.id if version else None,
                "records": version.record_count if version else None,
                "fetched_at": version.fetched_at.isoformat() if version else None,
                "age_seconds": int((now - version.fetched_at).total_seconds()) if version else None,
                "content_sha256": version.content_sha256 if version else None,
                "last_status": state.last_status if state else None,
                "last_attempt_at": _iso(state.last_attempt_at) if state else None,
                "last_error": state.last_error if state else None,
                "last_error_at": _iso(state.last_error_at) if state else None,
                "consecutive_failures": state.consecutive_failures if state else 0,
            }
        )
    return rows


def status_line(row: dict[str, Any]) -> str:
    if row["active_version"] is None:
        head = f"{row['source']:<18} no active version"
    else:
        head = (
            f"{row['source']:<18} v{row['active_version']:<4} {row['records']:>7} records  "
            f"fetched {row['fetched_at']} ({_age(row['age_seconds'])} ago)"
        )
    if row["last_error"]:
        head += f"\n{'':<18} last error ({row['last_error_at']}): {row['last_error']}"
    return head


def source_diff(session: Session, source: str, *, samples: int = 10) -> dict[str, Any]:
    """The active version's diff against its predecessor, with sample party names."""
    if source not in titles(session):
        get_source(source)  # unknown ids get UnknownSourceError, not "no version"
    version = store.active_version(session, source)
    if version is None:
        raise NotFoundError(f"{source} has no active version yet; run `screening lists refresh`")
    diff = version.diff or {}
    counts = diff.get("counts", {"added": 0, "removed": 0, "changed": 0})
    out: dict[str, Any] = {
        "source": source,
        "version": version.id,
        "previous_version": version.previous_version_id,
        "counts": counts,
    }
    for kind in ("added", "removed", "changed"):
        keys = list(diff.get(kind, []))[:samples]
        # Removed parties exist only in the previous version, so their names come from there.
        from_version = version.previous_version_id if kind == "removed" else version.id
        names = store.entry_names(session, from_version, keys) if from_version and keys else {}
        out[f"{kind}_samples"] = [{"source_key": k, "name": names.get(k)} for k in keys]
    if version.previous_version_id and out["changed_samples"]:
        keys = [s["source_key"] for s in out["changed_samples"]]
        old = store.entry_data(session, version.previous_version_id, keys)
        new = store.entry_data(session, version.id, keys)
        for sample in out["changed_samples"]:
            before, after = old.get(sample["source_key"], {}), new.get(sample["source_key"], {})
            sample["fields"] = sorted(
                f for f in after.keys() | before.keys() if before.get(f) != after.get(f)
            )
    return out


def diff_text(diff: dict[str, Any]) -> str:
    counts = diff["counts"]
    lines = [
        f"{diff['source']}: version {diff['version']} against "
        f"{diff['previous_version'] or 'nothing (first version)'}: "
        f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed"
    ]
    for kind in ("added", "removed", "changed"):
        for sample in diff[f"{kind}_samples"]:
            fields = f"  ({', '.join(sample['fields'])})" if sample.get("fields") else ""
            lines.append(f"  {kind:<8} {sample['source_key']:<12} {sample['name']}{fields}")
    return "\n".join(lines)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _age(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def readiness(
    sessions: sessionmaker[Session], live: LiveIndex, settings: Settings, *, now: datetime
) -> dict[str, Any]:
    """What /v1/readyz answers: ready when the index is loaded, the database answers and no
    active list has gone unchecked for longer than its allowed age."""
    problems: list[str] = []
    sources: dict[str, dict[str, Any]] = {}
    if not live.ready:
        problems.append("no match index is loaded yet")
    if live.last_error:
        problems.append(f"the match index cannot follow the lists: {live.last_error}")
    behind = live.behind_since
    if behind is not None and time.monotonic() - behind > settings.index_max_lag_s:
        problems.append(
            f"the match index has been behind the active lists for "
            f"{time.monotonic() - behind:.0f} s (allowed {settings.index_max_lag_s:.0f} s)"
        )
    max_age = settings.max_list_age_hours * 3600
    try:
        with sessions() as session:
            states = store.all_source_states(session)
            active = store.active_version_ids(session)
    except Exception as exc:  # the probe must answer, whatever the database does
        problems.append(f"database unavailable: {type(exc).__name__}")
        states, active = {}, {}
    for source in [*SOURCE_IDS, *(s for s in active if s not in SOURCE_IDS)]:
        state = states.get(source)
        checked = state.last_success_at if state else None
        age = int((now - checked).total_seconds()) if checked else None
        entry: dict[str, Any] = {
            "active_version": active.get(source),
            "loaded_version": live.loaded_versions.get(source),
            # Seen active in the database and being indexed right now.
            "pending_version": live.pending.get(source),
            "checked_seconds_ago": age,
        }
        if source in active and max_age and (age is None or age > max_age):
            entry["stale"] = True
            problems.append(
                f"{source}: last checked {_age(age) if age is not None else 'never'} ago "
                f"(allowed {_age(int(max_age))})"
            )
        elif source in settings.required_sources and source not in active:
            problems.append(f"{source}: required but has no active version")
        sources[source] = entry
    return {"ready": not problems, "problems": problems, "sources": sources}
