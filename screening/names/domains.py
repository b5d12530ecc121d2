"""Registrable domains (the Public Suffix List) of websites and e-mail addresses.

`chat.deepseek.com` and `deepseek.com` are one organisation's; `deepseek.com.example.org` is
example.org's and `notdeepseek.com` is nobody's but its own. The Public Suffix List (shipped with
the `publicsuffixlist` package, no download at run time) knows where registrations happen,
including private suffixes such as github.io, where every subdomain is a different owner.

A website and an e-mail address are different evidence: `mail.aliyun.com` as a website is
Alibaba's, while `someone@aliyun.com` is a free mailbox that says nothing about its owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from publicsuffixlist import PublicSuffixList

from screening.names.hosts import hostname_of, shared_kind

Role = Literal["website", "email"]


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


@dataclass(frozen=True, slots=True)
class Domain:
    """What a website or e-mail address says about its owner."""

    host: str
    # The registrable domain ("deepseek.com"), or, on a hosting site, host + page
    # ("youtube.com/c/channel"): the unit one owner controls.
    registrable: str
    role: Role


def registrable_domain(host: str) -> str | None:
    """`chat.deepseek.com` -> `deepseek.com`; None for a bare public suffix (`co.uk`)."""
    found: str | None = _psl().privatesuffix(host)
    return found


def domain_of(value: str, role: Role) -> Domain | None:
    """The Domain of a website/URL (role "website") or an e-mail address (role "email").

    None when there is no host name, when it is a public suffix, when an e-mail address is at a
    mailbox provider, or when a website is a hosting site without a page on it.
    """
    host = hostname_of(value)
    if host is None:
        return None
    kind = shared_kind(host)
    if role == "email":
        if kind is not None:
            return None  # a mailbox (or a social site) anyone can have an address at
        unit = registrable_domain(host)
        return Domain(host, unit, role) if unit else None
    if kind == "hosting":
        path = value.split("://", 1)[-1].split("/", 1)[1:] or [""]
        page = "/".join(p for p in path[0].split("?")[0].split("/") if p)[:200]
        base = registrable_domain(host) or host
        return Domain(host, f"{base}/{page.lower()}", role) if page else None
    unit = registrable_domain(host)
    return Domain(host, unit, role) if unit else None
