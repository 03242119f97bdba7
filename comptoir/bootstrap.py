"""The composition root: settings in, wired services out. Nothing runs at import time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING
from uuid import UUID

from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from comptoir import dbadmin
from comptoir.runtime import Endpoints, resolve_endpoints
from comptoir.settings import Settings
from domain.audit.sampling import RefusalWindows
from domain.identity.invitations import InvitationAcceptance
from domain.identity.links import Links
from domain.identity.mail import Mailer, build_mailer
from domain.identity.passwords import Passwords
from domain.identity.service import Authentication
from domain.identity.throttle import LoginThrottle
from domain.identity.tokens import Tokens
from domain.kit.clock import Clock, SystemClock
from domain.kit.db import Database, make_engine
from domain.kit.rls import TenantSigner

if TYPE_CHECKING:
    from agents.llm.providers import ChatModel
    from agents.service import Agent
    from domain.finance.payables.scan_reading import ScanReader


@dataclass
class Container:
    settings: Settings
    endpoints: Endpoints
    clock: Clock

    @property
    def app_database_url(self) -> str:
        s = self.settings
        return s.app_database_url or dbadmin.app_url(
            self.endpoints.database_url, s.app_db_role, s.resolved_app_db_password()
        )

    @property
    def app_role_credentials(self) -> tuple[str, str | None]:
        """The application role and the password provisioning gives it: those of
        APP_DATABASE_URL when set (its password, if any, is the one that must work), else
        COMPTOIR_APP_DB_ROLE with the configured or generated password."""
        s = self.settings
        if s.app_database_url:
            url = make_url(s.app_database_url)
            return url.username or s.app_db_role, url.password
        return s.app_db_role, s.resolved_app_db_password()

    @cached_property
    def owner_engine(self) -> Engine:
        return make_engine(self.endpoints.database_url, pool_size=2)

    @cached_property
    def db(self) -> Database:
        signer = TenantSigner(self.settings.resolved_secret_key())
        return Database(make_engine(self.app_database_url), signer, self._event_publisher())

    def _event_publisher(self) -> Callable[[UUID, UUID], None]:
        from automations.celery_app import configure
        from automations.events import publish_with_celery

        configure(self.endpoints.redis_url)
        return publish_with_celery

    @cached_property
    def redis(self) -> Redis:
        return Redis.from_url(self.endpoints.redis_url)

    @cached_property
    def passwords(self) -> Passwords:
        return Passwords()

    @cached_property
    def tokens(self) -> Tokens:
        s = self.settings
        return Tokens(
            s.resolved_secret_key(),
            self.clock,
            access_ttl=timedelta(minutes=s.access_token_minutes),
            refresh_ttl=timedelta(days=s.refresh_token_days),
        )

    @cached_property
    def authentication(self) -> Authentication:
        s = self.settings
        throttle = LoginThrottle(
            self.redis,
            free_attempts=s.login_free_attempts,
            max_delay_seconds=s.login_max_delay_minutes * 60,
            ip_failures_per_minute=s.login_ip_failures_per_minute,
            signups_per_hour=s.signups_per_ip_per_hour,
        )
        return Authentication(
            self.db,
            self.tokens,
            self.passwords,
            throttle,
            self.clock,
            refusals=RefusalWindows(self.redis),
        )

    @cached_property
    def links(self) -> Links:
        s = self.settings
        public_url = s.public_url or f"http://{s.host}:{s.port}"
        return Links(s.resolved_secret_key(), public_url)

    @cached_property
    def mailer(self) -> Mailer:
        return build_mailer(self.settings.smtp_url, self.settings.mail_from)

    @cached_property
    def invitations(self) -> InvitationAcceptance:
        return InvitationAcceptance(self.db, self.passwords, self.links)

    @cached_property
    def chat_model(self) -> ChatModel | None:
        """The configured language model (``COMPTOIR_LLM_*``), or None: offline only."""
        from agents.llm.providers import build_chat_model

        return build_chat_model(self.settings)

    @property
    def scan_reader(self) -> ScanReader | None:
        """What reads a scanned supplier bill into a proposed draft: the language model
        when one is configured, else nothing (the scan stays an empty draft)."""
        from agents.llm.bill_reader import LlmScanReader

        return LlmScanReader(self.chat_model) if self.chat_model is not None else None

    @cached_property
    def agent(self) -> Agent:
        """The conversational agent (local tier always; LLM tier when configured)."""
        from agents.llm.budget import TokenBudget
        from agents.llm_tier import LLMTier
        from agents.local.adapters import all_adapters
        from agents.local.router import IntentRouter, load_intents
        from agents.local.understanding import LocalTier
        from agents.service import Agent
        from tools.confirmation import Confirmations
        from tools.registry import default_registry

        s = self.settings
        registry = default_registry()
        router = IntentRouter(load_intents(), cache_dir=s.home / "cache")
        model = self.chat_model
        llm = (
            LLMTier(model, registry, TokenBudget(s.llm_monthly_token_cap))
            if model is not None
            else None
        )
        return Agent(
            db=self.db,
            clock=self.clock,
            registry=registry,
            local=LocalTier(router, all_adapters(), registry),
            confirmations=Confirmations(
                s.resolved_secret_key(), timedelta(minutes=s.confirmation_minutes)
            ),
            llm=llm,
        )

    def prepare_database(self) -> None:
        """Apply migrations and (re)provision the application role. Idempotent."""
        dbadmin.migrate(self.owner_engine)
        role, password = self.app_role_credentials
        dbadmin.provision_app_role(
            self.owner_engine, role, password, self.settings.resolved_secret_key()
        )

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()
        if "owner_engine" in self.__dict__:
            self.owner_engine.dispose()
        if "redis" in self.__dict__:
            self.redis.close()


def build_container(settings: Settings | None = None, clock: Clock | None = None) -> Container:
    """The container of a process; refuses (``ConfigurationError``) to start on an external
    server without the application role's password."""
    settings = settings or Settings()
    settings.check_external_database()
    return Container(
        settings=settings, endpoints=resolve_endpoints(settings), clock=clock or SystemClock()
    )
