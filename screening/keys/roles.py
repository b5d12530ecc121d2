"""Roles and what each may do. Separate capabilities, not a ladder a signup key could climb:
the signup and authentication callers may only screen one party and read account access;
analysts also read lists and screen in bulk; admins also refresh lists and manage keys."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SIGNUP = "signup"
    ANALYST = "analyst"
    ADMIN = "admin"
    # A metrics scraper (SCREENING_METRICS_TOKEN): /metrics only.
    METRICS = "metrics"


class Permission(StrEnum):
    SCREEN = "screen"
    SCREEN_BATCH = "screen_batch"
    READ_LISTS = "read_lists"
    READ_SCREENINGS = "read_screenings"
    REFRESH_LISTS = "refresh_lists"
    MANAGE_LISTS = "manage_lists"
    READ_METRICS = "read_metrics"
    READ_ACCESS = "read_access"
    MANAGE_CUSTOMERS = "manage_customers"
    REVIEW_ALERTS = "review_alerts"
    MANAGE_WEBHOOKS = "manage_webhooks"
    # Linked accounts: the signup and authentication callers send signals; analysts read links.
    SEND_SIGNALS = "send_signals"
    READ_LINKS = "read_links"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.SIGNUP: frozenset({Permission.SCREEN, Permission.READ_ACCESS, Permission.SEND_SIGNALS}),
    Role.ANALYST: frozenset(
        {
            Permission.SCREEN,
            Permission.SCREEN_BATCH,
            Permission.READ_LISTS,
            Permission.READ_SCREENINGS,
            Permission.READ_ACCESS,
            Permission.MANAGE_CUSTOMERS,
            Permission.REVIEW_ALERTS,
            Permission.SEND_SIGNALS,
            Permission.READ_LINKS,
        }
    ),
    Role.ADMIN: frozenset(Permission),
    Role.METRICS: frozenset({Permission.READ_METRICS}),
}
