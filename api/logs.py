"""Logging for every entry point: one format, the request id on every line, no secrets.

The redacting filter is a second line of defence: the core already redacts credentials from the
errors it records, but a library's own log message (urllib3 naming a URL, say) must not leak a
mirror's `user:password@` either.
"""

from __future__ import annotations

import logging

from api.http.middleware import request_id
from screening.listings.fetching import redact

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def configure_logging(level: int = logging.WARNING) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
