"""Webhook delivery: the HTTP sender (requests) and a background dispatcher.

Every service, worker and scheduler process may run a dispatcher; the deliveries' claims in the
database make sure each delivery is posted by one of them.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Mapping

import requests
from sqlalchemy.orm import Session, sessionmaker

from screening.monitoring import webhooks
from screening.settings import Settings

log = logging.getLogger(__name__)


class RequestsSender:
    """POSTs with one pooled session. Redirects are not followed: a signed payload naming
    customers goes to the URL the admin registered, nowhere else."""

    def __init__(self, user_agent: str) -> None:
        self._http = requests.Session()
        self._http.headers["User-Agent"] = user_agent

    def post(self, url: str, body: bytes, headers: Mapping[str, str], *, timeout_s: float) -> int:
        response = self._http.post(
            url, data=body, headers=dict(headers), timeout=timeout_s, allow_redirects=False
        )
        response.close()
        return int(response.status_code)

    def close(self) -> None:
        self._http.close()


def retry_of(settings: Settings) -> webhooks.Retry:
    return webhooks.Retry(
        max_attempts=settings.webhook_max_attempts, base_s=settings.webhook_retry_base_s
    )


class WebhookDispatcher:
    """Delivers what is due every `poll_s` seconds on a daemon thread."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        *,
        sender: webhooks.Sender | None = None,
    ) -> None:
        self.sessions = sessions
        self.sender = sender or RequestsSender(settings.user_agent)
        self.poll_s = settings.webhook_poll_s
        self.timeout_s = settings.webhook_timeout_s
        self.retry = retry_of(settings)
        self.name = f"{socket.gethostname()}:{os.getpid()}:webhooks"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def deliver_once(self) -> dict[str, int]:
        counts = webhooks.deliver_due(
            self.sessions,
            self.sender,
            worker=self.name,
            timeout_s=self.timeout_s,
            retry=self.retry,
        )
        if counts:
            log.info("webhook deliveries: %s", dict(counts))
        return dict(counts)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                # Drain: a pass that delivered a full batch is followed at once by another.
                while sum(self.deliver_once().values()) >= 50 and not self._stop.is_set():
                    pass
            except Exception:
                log.exception("webhook delivery pass failed")
            self._stop.wait(self.poll_s)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout_s + 5)
            self._thread = None
