"""Settings read from the environment (and nothing heavy at import time)."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob Comptoir reads. Unprefixed names are the de-facto standard ones."""

    model_config = SettingsConfigDict(env_prefix="COMPTOIR_", extra="ignore")

    home: Path = Field(default=Path("var"))
    port: int = 8000
    host: str = "127.0.0.1"
    # Owner connection: runs migrations and provisions the application role.
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    # Application connection (non-superuser, subject to Row-Level Security).
    # When unset it is derived from DATABASE_URL with the role below.
    app_database_url: str | None = Field(default=None, validation_alias="APP_DATABASE_URL")
    app_db_role: str = "comptoir_app"
    app_db_password: str = "comptoir_app"
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    secret_key: str | None = None
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    # Login throttling: per (account, address) a few free attempts, then each further one
    # waits twice as long as the last (1 s, 2 s, 4 s … up to the maximum); per address a cap
    # on failed logins per minute and on sign-ups per hour.
    login_free_attempts: int = 3
    login_max_delay_minutes: int = 15
    login_ip_failures_per_minute: int = 30
    signups_per_ip_per_hour: int = 20
    # E-mail (invitations, address verification): through this SMTP server when set
    # (smtp://user:password@host:587 with STARTTLS if offered, or smtps://), else logged.
    smtp_url: str | None = None
    mail_from: str = "Comptoir <no-reply@comptoir.invalid>"
    # Base of the links put in e-mails (default: http://HOST:PORT).
    public_url: str | None = None
    # Development only (`comptoir run` turns it on): the API also returns the e-mailed
    # invitation and verification links to the caller.
    dev_links: bool = False
    log_level: str = "INFO"
    # LLM tier (off unless a provider is configured): "anthropic" or "openai" (any
    # OpenAI-compatible endpoint, e.g. a local Ollama at http://127.0.0.1:11434/v1).
    llm_provider: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_base_url: str | None = None
    # Tokens a tenant may send and receive per calendar month unless its policy says more.
    llm_monthly_token_cap: int = 200_000
    # Confirmation tokens of WRITE tools live this long.
    confirmation_minutes: int = 10

    def resolved_secret_key(self) -> str:
        """The signing key; generated once and kept under COMPTOIR_HOME when not configured."""
        if self.secret_key:
            return self.secret_key
        path = self.home / "secret.key"
        if not path.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        self.secret_key = path.read_text().strip()
        return self.secret_key
