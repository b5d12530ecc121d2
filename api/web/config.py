"""What the analyst pages need from the settings, read once when the app is built."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from screening.people.sessions import Lifetimes
from screening.people.users import Lockout
from screening.settings import Settings

PREFIX = "/ui"


@dataclass(frozen=True, slots=True)
class WebConfig:
    secure_cookies: bool
    lifetimes: Lifetimes
    lockout: Lockout
    four_eyes: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> WebConfig:
        return cls(
            secure_cookies=settings.web_secure_cookies,
            lifetimes=Lifetimes(
                idle=timedelta(minutes=settings.web_session_idle_minutes),
                absolute=timedelta(hours=settings.web_session_hours),
            ),
            lockout=Lockout(
                failures=settings.web_lockout_failures,
                duration=timedelta(minutes=settings.web_lockout_minutes),
            ),
            four_eyes=settings.four_eyes,
        )

    @property
    def session_cookie(self) -> str:
        # `__Host-`: the browser only accepts it Secure, host-only and for path /, so neither a
        # sibling subdomain nor plain http can plant or overwrite it.
        return "__Host-rps_session" if self.secure_cookies else "rps_session"

    @property
    def signin_cookie(self) -> str:
        return "__Host-rps_signin" if self.secure_cookies else "rps_signin"
