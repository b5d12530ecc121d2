from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lists.fetch import HttpFetcher
from screening.errors import ListFetchError
from screening.listings.fetching import mirror_url
from tests.helpers import http_server, respond, stall


def fetcher(**overrides: object) -> HttpFetcher:
    options: dict[str, object] = {"timeout_s": 0.5, "retries": 1, "backoff_s": 0.01}
    options.update(overrides)
    return HttpFetcher(**options)  # type: ignore[arg-type]


def test_mirror_url_swaps_the_base_and_keeps_the_file_name():
    official = "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=abc"
    assert (
        mirror_url(official, "eu_fsf", "file:///srv/mirror/") == "file:///srv/mirror/eu_fsf/content"
    )
    assert mirror_url(official, "eu_fsf", "") == official


def test_file_url_is_streamed_and_hashed(tmp_path: Path):
    source = tmp_path / "SDN.CSV"
    source.write_bytes(b"1,x\r\n" * 1000)
    got = fetcher().fetch("SDN.CSV", source.as_uri(), tmp_path / "in")
    assert got.path is not None
    assert got.path.read_bytes() == source.read_bytes()
    assert got.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert got.size == 5000
    assert got.etag


def test_file_url_answers_conditional_request(tmp_path: Path):
    source = tmp_path / "SDN.CSV"
    source.write_bytes(b"data")
    first = fetcher().fetch("SDN.CSV", source.as_uri(), tmp_path / "in")
    again = fetcher().fetch("SDN.CSV", source.as_uri(), tmp_path / "in", etag=first.etag)
    assert again.not_modified
    assert again.path is None


def test_missing_file_is_a_fetch_error(tmp_path: Path):
    with pytest.raises(ListFetchError, match="404"):
        fetcher().fetch("SDN.CSV", (tmp_path / "nope.csv").as_uri(), tmp_path / "in")


def test_http_download_sends_user_agent_and_validators(tmp_path: Path):
    seen: dict[str, str | None] = {}

    def handle(request):
        seen["ua"] = request.headers.get("User-Agent")
        seen["inm"] = request.headers.get("If-None-Match")
        respond(200, b"abc", {"ETag": '"e2"', "Last-Modified": "Tue, 01 Sep 2026 00:00:00 GMT"})(
            request
        )

    with http_server(handle) as base:
        got = fetcher(user_agent="rps-test/1").fetch(
            "a.csv", f"{base}/a.csv", tmp_path / "in", etag='"e1"'
        )
    assert seen == {"ua": "rps-test/1", "inm": '"e1"'}
    assert got.etag == '"e2"'
    assert got.last_modified == "Tue, 01 Sep 2026 00:00:00 GMT"


def test_http_500_is_retried_then_fails(tmp_path: Path):
    calls = []

    def handle(request):
        calls.append(1)
        respond(500, b"boom")(request)

    with http_server(handle) as base, pytest.raises(ListFetchError, match="500"):
        fetcher(retries=2).fetch("a.csv", f"{base}/a.csv", tmp_path / "in")
    assert len(calls) == 3  # the first try and two retries


def test_timeout_is_reported_as_such(tmp_path: Path):
    with http_server(stall(2)) as base, pytest.raises(ListFetchError, match="timed out"):
        fetcher(retries=0).fetch("a.csv", f"{base}/a.csv", tmp_path / "in")


@pytest.mark.parametrize("declare_length", [True, False])
def test_size_cap_stops_the_download(tmp_path: Path, declare_length: bool):
    body = b"x" * 5000

    def handle(request):
        request.send_response(200)
        if declare_length:
            request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    with http_server(handle) as base, pytest.raises(ListFetchError, match="cap"):
        fetcher(max_bytes=1000).fetch("a.csv", f"{base}/a.csv", tmp_path / "in")
    incoming = tmp_path / "in"
    assert not incoming.exists() or not list(incoming.iterdir())  # no partial file left behind
