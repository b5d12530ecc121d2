"""Hosts, domains and e-mail addresses: one normaliser, one table of shared providers.

A website or e-mail domain is strong evidence of who a party is, unless many unrelated parties
share it. Two kinds of shared host are in `data/shared_hosts.tsv`, with their reasons:
- mailbox providers (gmail.com, qq.com, mail.ru): their domain never counts;
- hosting sites (youtube.com, t.me, github.com): only the same page counts, so a listed
  `youtube.com/c/some-channel` is not met by `youtube.com/c/another`, nor by youtube.com itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Final, Literal
from urllib.parse import urlsplit

SharedKind = Literal["mail", "hosting"]

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME: Final = re.compile(rf"^(?:{_LABEL}\.)+{_LABEL}$")
_SCHEME: Final = re.compile(r"^[a-z][a-z0-9+.-]*://")


@lru_cache(maxsize=1)
def shared_hosts() -> dict[str, SharedKind]:
    table: dict[str, SharedKind] = {}
    text = resources.files("screening.names").joinpath("data/shared_hosts.tsv").read_text("utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        host, _, kind = line.partition("\t")
        if kind not in ("mail", "hosting") or not _HOSTNAME.match(host):
            raise ValueError(f"shared_hosts.tsv line {number}: bad row {line!r}")
        table[host] = kind  # type: ignore[assignment]  # checked just above
    return table


def shared_kind(host: str) -> SharedKind | None:
    """The kind of shared provider `host` belongs to (itself or a parent domain), if any."""
    table = shared_hosts()
    labels = host.split(".")
    for start in range(len(labels) - 1):
        kind = table.get(".".join(labels[start:]))
        if kind is not None:
            return kind
    return None


@dataclass(frozen=True, slots=True)
class Host:
    """A normalised host, with the page on it when the host is a shared hosting site."""

    host: str
    page: str = ""

    @property
    def key(self) -> str:
        return f"{self.host}/{self.page}" if self.page else self.host

    def meets(self, listed: Host) -> bool:
        """True when this (a screened party's) host is the listed one or one of its subdomains;
        on a hosting site, only the same page."""
        if listed.page or self.page:
            return self.host == listed.host and self.page == listed.page
        return self.host == listed.host or self.host.endswith("." + listed.host)


def _split(value: str) -> tuple[str, str] | None:
    """(host name, path) of a URL, bare host or e-mail address; None when it holds no valid
    host name. IDN hosts are compared in their ASCII (punycode) form."""
    text = value.strip().lower()
    if "@" in text and "://" not in text:
        text = text.rsplit("@", 1)[1]
    if not _SCHEME.match(text):
        text = "http://" + text
    try:
        parts = urlsplit(text)
        hostname = (parts.hostname or "").rstrip(".").removeprefix("www.")
        if not hostname.isascii():
            hostname = hostname.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return None
    if not _HOSTNAME.match(hostname):
        return None
    return hostname, parts.path


def hostname_of(value: str) -> str | None:
    """The host name in a URL, bare host or e-mail address, or None when there is none."""
    split = _split(value)
    return split[0] if split else None


def parse_host(value: str) -> Host | None:
    """A URL, a bare host or an e-mail address -> its Host; None when it is not one, or when it
    is a mailbox provider or a hosting site with no page (they identify nobody)."""
    split = _split(value)
    if split is None:
        return None
    hostname, path = split
    kind = shared_kind(hostname)
    if kind == "mail":
        return None
    if kind == "hosting":
        page = "/".join(p for p in path.split("/") if p)[:200]
        return Host(hostname, page) if page else None
    return Host(hostname)


def normalize_host(value: str) -> str | None:
    """`https://www.Example.com/about` -> `example.com`; `t.me/chan` stays; gmail.com -> None."""
    host = parse_host(value)
    return host.key if host else None


def host_from_key(key: str) -> Host:
    """The Host whose `key` is `key` (hosts never contain '/')."""
    host, _, page = key.partition("/")
    return Host(host, page)
