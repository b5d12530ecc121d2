"""ASGI middleware of the API."""

from __future__ import annotations

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import problems

# A batch of 1,000 maximal items is well under this; anything larger is refused unread.
MAX_BODY_BYTES = 4 << 20


class BodyLimit:
    """Refuses request bodies over a size before they are read (413 problem+json)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        try:
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise _TooLarge
            await self.app(scope, limited, send)
        except _TooLarge:
            response = problems.problem(
                Request(scope),
                413,
                "request-too-large",
                f"request body over {self.max_bytes} bytes",
            )
            await response(scope, receive, send)


class _TooLarge(Exception):
    pass
