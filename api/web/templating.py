"""Jinja2 templates shipped in the package, autoescaped, with a few display filters."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from api.web.config import PREFIX
from api.web.headers import PAGE_HEADERS


def age(value: datetime | str | None, now: datetime | None = None) -> str:
    """ "3 h", "2 d": how long ago, as a reviewer reads a queue."""
    if value is None:
        return "—"
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    seconds = max(0, int(((now or datetime.now(UTC)) - when).total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172_800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86_400} d"


def when(value: datetime | str | None) -> str:
    if value is None:
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def delta(value: float | None) -> str:
    return "" if value is None else f"{value:+.2f}"


def party(key: str | None) -> str:
    """An alert's party key as a reviewer reads it: `rule:jurisdiction` is "jurisdiction rule"."""
    if key and key.startswith("rule:"):
        return f"{key.removeprefix('rule:').replace('_', ' ')} rule"
    return key or "—"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("api.web", "templates"),
        autoescape=select_autoescape(["html", "svg"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(age=age, when=when, score=score, delta=delta, party=party)
    env.globals["prefix"] = PREFIX
    return env


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    page = environment().get_template(template)
    html = page.render(
        request=request,
        user=context.pop("user", None),
        message=context.pop("message", None),
        error=context.pop("error", None),
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)
