"""RFC 9457 problem details for every error the API returns.

Each ScreeningError subclass maps to one status and one `type` slug derived from its class name
(`ListNotFoundError` -> `list-not-found`); a test fails if a subclass is left unmapped.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from screening import errors

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://screening.invalid/problems/"

STATUS: dict[type[errors.ScreeningError], int] = {
    errors.ScreeningError: 500,
    errors.ListError: 500,
    errors.UnknownSourceError: 404,
    errors.ListFetchError: 502,
    errors.ListParseError: 502,
    errors.ListSanityError: 502,
    errors.LeaseHeldError: 409,
    errors.InvalidQueryError: 422,
    errors.NotFoundError: 404,
    errors.ConflictError: 409,
    errors.IndexNotReadyError: 503,
    errors.AuthError: 401,
    errors.NotAuthenticatedError: 401,
    errors.NotPermittedError: 403,
}

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not permitted",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal server error",
    502: "Upstream list error",
    503: "Service not ready",
}


def status_for(cls: type[errors.ScreeningError]) -> int:
    """The nearest mapped class's status: a package's own subclass (an ownership declaration
    error is an InvalidQueryError) answers like its parent."""
    return next((STATUS[c] for c in cls.__mro__ if c in STATUS), 500)


def slug(cls: type[BaseException]) -> str:
    name = cls.__name__.removesuffix("Error") or cls.__name__
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem(
    request: Request,
    status: int,
    kind: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    sent = dict(headers or {})
    if status == 401:
        sent["WWW-Authenticate"] = 'Bearer realm="screening", ApiKey header="X-API-Key"'
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=sent or None)


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.ScreeningError)
    async def _screening(request: Request, exc: errors.ScreeningError) -> JSONResponse:
        # The nearest mapped class: a package's own subclass (an ownership declaration error
        # is an InvalidQueryError) answers like its parent.
        status = next((STATUS[c] for c in type(exc).__mro__ if c in STATUS), 500)
        return problem(request, status, slug(type(exc)), exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        found = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return problem(request, 422, "validation", "the request is not valid", errors=found)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Starlette's own headers matter here: a 405 carries Allow.
        return problem(
            request,
            exc.status_code,
            f"http-{exc.status_code}",
            str(exc.detail),
            headers=dict(exc.headers or {}),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        incident = uuid.uuid4().hex
        log.exception("unhandled error %s on %s", incident, request.url.path)
        return problem(
            request, 500, "internal", f"internal error; incident {incident} is logged",
            incident=incident,
        )  # fmt: skip
