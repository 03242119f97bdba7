"""Settings read from the environment (and nothing heavy at import time)."""

from __future__ import annotations

import os
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
    # Generated under COMPTOIR_HOME when unset; required with an external DATABASE_URL.
    app_db_password: str | None = None
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
    # WhatsApp Cloud API (docs/whatsapp.md). Until the token, app secret and verify token
    # are set, the webhook answers 503 and nothing is sent. The API URL carries the Graph
    # API version; tests and demos point it at a local fake.
    whatsapp_access_token: str | None = None
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_api_url: str = "https://graph.facebook.com/v23.0"

    def resolved_secret_key(self) -> str:
        """The signing key; generated once and kept under COMPTOIR_HOME when not configured."""
        if not self.secret_key:
            self.secret_key = home_secret(self.home / "secret.key")
        return self.secret_key

    def resolved_app_db_password(self) -> str:
        """The application role's password: ``COMPTOIR_APP_DB_PASSWORD``, else generated once
        and kept under COMPTOIR_HOME (0600), so every start applies the same one."""
        if not self.app_db_password:
            self.app_db_password = home_secret(self.home / "app-db.password")
        return self.app_db_password

    def check_external_database(self) -> None:
        """With an external server the application role's password must be configured.

        Roles are cluster-wide and every host (API replicas, workers) provisions the role at
        start: a password generated in one host's COMPTOIR_HOME would be replaced by the next
        host's, locking the others out.
        """
        if self.database_url and not (self.app_database_url or self.app_db_password):
            raise ConfigurationError(APP_DB_PASSWORD_REQUIRED)


APP_DB_PASSWORD_REQUIRED = (
    "COMPTOIR_APP_DB_PASSWORD est obligatoire quand DATABASE_URL désigne un serveur "
    "PostgreSQL externe (ou donnez APP_DATABASE_URL complète). "
    "/ COMPTOIR_APP_DB_PASSWORD is required when DATABASE_URL points at an external "
    "PostgreSQL server (or give a full APP_DATABASE_URL)."
)


class ConfigurationError(RuntimeError):
    """A setting that must be given is missing; the message says which, in French and
    English, for whoever starts the service."""


def home_secret(path: Path) -> str:
    """A random secret kept in ``path`` (created 0600 if absent, then reused).

    Parallel starts (test workers, API and worker processes) may race to create it: the
    file is written aside and linked into place, so every process reads the one winner.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process won the race: use its secret
        finally:
            draft.unlink()
    return path.read_text().strip()
