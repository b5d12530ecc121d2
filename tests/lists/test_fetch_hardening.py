"""HttpFetcher against servers that stall, trickle, rate-limit, redirect or see credentials.

Every server here is real (http.server on 127.0.0.1). Slow cases run under `within` so that a
regression fails in seconds instead of hanging the suite for the hour a server asked for.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests

from lists.fetch import MAX_REDIRECTS, FileAdapter, HttpFetcher, redirect_target
from screening.errors import ListFetchError
from tests.helpers import http_server, respond

T = TypeVar("T")


def fetcher(**overrides: Any) -> HttpFetcher:
    options: dict[str, Any] = {"timeout_s": 2.0, "retries": 0, "backoff_s": 0.01}
    options.update(overrides)
    return HttpFetcher(**options)


def within(seconds: float, work: Callable[[], T]) -> T:
    """Run `work` in a daemon thread; fail if it is still running after `seconds`."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds}s"
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


def leftovers(folder: Path) -> list[Path]:
    return list(folder.iterdir()) if folder.exists() else []


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# Retry-After and backoff


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_is_capped(tmp_path: Path, status: int) -> None:
    calls: list[float] = []

    def handle(request: BaseHTTPRequestHandler) -> None:
        calls.append(time.monotonic())
        if len(calls) <= 2:
            respond(status, b"busy", {"Retry-After": "3600"})(request)
        else:
            respond(200, b"id,name\n")(request)

    f = fetcher(retries=2, max_retry_after_s=0.2)
    started = time.monotonic()
    with http_server(handle) as base:
        got = within(10, lambda: f.fetch("a.csv", f"{base}/a.csv", tmp_path / "in"))
    assert got.path is not None
    assert got.path.read_bytes() == b"id,name\n"
    assert len(calls) == 3
    assert time.monotonic() - started < 3
    assert calls[1] - calls[0] >= 0.15  # the capped Retry-After is still honoured


def test_backoff_is_capped(tmp_path: Path) -> None:
    calls: list[int] = []

    def handle(request: BaseHTTPRequestHandler) -> None:
        calls.append(1)
        respond(500 if len(calls) <= 2 else 200, b"x")(request)

    # Uncapped, backoff_s=100 would sleep 200 s before the second retry.
    f = fetcher(retries=2, backoff_s=100, max_retry_after_s=0.2)
    with http_server(handle) as base:
        got = within(10, lambda: f.fetch("a.csv", f"{base}/a.csv", tmp_path / "in"))
    assert got.size == 1
    assert len(calls) == 3


# Whole-download deadline


def trickle(every_s: float, count: int = 600) -> Callable[[BaseHTTPRequestHandler], None]:
    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.end_headers()
        for _ in range(count):
            request.wfile.write(b"x")
            request.wfile.flush()
            time.sleep(every_s)

    return handle


def test_trickling_server_hits_the_deadline(tmp_path: Path) -> None:
    f = fetcher(timeout_s=5, deadline_s=1)
    started = time.monotonic()
    with (
        http_server(trickle(0.1)) as base,
        pytest.raises(ListFetchError, match=r"a\.csv: download took longer than the 1s deadline"),
    ):
        within(5, lambda: f.fetch("a.csv", f"{base}/a.csv", tmp_path / "in"))
    assert time.monotonic() - started < 2.5
    assert leftovers(tmp_path / "in") == []


def test_deadline_also_bounds_the_wait_for_the_response(tmp_path: Path) -> None:
    def silent(request: BaseHTTPRequestHandler) -> None:
        time.sleep(3)
        respond(200, b"late")(request)

    f = fetcher(timeout_s=5, deadline_s=0.5)
    started = time.monotonic()
    with http_server(silent) as base, pytest.raises(ListFetchError, match=r"0\.5s deadline"):
        within(5, lambda: f.fetch("a.csv", f"{base}/a.csv", tmp_path / "in"))
    assert time.monotonic() - started < 2


def test_a_download_inside_the_deadline_is_untouched(tmp_path: Path) -> None:
    with http_server(trickle(0.01, count=20)) as base:
        got = fetcher(deadline_s=5).fetch("a.csv", f"{base}/a.csv", tmp_path / "in")
    assert got.size == 20


# Redirects


