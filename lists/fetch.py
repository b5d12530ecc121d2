"""Downloading list files: one requests session, bounded in time and size, streamed to disk.

Each download is hashed while it streams, so the caller gets a SHA-256 of exactly what arrived and a
file it can move into content-addressed storage without reading it again. Conditional requests
(ETag / Last-Modified) make an unchanged list cost one small request. `file://` URLs are served by
a small adapter so that mirrors on disk and HTTP mirrors go through the same code path.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from screening.errors import ListFetchError
from screening.listings.fetching import FetchedFile

CHUNK = 1 << 16


class _ClosingReader:
    """A file that closes itself at end of stream: requests never closes a consumed `raw`."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        if not data:
            self._handle.close()
        return data

    def close(self) -> None:
        self._handle.close()


class FileAdapter(BaseAdapter):
    """Serves `file://` URLs, answering conditional requests from the file's mtime."""

    def send(  # type: ignore[override]  # stream/timeout/... mean nothing for a local file
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        response = requests.Response()
        response.request = request
        response.url = request.url or ""
        path = Path(unquote(urlsplit(request.url or "").path))
        try:
            stat = path.stat()
            if not path.is_file():
                raise FileNotFoundError(path)
        except OSError:
            response.status_code = 404
            response.reason = "Not Found"
            response.raw = io.BytesIO(b"")
            return response
        modified = format_datetime(datetime.fromtimestamp(int(stat.st_mtime), UTC), usegmt=True)
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        response.headers["Last-Modified"] = modified
        response.headers["ETag"] = etag
        response.headers["Content-Length"] = str(stat.st_size)
        if request.headers.get("If-None-Match") == etag:
            response.status_code = 304
            response.raw = io.BytesIO(b"")
            return response
        response.status_code = 200
        response.raw = _ClosingReader(path.open("rb"))
        return response

    def close(self) -> None:
        pass


class HttpFetcher:
    """Downloads list files (the `screening.listings.fetching.Fetcher` of the service) with timeouts, retries with backoff and a size cap."""

    def __init__(
        self,
        *,
        timeout_s: float = 60.0,
        retries: int = 3,
        backoff_s: float = 1.0,
        max_bytes: int = 512 << 20,
        user_agent: str = "restricted-party-screening",
        session: requests.Session | None = None,
        deadline_s: float = 900.0,
        max_retry_after_s: float = 60.0,
    ) -> None:
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.session = session or requests.Session()
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff_s,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
            respect_retry_after_header=True,
        )
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("file://", FileAdapter())
        self.session.headers["User-Agent"] = user_agent

    def fetch(
        self,
        name: str,
        url: str,
        dest_dir: Path,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchedFile:
        """Stream `url` into a new temporary file under `dest_dir`; raises ListFetchError."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            response = self.session.get(
                url, headers=headers, stream=True, timeout=self.timeout_s, allow_redirects=True
            )
        except requests.RequestException as exc:
            raise ListFetchError(f"{name}: download failed: {_reason(exc)}") from exc
        with response:
            now = datetime.now(UTC)
            if response.status_code == 304:
                return FetchedFile(name, url, None, None, 0, etag, last_modified, now)
            if response.status_code != 200:
                reason = f"{response.status_code} {response.reason or ''}".strip()
                raise ListFetchError(f"{name}: HTTP {reason} from {url}")
            declared = response.headers.get("Content-Length")
            if (
                declared
                and declared.isascii()
                and declared.isdigit()
                and int(declared) > self.max_bytes
            ):
                raise ListFetchError(f"{name}: {declared} bytes is over the {self.max_bytes} cap")
            path, digest, size = self._stream(name, response, dest_dir)
            return FetchedFile(
                name,
                url,
                path,
                digest,
                size,
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
                now,
            )

    def _stream(
        self, name: str, response: requests.Response, dest_dir: Path
    ) -> tuple[Path, str, int]:
        dest_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".download-", dir=dest_dir)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in response.iter_content(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise ListFetchError(f"{name}: download exceeds the {self.max_bytes} cap")
                    digest.update(chunk)
                    out.write(chunk)
        except requests.RequestException as exc:
            os.unlink(tmp)
            raise ListFetchError(f"{name}: download interrupted: {_reason(exc)}") from exc
        except BaseException:
            os.unlink(tmp)
            raise
        return Path(tmp), digest.hexdigest(), size


def _reason(exc: requests.RequestException) -> str:
    # After retries run out, urllib3 wraps the last timeout in MaxRetryError -> ConnectionError.
    inner = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(exc, requests.Timeout) or isinstance(inner, TimeoutError | ReadTimeoutError):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return f"connection failed ({type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}"
