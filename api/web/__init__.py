"""The analyst pages: server-rendered HTML under /ui, signed in with a username and password.

`install` adds them to the API's app: routes (left out of the OpenAPI document), the static
files, and HTML answers for the errors a browser can meet on these paths.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.http.middleware import FailureLimiter
from api.web import (
    pages_audit,
    pages_auth,
    pages_batch,
    pages_clusters,
    pages_customers,
    pages_lists,
    pages_review,
    pages_screen,
    vetting,
)
from api.web.batch import BatchJobs, Screen
from api.web.config import PREFIX, WebConfig
from api.web.security import CsrfRejected, SignInRequired, redirect, signed_in, to_signin
from api.web.templating import render
from screening.policy.subject import Subject
from screening.settings import Settings

STATIC = Path(__file__).parent / "static"

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]


def is_web_path(path: str) -> bool:
    return path == "/" or path == PREFIX or path.startswith(PREFIX + "/")


def _batch_screener(app: FastAPI) -> Screen:
    def screen(
        subject: Subject, context: str, owner: str, request_id: str | None
    ) -> dict[str, Any]:
        return vetting.screen(app, subject, context=context, actor=owner, request_id=request_id)

    return screen


def install(app: FastAPI, settings: Settings) -> None:
    app.state.web = WebConfig.from_settings(settings)
    app.state.web_batches = BatchJobs(lambda: app.state.sessions, _batch_screener(app))
    # Per client address, on top of each account's lockout: one address guessing many names.
    app.state.web_limiter = FailureLimiter(limit=20, window_s=300)
    for module in (
        pages_auth, pages_screen, pages_review, pages_customers, pages_lists, pages_batch,
        pages_audit, pages_clusters,
    ):  # fmt: skip
        app.include_router(module.router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="web-static")

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        # Opening the service in a browser lands on the pages (signed in or not).
        return redirect(f"{PREFIX}/")

    @app.get(PREFIX, include_in_schema=False)
    async def bare() -> Response:
        return redirect(f"{PREFIX}/")

    @app.api_route(f"{PREFIX}/{{rest:path}}", methods=["GET", "POST"], include_in_schema=False)
    def unknown(request: Request, rest: str) -> Response:
        # Signed in first: a stranger learns nothing about which pages exist.
        user = signed_in(request)
        return render(request, "not_found.html", user=user, error="no such page", status=404)

    async def to_signin_page(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return to_signin(exc.next_path)

    async def csrf_refused(request: Request, exc: Exception) -> Response:
        return render(
            request,
            "not_found.html",
            error="The form was refused: it did not carry this session's token (reload the "
            "page and try again).",
            status=403,
        )

    app.add_exception_handler(SignInRequired, to_signin_page)
    app.add_exception_handler(CsrfRejected, csrf_refused)
    for kind in (RequestValidationError, StarletteHTTPException):
        _html_on_web_paths(app, kind)


def _html_on_web_paths(app: FastAPI, kind: type[Exception]) -> None:
    """The API keeps its problem+json answers; a browser on /ui gets a page."""
    api_handler: Handler | None = app.exception_handlers.get(kind)

    async def handle(request: Request, exc: Exception) -> Response:
        if not is_web_path(request.url.path) and api_handler is not None:
            answer = api_handler(request, exc)
            return await answer if isinstance(answer, Awaitable) else answer
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 422
        detail = "the address is not valid" if status == 422 else str(getattr(exc, "detail", ""))
        return render(request, "not_found.html", error=detail or "not found", status=status)

    app.add_exception_handler(kind, handle)
