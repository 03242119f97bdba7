"""Small factories going through the domain services (never raw SQL)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from comptoir.bootstrap import Container
from domain.audit.service import RequestContext
from domain.identity import service as identity
from domain.identity.schemas import MemberCreate, SignUp, TenantCreate, UserCreate
from domain.identity.service import Authentication
from domain.identity.tokens import Tokens
from domain.kit.clock import Clock
from domain.kit.principal import Channel, Principal, Role

PASSWORD = "mot-de-passe-solide"


@dataclass(frozen=True)
class Account:
    tenant_id: UUID
    slug: str
    user_id: UUID
    email: str
    password: str = PASSWORD

    def principal(self, *roles: Role) -> Principal:
        return Principal(
            tenant_id=self.tenant_id,
            user_id=self.user_id,
            roles=frozenset(roles or {Role.ADMIN}),
            channel=Channel.API,
        )


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def make_tenant(
    container: Container,
    *,
    country: str = "FR",
    name: str = "Test SARL",
    email: str | None = None,
    **legal_ids: str,
) -> Account:
    slug = unique("t")
    email = email or f"{slug}@example.com"
    data = SignUp(
        tenant=TenantCreate(name=name, slug=slug, country=country, **legal_ids),  # type: ignore[arg-type]
        admin=UserCreate(email=email, name="Admin Test", password=PASSWORD),
    )
    with container.db.unit_of_work() as session:
        tenant, user = identity.register_tenant(
            container.db, session, data, container.passwords, RequestContext(channel=Channel.CLI)
        )
    return Account(tenant_id=tenant.id, slug=slug, user_id=user.id, email=email)


def make_member(
    container: Container, admin: Account, *roles: Role, email: str | None = None
) -> Account:
    email = email or f"{unique('m')}@example.com"
    with container.db.unit_of_work(admin.tenant_id) as session:
        _, user = identity.add_member(
            session,
            admin.principal(),
            MemberCreate(
                email=email,
                name="Membre Test",
                password=PASSWORD,
                roles=list(roles or [Role.EMPLOYEE]),
            ),
            container.passwords,
        )
    return Account(tenant_id=admin.tenant_id, slug=admin.slug, user_id=user.id, email=email)


def login(http, account: Account, **extra: object) -> dict:  # type: ignore[no-untyped-def,type-arg]
    response = http.post(
        "/api/v1/auth/login", json={"email": account.email, "password": account.password, **extra}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def authentication_at(container: Container, clock: Clock) -> Authentication:
    """The container's authentication, but living on ``clock`` (15 min / 7 days tokens)."""
    tokens = Tokens(
        container.settings.resolved_secret_key(),
        clock,
        access_ttl=timedelta(minutes=15),
        refresh_ttl=timedelta(days=7),
    )
    return Authentication(
        container.db, tokens, container.passwords, container.authentication.throttle, clock
    )
