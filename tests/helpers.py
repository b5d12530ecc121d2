"""Small builders shared by tests: a throwaway list source and a local HTTP server."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from screening.errors import ListParseError
from screening.listings.rawstore import RawStore
from screening.listings.records import EntityKind, ListEntry
from screening.listings.refresh import Refresher
from screening.listings.source import ListSource, ParseResult, SourceFile

DEMO_URL = "https://lists.example.org/demo/parties.csv"


def parse_demo(files: Mapping[str, bytes]) -> ParseResult:
    """`id,name` CSV: a format small enough to corrupt on purpose in tests."""
    try:
        text = files["parties.csv"].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ListParseError(f"parties.csv is not UTF-8: {exc}") from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0] != ["id", "name"]:
        raise ListParseError("parties.csv: missing the id,name header")
    # Like OFAC's trailing 0x1A, an end marker tells a complete file from a cut-off one.
    if rows[-1] != ["# end"]:
        raise ListParseError("parties.csv: truncated (no end marker)")
    entries = []
    for row in rows[1:-1]:
        if len(row) != 2:
            raise ListParseError(f"parties.csv: truncated or malformed row {row!r}")
        entries.append(ListEntry("demo", row[0], EntityKind.ORGANIZATION, row[1]))
    return ParseResult(entries)


DEMO = ListSource(
    id="demo",
    title="Demo list",
    publisher="tests",
    files=(SourceFile(DEMO_URL),),
    parse=parse_demo,
    min_records=2,
    max_records=1000,
)


def demo_csv(count: int, *, offset: int = 0) -> bytes:
    rows = [f"{i},Party number {i} Trading Ltd" for i in range(offset, offset + count)]
    lines = ["id,name", *rows, "# end"]
    return ("\n".join(lines) + "\n").encode()


def write_mirror(root: Path, source: str, files: Mapping[str, bytes]) -> str:
    folder = root / source
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return root.as_uri()


Handler = Callable[[BaseHTTPRequestHandler], None]


@contextmanager
def http_server(handle: Handler) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 answering every GET with `handle`; yields its base URL."""

    class _Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            # The client may give up first (a timeout test): expected, not an error.
            with suppress(BrokenPipeError, ConnectionResetError):
                handle(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def respond(status: int, body: bytes = b"", headers: Mapping[str, str] | None = None) -> Handler:
    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(status)
        for key, value in (headers or {}).items():
            request.send_header(key, value)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handle


def stall(seconds: float) -> Handler:
    def handle(request: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        respond(200, b"id,name\n")(request)

    return handle


def local_refresher(
    sessions: Any,
    data_dir: Path,
    *,
    mirror: str = "",
    resolve: Callable[[str], ListSource] | None = None,
) -> Refresher:
    """A refresher over the real sources (or `resolve`), with no retries: what most refresh
    tests need, written once."""
    from lists import get_source
    from lists.fetch import HttpFetcher

    return Refresher(
        sessions,
        resolve or get_source,
        HttpFetcher(timeout_s=5, retries=0),
        RawStore(data_dir),
        mirror=mirror,
    )
