"""Linked accounts, wired from the settings: the signal key, the curated cloud networks, the
link rules, and the sweeper that links from newly denied accounts in the API process."""

from __future__ import annotations

import logging
import os
import secrets
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from lists.curated import cloud_networks
from screening import leases
from screening.linking import service
from screening.linking.audit import cluster_records
from screening.linking.hashing import MIN_KEY_LENGTH, Keyer
from screening.linking.rules import LinkRules
from screening.linking.service import Context
from screening.monitoring import export
from screening.settings import Settings

log = logging.getLogger(__name__)

SWEEP_ACTOR = "system:link-sweep"
EXPIRY_ACTOR = "system:signal-retention"
SWEEP_LEASE = "link-sweep"
# Longer than any sweep of a busy day takes; a killed sweeper frees it within this time.
SWEEP_LEASE_TTL = timedelta(minutes=10)


def signal_key(settings: Settings) -> bytes:
    """SCREENING_SIGNAL_KEY, or a key made once and kept in `signal_key_file` (mode 0600). The
    key is never logged; the log names the file."""
    if settings.signal_key is not None:
        key = settings.signal_key.get_secret_value()
        if len(key) < MIN_KEY_LENGTH:
            raise ValueError(f"SCREENING_SIGNAL_KEY must be at least {MIN_KEY_LENGTH} characters")
        return key.encode()
    path: Path = settings.signal_key_file or settings.data_dir / "signal-key"
    if path.is_file():
        return _kept_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    # Written whole to a file of its own, then linked into place: two processes starting at
    # once never each write a different key, and neither reads the other's half-written file
    # (with O_EXCL on the file itself, the loser read it empty before the winner wrote it).
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(key + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            return _kept_key(path)
    finally:
        draft.unlink(missing_ok=True)
    log.warning("no SCREENING_SIGNAL_KEY set; wrote a signal key to %s (mode 0600)", path)
    return key.encode()


def _kept_key(path: Path) -> bytes:
    existing = path.read_text().strip()
    if len(existing) < MIN_KEY_LENGTH:
        raise ValueError(
            f"the signal key file {path} holds no key of {MIN_KEY_LENGTH} characters or more: "
            "remove it to have one made, or set SCREENING_SIGNAL_KEY"
        )
    return existing.encode()


def previous_signal_keys(settings: Settings) -> list[bytes]:
    """SCREENING_SIGNAL_PREVIOUS_KEYS: the keys a rotation retired, comma-separated."""
    if settings.signal_previous_keys is None:
        return []
    keys = [k.strip() for k in settings.signal_previous_keys.get_secret_value().split(",")]
    keys = [k for k in keys if k]
    for number, key in enumerate(keys, start=1):
        if len(key) < MIN_KEY_LENGTH:
            raise ValueError(
                f"SCREENING_SIGNAL_PREVIOUS_KEYS: key {number} is shorter than "
                f"{MIN_KEY_LENGTH} characters"
            )
    return [k.encode() for k in keys]


def keyer(settings: Settings) -> Keyer:
    key, previous = signal_key(settings), previous_signal_keys(settings)
    if key in previous:
        raise ValueError("SCREENING_SIGNAL_PREVIOUS_KEYS holds the current signal key")
    return Keyer(key, previous)


def audit_records(session: Session, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """The audit export of a period: screens, alert changes and cluster events."""
    return export.records(session, since, until, also=(cluster_records,))


def rules(settings: Settings) -> LinkRules:
    return LinkRules(
        max_degree=settings.link_max_degree,
        # Raising the general cut-off alone raises the personal one with it.
        personal_max_degree=max(settings.link_personal_max_degree, settings.link_max_degree),
        max_hops=settings.link_max_hops,
        max_cluster=settings.link_max_cluster,
        through_values=settings.link_through_values,
    )


def context(settings: Settings) -> Context:
    return Context(keyer(settings), cloud_networks.load_file(), rules(settings))


def sweep(
    sessions: sessionmaker[Session], link_rules: LinkRules, max_age_days: int = 0
) -> service.SweepReport | None:
    """One sweep under the `link-sweep` lease (None: another process is sweeping), so that
    several processes never walk the same accounts at once; then, with `max_age_days`, one
    batch of expired signals forgotten (in its own transaction, under the same lease)."""
    holder = leases.holder_id()
    with sessions.begin() as session:
        if not leases.try_acquire(session, SWEEP_LEASE, holder, SWEEP_LEASE_TTL):
            return None
    try:
        with sessions.begin() as session:
            report = service.sweep(session, link_rules, actor=SWEEP_ACTOR)
        if max_age_days > 0:
            with sessions.begin() as session:
                report.expired = service.expire(
                    session, link_rules, max_age=timedelta(days=max_age_days), actor=EXPIRY_ACTOR
                )
        return report
    finally:
        with sessions.begin() as session:
            leases.release(session, SWEEP_LEASE, holder)


class LinkSweeper:
    """Every `link_sweep_s`, walk from accounts denied since the last sweep (a rescreen, an
    analyst's decision, another process) and release clusters whose roots are cleared."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        link_rules: LinkRules,
        every_s: float,
        max_age_days: int = 0,
    ) -> None:
        self._sessions = sessions
        self._rules = link_rules
        self._every_s = every_s
        self._max_age_days = max_age_days
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="link-sweeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def sweep_once(self) -> service.SweepReport | None:
        return sweep(self._sessions, self._rules, self._max_age_days)

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                report = self.sweep_once()
            except Exception:
                log.exception("link sweep failed; retrying at the next period")
                continue
            expired = report.expired.observations if report and report.expired else 0
            if report is not None and (report.roots or report.released or expired):
                log.info("link sweep: %s", report.line())


def install(
    state: Any, settings: Settings, sessions: sessionmaker[Session], *, background: bool
) -> LinkSweeper | None:
    """Put the linking context on the app's state; start the sweeper in a background process
    unless it is switched off (`link_sweep_s = 0`)."""
    state.linking = context(settings)
    if not background or settings.link_sweep_s <= 0:
        return None
    sweeper = LinkSweeper(
        sessions, state.linking.rules, settings.link_sweep_s, settings.signal_max_age_days
    )
    sweeper.start()
    return sweeper
