"""Sign-in, sign-out, and the landing page that links to every other page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.http import status as status_view
from api.web import queries
from api.web.config import PREFIX
from api.web.security import (
    Checked,
    Form,
    User,
    clear_cookie,
    config,
    db_sessions,
    new_signin_token,
    now,
    redirect,
    safe_next,
    set_cookie,
    signin_token_ok,
)
from api.web.templating import render
from screening.people import sessions as web_sessions
from screening.people import users

router = APIRouter(prefix=PREFIX, include_in_schema=False)

SIGNIN_TOKEN_AGE = 3600
FAILED = "Sign-in failed: the username or password is wrong, or the account is locked or disabled."


def _signin_page(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    web = config(request)
    token = new_signin_token()
    next_path = safe_next(request.query_params.get("next"))
    response = render(
        request,
        "signin.html",
        status=status,
        error=error,
        csrf_token=token,
        next_path=next_path,
        lockout=web.lockout,
    )
    set_cookie(response, web, web.signin_cookie, token, SIGNIN_TOKEN_AGE, samesite="strict")
    return response


@router.get("/signin")
def signin_form(request: Request) -> Response:
    web = config(request)
    token = request.cookies.get(web.session_cookie)
    with db_sessions(request).begin() as session:
        found = web_sessions.find_session(session, token, now=now(), lifetimes=web.lifetimes)
    if found is not None:
        return redirect(safe_next(request.query_params.get("next")))
    return _signin_page(request)


@router.post("/signin")
async def signin(request: Request, form: Form) -> Response:
    web = config(request)
    client = (request.client.host if request.client else "unknown") or "unknown"
    limiter = request.app.state.web_limiter
    if not signin_token_ok(request, form):
        return _signin_page(
            request, error="The sign-in form expired; please try again.", status=400
        )
    wait = limiter.retry_after(client)
    if wait:
        return _signin_page(
            request, error=f"Too many failed sign-ins from here; try again in {wait} s.", status=429
        )
    username = str(form.get("username") or "")[:200]
    password = str(form.get("password") or "")[:2000]

    def check() -> str | None:
        with db_sessions(request).begin() as session:
            user = users.authenticate(session, username, password, lockout=web.lockout, now=now())
            if user is None:
                return None
            return web_sessions.open_session(session, user, now=now(), lifetimes=web.lifetimes)

    # Argon2 takes tens of milliseconds of CPU: never on the event loop the signup path shares.
    token = await run_in_threadpool(check)
    if token is None:
        limiter.failed(client)
        return _signin_page(request, error=FAILED, status=401)
    response = redirect(safe_next(form.get("next")))
    set_cookie(
        response, web, web.session_cookie, token, int(web.lifetimes.absolute.total_seconds())
    )
    clear_cookie(response, web, web.signin_cookie)
    return response


@router.post("/signout")
def signout(request: Request, checked: Checked) -> Response:
    web = config(request)
    with db_sessions(request).begin() as session:
        web_sessions.end_session(session, request.cookies.get(web.session_cookie), now=now())
    response = redirect(f"{PREFIX}/signin?signed_out=1")
    clear_cookie(response, web, web.session_cookie)
    return response


@router.get("/")
def home(request: Request, user: User) -> Response:
    with db_sessions(request)() as session:
        counts: dict[str, Any] = queries.pending_counts(session, me=user.actor)
        sources = status_view.source_status(session, now=now())
    counts["list_errors"] = sum(1 for r in sources if r["last_error"])
    counts["lists_missing"] = sum(1 for r in sources if r["active_version"] is None)
    return render(request, "home.html", user=user, counts=counts)
