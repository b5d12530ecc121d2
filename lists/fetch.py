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
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any, BinaryIO, Self
from urllib.parse import unquote, urljoin, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.utils import get_auth_from_url, requote_uri
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import ReadTimeoutError
from urllib3.response import HTTPResponse
from urllib3.util.retry import Retry

from screening.errors import ListFetchError
from screening.listings.fetching import FetchedFile, redact

CHUNK = 1 << 16
MAX_REDIRECTS = 5
_DEFAULT_PORTS = {"http": 80, "https": 443}


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


class _CappedRetry(Retry):
    """urllib3's Retry, but a server's Retry-After is honoured only up to `max_retry_after_s`: a
    mirror answering `Retry-After: 3600` must not park a refresh for an hour."""

    def __init__(self, *args: Any, max_retry_after_s: float = 60.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_retry_after_s = max_retry_after_s

    def new(self, **kw: Any) -> Self:
        # urllib3 replaces the Retry after every attempt; the cap must survive into the copy.
        kw.setdefault("max_retry_after_s", self.max_retry_after_s)
        return super().new(**kw)

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), self.max_retry_after_s)


class HttpFetcher:
    """Downloads list files (the `screening.listings.fetching.Fetcher` of the service).

    Every download is bounded: a per-read timeout, retries whose pauses never exceed
    `max_retry_after_s`, a size cap, and a whole-file deadline. Redirects are vetted before they
    are followed, and credentials in a mirror URL never reach an error message or a FetchedFile.
    """

    def __init__(
        self,
        *,
        timeout_s: float = 60.0,
        retries: int = 3,
        backoff_s: float = 1.0,
        max_bytes: int = 512 << 20,
        user_agent: str = "restricted-party-screening",
        deadline_s: float = 900.0,
        max_retry_after_s: float = 60.0,
        session: requests.Session | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self.deadline_s = deadline_s
        self.max_bytes = max_bytes
        self.session = session or requests.Session()
        retry = _CappedRetry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff_s,
            # One bound on every pause between attempts, whether our backoff or the server asks.
            backoff_max=max_retry_after_s,
            max_retry_after_s=max_retry_after_s,
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
        deadline = time.monotonic() + self.deadline_s
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        shown = redact(url)
        with self._follow(name, url, headers, deadline) as response:
            now = datetime.now(UTC)
            if response.status_code == 304:
                return FetchedFile(name, shown, None, None, 0, etag, last_modified, now)
            if response.status_code != 200:
                reason = f"{response.status_code} {response.reason or ''}".strip()
                raise ListFetchError(f"{name}: HTTP {reason} from {redact(response.url or url)}")
            declared = response.headers.get("Content-Length")
            if (
                declared
                and declared.isascii()
                and declared.isdigit()
                and int(declared) > self.max_bytes
            ):
                raise ListFetchError(f"{name}: {declared} bytes is over the {self.max_bytes} cap")
            path, digest, size = self._stream(name, response, dest_dir, deadline)
            return FetchedFile(
                name,
                shown,
                path,
                digest,
                size,
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
                now,
            )

    def _follow(
        self, name: str, url: str, headers: dict[str, str], deadline: float
    ) -> requests.Response:
        """GET `url`, following at most MAX_REDIRECTS redirects.

        Followed here rather than by requests so that each target is vetted before anything is
        requested from it: requests would happily follow a mirror's redirect to file://.
        """
        user, password = get_auth_from_url(url)
        auth = (user, password) if user or password else None
        current = url
        response = self._get(name, current, headers, auth, deadline)
        hops = 0
        while (location := self.session.get_redirect_target(response)) is not None:
            response.close()
            hops += 1
            if hops > MAX_REDIRECTS:
                raise ListFetchError(
                    f"{name}: more than {MAX_REDIRECTS} redirects from {redact(url)}"
                )
            target = redirect_target(name, current, location)
            # As requests does: credentials go along only while the origin stays the same.
            if auth and not _keeps_credentials(current, target):
                auth = None
            current = target
            response = self._get(name, current, headers, auth, deadline)
        return response

    def _get(
        self,
        name: str,
        url: str,
        headers: dict[str, str],
        auth: tuple[str, str] | None,
        deadline: float,
    ) -> requests.Response:
        remaining = self._remaining(name, deadline)
        try:
            return self.session.get(
                url,
                headers=headers,
                auth=auth,
                stream=True,
                timeout=min(self.timeout_s, remaining),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise self._failure(name, "download failed", exc, deadline) from exc

    def _stream(
        self, name: str, response: requests.Response, dest_dir: Path, deadline: float
    ) -> tuple[Path, str, int]:
        dest_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".download-", dir=dest_dir)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in _chunks(response):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise ListFetchError(f"{name}: download exceeds the {self.max_bytes} cap")
                    digest.update(chunk)
                    out.write(chunk)
                    self._remaining(name, deadline)
        except (requests.RequestException, Urllib3Error) as exc:
            os.unlink(tmp)
            raise self._failure(name, "download interrupted", exc, deadline) from exc
        except BaseException:
            os.unlink(tmp)
            raise
        return Path(tmp), digest.hexdigest(), size

    def _remaining(self, name: str, deadline: float) -> float:
        """Seconds left before `deadline`; raises ListFetchError once it has passed."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._too_slow(name)
        return remaining

    def _too_slow(self, name: str) -> ListFetchError:
        return ListFetchError(
            f"{name}: download took longer than the {self.deadline_s:g}s deadline"
        )

    def _failure(self, name: str, what: str, exc: Exception, deadline: float) -> ListFetchError:
        # Near the deadline the per-read timeout is cut to what is left, so a timeout then is the
        # deadline speaking.
        if time.monotonic() >= deadline:
            return self._too_slow(name)
        return ListFetchError(f"{name}: {what}: {_reason(exc)}")


def redirect_target(name: str, source: str, location: str) -> str:
    """The absolute URL a redirect from `source` to `location` leads to, if it may be followed.

    Only http and https are followed, and never from https down to http: a mirror answering
    `Location: file:///etc/passwd` would otherwise make the service read a local file through the
    file:// adapter, and a downgrade would send the download (and credentials) in clear text.
    Raises ListFetchError naming the refused target.
    """
    try:
        target = requote_uri(urljoin(source, location))
        before, after = urlsplit(source).scheme.lower(), urlsplit(target).scheme.lower()
    except ValueError as exc:
        raise ListFetchError(f"{name}: refused a redirect to an invalid URL: {exc}") from exc
    shown = redact(target)
    if after not in _DEFAULT_PORTS:
        raise ListFetchError(f"{name}: refused a redirect to a {after}: URL ({shown})")
    if before != after and (before, after) != ("http", "https"):
        raise ListFetchError(f"{name}: refused a redirect from {before} to {after} ({shown})")
    return target


def _keeps_credentials(source: str, target: str) -> bool:
    try:
        old, new = urlsplit(source), urlsplit(target)
        old_port = old.port or _DEFAULT_PORTS.get(old.scheme)
        new_port = new.port or _DEFAULT_PORTS.get(new.scheme)
    except ValueError:
        return False
    if old.hostname != new.hostname:
        return False
    if old.scheme == new.scheme:
        return old_port == new_port
    return (old.scheme, old_port, new.scheme, new_port) == ("http", 80, "https", 443)


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives: whatever the socket holds, up to CHUNK.

    iter_content(CHUNK) blocks until a full CHUNK is in, so a server trickling a byte at a time
    would keep the caller from checking its deadline for hours; read1 returns after each packet.
    """
    raw = response.raw
    if not isinstance(raw, HTTPResponse):
        # The file:// adapter: a local file does not trickle.
        yield from response.iter_content(CHUNK)
        return
    while chunk := raw.read1(CHUNK, decode_content=True):
        yield chunk


def _reason(exc: Exception) -> str:
    # After retries run out, urllib3 wraps the last timeout in MaxRetryError -> ConnectionError;
    # a timeout while reading the body comes straight from urllib3.
    first = exc.args[0] if exc.args else None
    causes = (exc, first, getattr(first, "reason", None))
    if any(isinstance(c, requests.Timeout | TimeoutError | ReadTimeoutError) for c in causes):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return f"connection failed ({type(exc).__name__})"
    # Messages such as InvalidURL's quote the URL, credentials and all.
    return redact(f"{type(exc).__name__}: {exc}")
