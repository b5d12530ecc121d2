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
    # Base URL replacing every official list URL with {mirror}/{source_id}/{file name}
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
    # Minutes a refresh lease is held before another process may take it over (crash recovery).
    lease_minutes: int = Field(default=30, gt=0)
    # Run the refresh scheduler inside the API process (single-worker deployments only).
    scheduler_in_process: bool = True
    # Refresh every source once at start-up when it has no active version yet.
    refresh_on_start: bool = True
    # API keys as "role:key" pairs, comma-separated; roles: signup, analyst, admin.
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 8000

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