class SpyFileAdapter(FileAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def send(  # type: ignore[override]  # the same narrowing as FileAdapter.send
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        self.sent.append(request.url or "")
        return super().send(request, **kwargs)


def redirect_to(location: str, status: int = 302) -> Callable[[BaseHTTPRequestHandler], None]:
    return respond(status, b"", {"Location": location})


def test_redirect_to_a_file_url_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "hostname"
    secret.write_bytes(b"do-not-read\n")
    f = fetcher()
    spy = SpyFileAdapter()
    f.session.mount("file://", spy)
    with (
        http_server(redirect_to(secret.as_uri())) as base,
        pytest.raises(ListFetchError, match=r"refused a redirect to a file: URL") as caught,
    ):
        f.fetch("a.csv", f"{base}/a.csv", tmp_path / "in")
    assert secret.as_uri() in str(caught.value)
    assert spy.sent == []  # nothing local was opened
    assert leftovers(tmp_path / "in") == []


def test_file_mirror_given_directly_still_works(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_bytes(b"id,name\n")
    got = fetcher().fetch("a.csv", source.as_uri(), tmp_path / "in")
    assert got.path is not None
    assert got.path.read_bytes() == b"id,name\n"


def chain(length: int, hits: list[str]) -> Callable[[BaseHTTPRequestHandler], None]:
    """/r/N redirects to /r/N+1 until N == length, which serves the file."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        hits.append(request.path)
        step = int(request.path.rsplit("/", 1)[-1])
        if step < length:
            redirect_to(f"/r/{step + 1}")(request)
        else:
            respond(200, b"end")(request)

    return handle


def test_five_redirects_are_followed(tmp_path: Path) -> None:
    hits: list[str] = []
    with http_server(chain(MAX_REDIRECTS, hits)) as base:
        got = fetcher().fetch("a.csv", f"{base}/r/0", tmp_path / "in")
    assert got.path is not None
    assert got.path.read_bytes() == b"end"
    assert got.url == f"{base}/r/0"
    assert len(hits) == 6


def test_a_sixth_redirect_is_refused(tmp_path: Path) -> None:
    hits: list[str] = []
    with (
        http_server(chain(100, hits)) as base,
        pytest.raises(ListFetchError, match="more than 5 redirects"),
    ):
        fetcher().fetch("a.csv", f"{base}/r/0", tmp_path / "in")
    assert len(hits) == 6  # the request and the five redirects followed; the sixth is not


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_on_the_same_server_is_followed(tmp_path: Path, status: int) -> None:
    seen: dict[str, str | None] = {}

    def handle(request: BaseHTTPRequestHandler) -> None:
        if request.path == "/old.csv":
            redirect_to("/new.csv", status)(request)
        else:
            seen[request.path] = request.headers.get("If-None-Match")
            respond(200, b"moved", {"ETag": '"e2"'})(request)

    with http_server(handle) as base:
        got = fetcher().fetch("a.csv", f"{base}/old.csv", tmp_path / "in", etag='"e1"')
    assert got.path is not None
    assert got.path.read_bytes() == b"moved"
    assert got.etag == '"e2"'
    assert seen == {"/new.csv": '"e1"'}  # the conditional request survives the redirect


@pytest.mark.parametrize(
    ("source", "location", "expected"),
    [
        ("http://m.example/a", "/b", "http://m.example/b"),
        ("http://m.example/a", "https://m.example/b", "https://m.example/b"),
        ("https://m.example/a", "https://other.example/b", "https://other.example/b"),
        ("https://m.example/a", "//cdn.example/b", "https://cdn.example/b"),
    ],
)
def test_redirects_within_http_and_up_to_https_are_allowed(
    source: str, location: str, expected: str
) -> None:
    assert redirect_target("a.csv", source, location) == expected


@pytest.mark.parametrize(
    ("source", "location", "message"),
    [
        ("https://m.example/a", "http://m.example/a", "from https to http"),
        ("https://m.example/a", "http://m.example:80/a", "from https to http"),
        ("http://m.example/a", "file:///etc/hostname", "to a file: URL"),
        ("https://m.example/a", "ftp://m.example/a", "to a ftp: URL"),
        ("http://m.example/a", "gopher://m.example/a", "to a gopher: URL"),
        ("http://m.example/a", "http://[::1/a", "invalid URL"),
    ],
)
def test_other_redirects_are_refused(source: str, location: str, message: str) -> None:
    with pytest.raises(ListFetchError, match=message):
        redirect_target("a.csv", source, location)


# Credentials in mirror URLs


def recording(status: int, seen: list[str | None]) -> Callable[[BaseHTTPRequestHandler], None]:
    def handle(request: BaseHTTPRequestHandler) -> None:
        seen.append(request.headers.get("Authorization"))
        respond(status, b"id,name\n")(request)

    return handle


def test_credentials_never_reach_an_error_message(tmp_path: Path) -> None:
    seen: list[str | None] = []
    with http_server(recording(500, seen)) as base:
        url = base.replace("http://", "http://alice:s3cret@") + "/x"
        with pytest.raises(ListFetchError) as caught:
            fetcher().fetch("a.csv", url, tmp_path / "in")
    assert "500" in str(caught.value)
    assert "s3cret" not in str(caught.value)
    assert seen == [basic("alice", "s3cret")]  # still sent to the server


def test_credentials_are_redacted_from_the_fetched_file(tmp_path: Path) -> None:
    seen: list[str | None] = []
    with http_server(recording(200, seen)) as base:
        url = base.replace("http://", "http://alice:s3cret@") + "/x"
        got = fetcher().fetch("a.csv", url, tmp_path / "in")
    assert "s3cret" not in got.url
    assert got.url == base.replace("http://", "http://***@") + "/x"
    assert seen == [basic("alice", "s3cret")]


def test_credentials_in_a_refused_redirect_are_redacted(tmp_path: Path) -> None:
    with (
        http_server(redirect_to("ftp://bob:hunter2@mirror.example/x")) as base,
        pytest.raises(ListFetchError, match="ftp: URL") as caught,
    ):
        fetcher().fetch("a.csv", f"{base}/x", tmp_path / "in")
    assert "hunter2" not in str(caught.value)


def test_credentials_follow_a_redirect_only_on_the_same_origin(tmp_path: Path) -> None:
    seen: dict[str, str | None] = {}
    port: list[int] = []

    def handle(request: BaseHTTPRequestHandler) -> None:
        seen[request.path] = request.headers.get("Authorization")
        if request.path == "/a":
            redirect_to(f"http://127.0.0.1:{port[0]}/b")(request)
        elif request.path == "/b":
            redirect_to(f"http://localhost:{port[0]}/c")(request)
        else:
            respond(200, b"ok")(request)

    with http_server(handle) as base:
        port.append(int(base.rsplit(":", 1)[-1]))
        url = base.replace("http://", "http://alice:s3cret@") + "/a"
        got = fetcher().fetch("a.csv", url, tmp_path / "in")
    assert got.size == 2
    assert seen == {"/a": basic("alice", "s3cret"), "/b": basic("alice", "s3cret"), "/c": None}
