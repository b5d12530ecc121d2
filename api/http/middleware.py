"""ASGI middleware of the API, outermost first: request ids, the API-key gate, the body limit.

The order is the point. The key is checked from the headers alone, before a byte of the body is
read, so an unauthenticated client cannot make the service read and parse megabytes; a client
that keeps presenting bad keys is slowed down with 429s; the body limit then holds for chunked
bodies too, because the body is read here, bounded, before the app sees it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http import problems
from api.http.auth import Credential, KeyRing, presented_key
from screening.errors import NotAuthenticatedError
from screening.priority import FOREGROUND

log = logging.getLogger(__name__)

# A batch of 1,000 maximal items is well under this; anything larger is refused.
MAX_BODY_BYTES = 4 << 20
# Paths that need no key: probes, and the API's own description (it names no party).
PUBLIC_PATHS = frozenset(
    {"/health", "/v1/healthz", "/v1/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect"}
)

request_id: ContextVar[str] = ContextVar("request_id", default="-")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers") or []:
        if key == name:
            return bytes(value)
    return None


class RequestId:
    """Every response carries X-Request-ID (the caller's when well-formed, else a new one), and
    so does every log line written while handling it. Answers that may carry names of screened
    parties are never cached by a browser or a proxy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = (_header(scope, b"x-request-id") or b"").decode("latin-1")
        rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", rid.encode()))
                if scope["path"] not in PUBLIC_PATHS:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        started = False
        # Background work in this process (an index rebuild) steps aside while this runs.
        FOREGROUND.enter()

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await tagged(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            # Answered here, not by Starlette's outermost error handler, so that a 500 carries
            # the request id and no-store like every other answer, and its log line the id.
            if started:
                raise
            incident = uuid.uuid4().hex
            log.exception("unhandled error %s on %s", incident, scope.get("path"))
            response = problems.problem(
                Request(scope), 500, "internal",
                f"internal error; incident {incident} is logged", incident=incident,
            )  # fmt: skip
            await response(scope, receive, tagged)
        finally:
            FOREGROUND.leave()
            request_id.reset(token)


class FailureLimiter:
    """Counts failed keys per client in a sliding window, in bounded memory (least recently
    seen clients are forgotten first)."""

    def __init__(
        self,
        *,
        limit: int = 20,
        window_s: float = 60.0,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_clients = max_clients
        self._clock = clock
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int:
        """Seconds the client must wait, or 0 when it may try."""
        with self._lock:
            times = self._recent(client)
            if len(times) < self.limit:
                return 0
            return max(1, int(times[0] + self.window_s - self._clock()) + 1)

    def failed(self, client: str) -> None:
        with self._lock:
            times = self._recent(client)
            times.append(self._clock())
            del times[: -self.limit]
            self._failures[client] = times
            self._failures.move_to_end(client)
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)

    def _recent(self, client: str) -> list[float]:
        cutoff = self._clock() - self.window_s
        return [t for t in self._failures.get(client, []) if t > cutoff]


class ApiKeyGate:
    """Authenticates every non-public request from its headers, before the body is read.

    The credential goes into `scope["state"]["credential"]`; the routes' dependencies check the
    permission. Unknown paths are gated too (a 404 must not tell a stranger what exists).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        keys: KeyRing,
        limiter: FailureLimiter,
        passthrough: Callable[[str], bool] | None = None,
    ) -> None:
        self.app = app
        self.keys = keys
        self.limiter = limiter
        # Paths with their own sign-in (the analyst pages' session cookie): a key never opens
        # them, and they never open the API.
        self.passthrough = passthrough or (lambda _path: False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] in PUBLIC_PATHS
            or self.passthrough(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.limiter.retry_after(client)
        if wait:
            response = problems.problem(
                Request(scope),
                429,
                "too-many-failed-keys",
                f"too many requests with an invalid API key; retry in {wait} s",
                headers={"Retry-After": str(wait)},
            )
            await response(scope, receive, send)
            return
        try:
            credential: Credential = self.keys.authenticate(
                presented_key(_header(scope, b"x-api-key"), _header(scope, b"authorization"))
            )
        except NotAuthenticatedError as exc:
            self.limiter.failed(client)
            response = problems.problem(Request(scope), 401, "not-authenticated", exc.detail)
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["credential"] = credential
        await self.app(scope, receive, send)


def _has_nul(*parts: bytes) -> bool:
    """A NUL in a path or query (raw or percent-encoded): no name, note or id holds one, and
    PostgreSQL refuses them in text."""
    return any(b"\x00" in part or b"%00" in part for part in parts)


def _body_has_nul(body: bytes) -> bool:
    """A NUL in a body, raw or as a JSON escape."""
    return b"\x00" in body or b"\\u0000" in body.lower()


class BodyLimit:
    """Reads the body, bounded, before the app does: over `max_bytes` (declared or streamed in
    chunks) is a 413 problem, never a parse error."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _has_nul(scope["path"].encode(), scope.get("query_string", b"")):
            await self._nul(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length") or b""
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if _body_has_nul(body):
            await self._nul(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _nul(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problems.problem(
            Request(scope), 400, "nul-character", "NUL characters are not accepted anywhere"
        )
        await response(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problems.problem(
            Request(scope), 413, "request-too-large", f"request body over {self.max_bytes} bytes"
        )
        await response(scope, receive, send)
