"""Strict JSON reading and the value checks a curated file's fields share.

Every check raises `Problem` with the place it failed ("entry 'deepseek' websites[2]") and what
to write instead; `lists.curated.loader` turns it into a ListParseError for the source. Values
are refused rather than repaired: a curated file is written by hand, and a silent fix would hide
the typo that a reviewer should see.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Collection
from datetime import date
from typing import Any, NoReturn
from urllib.parse import urlsplit

from screening.names.countries import country_code
from screening.names.hosts import hostname_of

MAX_TEXT = 2_000
_DATE = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")
_APOSTROPHES = re.compile(r"['\u2018\u2019`]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


class Problem(Exception):
    """A value that breaks the file format; the message says where and why."""


def fail(where: str, problem: str) -> NoReturn:
    raise Problem(f"{where}: {problem}")


def decode(raw: bytes) -> Any:
    """The JSON document in `raw`, refusing what json.loads would quietly accept: duplicate
    object keys (the last would win) and NaN / Infinity."""
    if not raw.strip():
        raise Problem("the file is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Problem(f"the file is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise Problem(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise Problem("not JSON this loader reads: nested too deeply") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise Problem(f"key {key!r} appears twice in one JSON object")
        out[key] = value
    return out


def _no_constant(name: str) -> NoReturn:
    raise Problem(f"not JSON: {name} is not a number")


def kind_of(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else "null"
    )


def fields(
    value: Any, where: str, *, required: Collection[str] = (), optional: Collection[str] = ()
) -> dict[str, Any]:
    """`value` as an object holding all of `required`, and nothing but those and `optional`."""
    if not isinstance(value, dict):
        fail(where, f"expected an object, got {kind_of(value)}")
    unknown = [k for k in value if k not in required and k not in optional]
    if unknown:
        allowed = ", ".join(sorted({*required, *optional}))
        fail(where, f"unknown key {unknown[0]!r} (allowed: {allowed})")
    missing = [k for k in required if k not in value]
    if missing:
        fail(where, f"missing key {missing[0]!r}")
    return value


def array(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        fail(where, f"expected an array, got {kind_of(value)}")
    return value


def text(value: Any, where: str) -> str:
    """A non-empty single-line string with no stray whitespace."""
    if not isinstance(value, str):
        fail(where, f"expected a string, got {kind_of(value)}")
    if not value:
        fail(where, "is empty")
    if len(value) > MAX_TEXT:
        fail(where, f"is {len(value)} characters long (at most {MAX_TEXT})")
    if any(unicodedata.category(c) == "Cc" for c in value):
        fail(where, "contains a control character (tab, newline, ...)")
    if " ".join(value.split()) != value:
        fail(where, f"{value!r} has leading, trailing or doubled spaces")
    return value


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        fail(where, f"expected true or false, got {kind_of(value)}")
    return value


def iso_date(value: Any, where: str) -> str:
    """An ISO date, `YYYY-MM-DD`, or a month, `YYYY-MM`, where a source gives no day."""
    raw = text(value, where)
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        date.fromisoformat(raw if len(raw) == 10 else f"{raw}-01")
    except ValueError:
        fail(where, f"{raw!r} is not an ISO date (YYYY-MM-DD, or YYYY-MM)")
    return raw


def country(value: Any, where: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper case, exactly as written."""
    raw = text(value, where)
    code = country_code(raw)
    if code is None or code != raw:
        hint = f" (write {code!r})" if code else ""
        fail(where, f"{raw!r} is not an ISO 3166-1 alpha-2 country code{hint}")
    return raw


def host(value: Any, where: str) -> str:
    """A bare host name: no scheme, path, `www.` or upper case, so that the file holds each
    domain in the one form the matcher compares."""
    raw = text(value, where)
    found = hostname_of(raw)
    if found is None:
        fail(where, f"{raw!r} is not a host name")
    if found != raw:
        fail(where, f"{raw!r} is not a bare host name (write {found!r})")
    return raw


def url(value: Any, where: str) -> str:
    raw = text(value, where)
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or " " in raw or hostname_of(raw) is None:
        fail(where, f"{raw!r} is not an http(s) URL")
    return raw


def percent(value: Any, where: str) -> float:
    # bool is an int: `true` as a stake is a typo, not 1%.
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(where, f"expected a number, got {kind_of(value)}")
    if not math.isfinite(value) or not 0 < value <= 100:
        fail(where, f"{value!r} is not a percentage (more than 0, at most 100)")
    return float(value)


def pattern(value: Any, where: str, regex: re.Pattern[str], expected: str) -> str:
    raw = text(value, where)
    if not regex.fullmatch(raw):
        fail(where, f"{raw!r} is not {expected}")
    return raw


def one_of(value: Any, where: str, allowed: Collection[str]) -> str:
    raw = text(value, where)
    if raw not in allowed:
        fail(where, f"{raw!r} is not one of {', '.join(sorted(allowed))}")
    return raw


def slug(name: str) -> str:
    """`AVIC Xi’an Aircraft Industry Group Company Ltd.` -> `avic-xian-aircraft-...-ltd`: a key
    that survives the punctuation and apostrophe changes between list editions."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = _APOSTROPHES.sub("", folded).replace("&", " and ").lower()
    return _NOT_ALNUM.sub("-", folded).strip("-")
