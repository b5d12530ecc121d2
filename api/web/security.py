"""Who is signed in, and the checks every form goes through.

A page is reached with a session cookie only: an API key in a header is never looked at here, and
the session cookie is never looked at by the API's key gate, so neither opens the other.
Forms carry the session's synchroniser token (`csrf_token`); the sign-in form, before any session
exists, carries a double-submit token that must equal its own cookie.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData

from api.web.config import PREFIX, WebConfig
from api.web.headers import PAGE_HEADERS
from screening.people import sessions as web_sessions
from screening.people.sessions import SignedIn

MAX_FORM_FIELDS = 200


class SignInRequired(Exception):
    """No valid session: the handler sends the browser to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class CsrfRejected(Exception):
    """A form without this session's token: refused before anything is done."""


def config(request: Request) -> WebConfig:
    web: WebConfig = request.app.state.web
    return web


def db_sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def now() -> datetime:
    return datetime.now(UTC)


def _next_of(request: Request) -> str:
    path = request.url.path
    if request.method == "GET" and request.url.query:
        path += "?" + request.url.query
    return path


def signed_in(request: Request) -> SignedIn:
    web = config(request)
    token = request.cookies.get(web.session_cookie)
    with db_sessions(request).begin() as session:
        found = web_sessions.find_session(session, token, now=now(), lifetimes=web.lifetimes)
    if found is None:
        raise SignInRequired(_next_of(request))
    return found


User = Annotated[SignedIn, Depends(signed_in)]


async def form_of(request: Request) -> AsyncIterator[FormData]:
    # Bounded: the body is already capped at 4 MiB by the body limit; fields and files here.
    form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
    try:
        yield form
    finally:
        await form.close()  # an uploaded file's spooled temporary file, whatever happened


Form = Annotated[FormData, Depends(form_of)]


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def checked_form(user: User, form: Form) -> tuple[SignedIn, FormData]:
    """The signed-in user and the form, once its CSRF token is this session's."""
    given = form.get("csrf_token")
    if not isinstance(given, str) or not _same(given, user.csrf_token):
        raise CsrfRejected()
    return user, form


Checked = Annotated[tuple[SignedIn, FormData], Depends(checked_form)]


def new_signin_token() -> str:
    return secrets.token_urlsafe(24)


def signin_token_ok(request: Request, form: FormData) -> bool:
    given = form.get("csrf_token")
    cookie = request.cookies.get(config(request).signin_cookie)
    return isinstance(given, str) and _same(given, cookie)


def safe_next(value: object) -> str:
    """Only a path of these pages: never another site (an open redirect)."""
    if (
        isinstance(value, str)
        and value.startswith(PREFIX + "/")
        and not value.startswith("//")
        and "\\" not in value
        and len(value) <= 2000
    ):
        return value
    return PREFIX + "/"


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303, headers=PAGE_HEADERS)


def to_signin(next_path: str) -> Response:
    return redirect(f"{PREFIX}/signin?next={quote(safe_next(next_path), safe='/')}")


def set_cookie(
    response: Response,
    web: WebConfig,
    name: str,
    value: str,
    max_age: int,
    *,
    samesite: Literal["lax", "strict"] = "lax",
) -> None:
    # Lax for the session: a link from an e-mail into a page works, while a cross-site POST
    # carries no cookie (and would lack the form's token anyway).
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=web.secure_cookies,
        httponly=True,
        samesite=samesite,
    )


def clear_cookie(response: Response, web: WebConfig, name: str) -> None:
    response.delete_cookie(name, path="/", secure=web.secure_cookies, httponly=True)
