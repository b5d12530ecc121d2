"""Settings, read from `SCREENING_*` environment variables (or a `.env` file).

Only the composition roots (the CLI, the app factory, the scheduler, migrations/env.py) call
`get_settings()`; everything below them receives plain values, so tests never patch globals.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCREENING_", env_file=".env", extra="ignore")

    # SQLite is the zero-set-up default; production runs PostgreSQL
    # (postgresql+psycopg://user@host/db).
    database_url: str = "sqlite:///./screening.db"
    # Raw list files, stored content-addressed by SHA-256 (never overwritten, never lost).
    data_dir: Path = Path("./data")
    # Base URL replacing every official list URL with {mirror}/{source}/{file name}
    # (file:// or http(s)://), for air-gapped sites and tests. Empty: the official URLs.
    list_mirror: str = ""
    # Network limits for list downloads.
    http_timeout_s: float = Field(default=60.0, gt=0)
    http_retries: int = Field(default=3, ge=0, le=10)
    max_download_mb: int = Field(default=512, gt=0)
    user_agent: str = "restricted-party-screening/0.1 (+https://github.com/)"
    # A new version that drops more than this share of the active version's parties is refused
    # as suspicious (a half-downloaded or half-published list) until an admin forces it.
    max_drop_share: float = Field(default=0.3, ge=0, le=1)
    # Whole-file deadline for one list download (the timeout above is per read: a server that
    # trickles a byte a second never trips it), and the longest Retry-After a retry will honour.
    http_deadline_s: float = Field(default=900.0, gt=0)
    http_max_retry_after_s: float = Field(default=60.0, ge=0)
    # Seconds a refresh lease lasts without a heartbeat (the holder renews it three times per
    # period): a refresher killed with SIGKILL frees its source within this time.
    lease_seconds: int = Field(default=60, ge=5)
    # How often a service process checks for list versions activated by other processes.
    index_poll_s: float = Field(default=10.0, gt=0)
    # /v1/readyz turns 503 when the index has been behind the active versions this long.
    index_max_lag_s: float = Field(default=120.0, gt=0)
    # /v1/readyz answers 503 when a source's active version is older than this many hours
    # (0: never). A week covers a long weekend of a publisher's outage, not a dead fetcher.
    max_list_age_hours: float = Field(default=168.0, ge=0)
    # Sources that must have an active version for /v1/readyz to say ready (comma-separated).
    required_sources: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Where an auto-minted admin key is written (mode 0600) when SCREENING_API_KEYS is empty.
    bootstrap_key_file: Path = Path("./data/bootstrap-admin-key")
    # Run the API's refreshes (scheduled, start-up, admin-triggered) in a child process, so that
    # parsing a list never holds the request path's GIL.
    refresh_in_subprocess: bool = True
    # CPU priority (nice increment, 0-19) of the processes that only refresh and rescreen: the
    # scheduler process, the API's refresh child, `screening lists refresh`. On a small host
    # they share cores with the request path, which must win.
    background_nice: int = Field(default=10, ge=0, le=19)
    # Run the refresh scheduler inside the API process (single-worker deployments only).
    scheduler_in_process: bool = True
    # Refresh every source once at start-up when it has no active version yet.
    refresh_on_start: bool = True
    # API keys as "role:key" pairs, comma-separated; roles: signup, analyst, admin.
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    # The screening policy (TOML); empty: the default policy shipped with the package.
    policy_file: Path | None = None
    # A token that may read /metrics and nothing else (Authorization: Bearer); admins may too.
    metrics_token: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # Four-eyes review: an alert decision is proposed by one key and approved by another.
    four_eyes: bool = False
    # `customers import` refuses larger files before reading them.
    customer_import_max_mb: int = Field(default=50, gt=0)
    # Customers per chunk of a full rescreen (each chunk is one transaction).
    rescreen_chunk_size: int = Field(default=500, ge=1, le=100_000)
    # Processes a full rescreen on SQLite runs in (one per core is the most that helps); on
    # PostgreSQL, start `screening worker` processes instead.
    rescreen_processes: int = Field(default=1, ge=1, le=32)
    # The scheduler's full rescreen (hours between runs; 0: never) and how often it looks for
    # pending deltas (list versions activated by any process since the last rescreen).
    rescreen_full_interval_hours: float = Field(default=168.0, ge=0)
    rescreen_delta_poll_s: float = Field(default=60.0, gt=0)
    # Webhooks: per-POST timeout, attempts before a delivery is given up, the first retry's
    # delay (doubling, at most an hour), and how often due deliveries are looked for.
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=120)
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    webhook_retry_base_s: float = Field(default=10.0, ge=0)
    webhook_poll_s: float = Field(default=5.0, gt=0)
    # Linked accounts: the key of the keyed hash (HMAC-SHA256) under which personal signals are
    # stored; at least 32 characters. Empty: a key is made once and kept in `signal_key_file`
    # (mode 0600; default {data_dir}/signal-key) - one host only; several hosts must share
    # SCREENING_SIGNAL_KEY.
    signal_key: SecretStr | None = None
    signal_key_file: Path | None = None
    # Keys a rotation retired, comma-separated: values stored under them are still found, and
    # stored under the current key when next shown. Drop one once the retention period
    # (signal_max_age_days) has passed since the rotation.
    signal_previous_keys: SecretStr | None = None
    # A signal shared by more accounts than this (a mail provider, a big cloud's ASN, a
    # corporate NAT) stops linking anyone.
    link_max_degree: int = Field(default=200, ge=2, le=1_000_000)
    # The same for a payment card, a device, a phone or a mailbox, one person's: shared by
    # hundreds of accounts, one of those is a farm, not a crowd. Never under link_max_degree
    # (the larger of the two applies).
    link_personal_max_degree: int = Field(default=2_000, ge=2, le=1_000_000)
    # Links followed from a denied account, and the most accounts one cluster may reach.
    link_max_hops: int = Field(default=8, ge=1, le=20)
    link_max_cluster: int = Field(default=50_000, ge=1, le=1_000_000)
    # 2 (default): links are not followed through an account the cluster reaches by one value
    # alone (a stolen card's owner), unless by a crowd link; 1 follows every link. See README,
    # Linked accounts.
    link_through_values: int = Field(default=2, ge=1, le=5)
    # How often the API process looks for newly denied accounts to link from (0: never; then
    # run `screening links sweep`).
    link_sweep_s: float = Field(default=10.0, ge=0)
    # Signals an account has not shown for this many days are forgotten at the next sweep
    # (they stop linking, and personal data is not kept for ever); 0 keeps them.
    signal_max_age_days: int = Field(default=0, ge=0, le=36_500)
    # `signals import` refuses larger files before reading them.
    signal_import_max_mb: int = Field(default=200, gt=0)
    # Analyst pages: session cookies are Secure (sent over HTTPS only) unless this is turned off
    # for plain-http use on one's own machine.
    web_secure_cookies: bool = True
    # A browser session ends after this long without a request, and after this lifetime anyway.
    web_session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    web_session_hours: int = Field(default=12, ge=1, le=7 * 24)
    # Consecutive failed sign-ins that lock an account, and for how long.
    web_lockout_failures: int = Field(default=5, ge=1, le=100)
    web_lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)

    @field_validator("api_keys", "required_sources", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
