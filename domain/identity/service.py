"""Identity services: sign-up, members, and the authentication flows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.audit.service import RequestContext
from domain.events import service as events
from domain.identity import repository as repo
from domain.identity.errors import (
    AccountDisabled,
    BadCredentials,
    EmailTaken,
    RefreshTokenReused,
    SessionRevoked,
    SlugTaken,
    TenantAccessDenied,
    TenantChoiceRequired,
)
from domain.identity.legal_ids import normalize_phone
from domain.identity.models import AuthSession, Membership, RefreshToken, Tenant, User
from domain.identity.passwords import Passwords
from domain.identity.schemas import MemberCreate, SignUp, TokenPair, UserCreate
from domain.identity.throttle import LoginThrottle
from domain.identity.tokens import Tokens
from domain.kit.clock import Clock
from domain.kit.db import Database
from domain.kit.errors import DomainError
from domain.kit.ids import uuid7
from domain.kit.principal import Principal, Role


def _new_user(session: Session, data: UserCreate, passwords: Passwords, region: str) -> User:
    user = User(
        id=uuid7(),
        email=data.email,
        name=data.name.strip(),
        password_hash=passwords.hash(data.password),
        phone=normalize_phone(data.phone, region) if data.phone else None,
    )
    session.add(user)
    return user


def register_tenant(
    db: Database, session: Session, data: SignUp, passwords: Passwords, ctx: RequestContext
) -> tuple[Tenant, User]:
    """Create a business with its first administrator, in the caller's transaction."""
    if repo.find_credentials(session, data.admin.email) is not None:
        raise EmailTaken()
    tenant_id = uuid7()
    db.bind_tenant(session, tenant_id)
    fields = data.tenant.model_dump()
    tenant = Tenant(id=tenant_id, **fields)
    session.add(tenant)
    user = _new_user(session, data.admin, passwords, data.tenant.country)
    try:
        # Other tenants' slugs are invisible here (RLS), so the unique constraint decides.
        session.flush()
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", "")
        raise (SlugTaken() if constraint == "uq_tenants_slug" else EmailTaken()) from exc
    session.add(Membership(tenant_id=tenant_id, user_id=user.id, roles=[Role.ADMIN.value]))
    session.flush()
    principal = Principal(
        tenant_id=tenant_id,
        user_id=user.id,
        roles=frozenset({Role.ADMIN}),
        channel=ctx.channel,
        request_id=ctx.request_id,
    )
    events.emit(
        session,
        principal,
        "tenant.created",
        tenant_id=tenant_id,
        slug=tenant.slug,
        country=tenant.country,
        admin_user_id=user.id,
    )
    audit.record(
        session,
        principal,
        "tenant.create",
        target_type="tenant",
        target_id=tenant_id,
        after={**fields, "admin": user.email},
        ip=ctx.ip,
    )
    return tenant, user


def add_member(
    session: Session, principal: Principal, data: MemberCreate, passwords: Passwords
) -> tuple[Membership, User]:
    """Give someone access to the principal's business (creating their account if new)."""
    principal.require(Role.ADMIN)
    tenant = repo.get_tenant(session, principal.tenant_id)
    assert tenant is not None  # the principal's tenant is visible by construction
    credentials = repo.find_credentials(session, data.email)
    if credentials is None:
        user_id = _new_user(session, data, passwords, tenant.country).id
        session.flush()
    else:
        if repo.get_membership(session, principal.tenant_id, credentials.user_id) is not None:
            raise EmailTaken("Cette personne est déjà membre de l'entreprise.")
        # An existing account joins with its own password; nothing of it is changed here.
        user_id = credentials.user_id
    roles = sorted({r.value for r in data.roles})
    membership = Membership(tenant_id=principal.tenant_id, user_id=user_id, roles=roles)
    session.add(membership)
    session.flush()
    # Visible now that it is a member (RLS hides accounts of other tenants).
    user = repo.get_user(session, user_id)
    assert user is not None
    events.emit(session, principal, "member.added", user_id=user.id, roles=roles)
    audit.record(
        session,
        principal,
        "member.add",
        target_type="user",
        target_id=user.id,
        after={"email": user.email, "roles": roles},
    )
    return membership, user


def list_members(session: Session, principal: Principal) -> list[tuple[Membership, User]]:
    principal.require(Role.ADMIN, Role.MANAGER, Role.HR)
    return repo.list_members(session, principal.tenant_id)


@dataclass(frozen=True, slots=True)
class _Refused:
    error: DomainError
    tenant_id: UUID | None
    user_id: UUID | None


class Authentication:
    """Login, refresh-token rotation, logout, and access-token checking."""

    def __init__(
        self,
        db: Database,
        tokens: Tokens,
        passwords: Passwords,
        throttle: LoginThrottle,
        clock: Clock,
    ) -> None:
        self.db = db
        self.tokens = tokens
        self.passwords = passwords
        self.throttle = throttle
        self.clock = clock

    def _refuse(
        self, ctx: RequestContext, action: str, refused: _Refused, **details: object
    ) -> NoReturn:
        audit.record_attempt(
            self.db,
            ctx,
            action,
            outcome="denied",
            tenant_id=refused.tenant_id,
            actor_id=refused.user_id,
            details={"code": refused.error.code, **details},
        )
        raise refused.error

    def login(
        self, ctx: RequestContext, *, email: str, password: str, tenant: str | None = None
    ) -> TokenPair:
        email = email.strip().lower()
        try:
            self.throttle.check(email, ctx.ip)
        except DomainError as exc:
            self._refuse(ctx, "auth.login", _Refused(exc, None, None), email=email)
        with self.db.unit_of_work() as session:
            credentials = repo.find_credentials(session, email)
            ok = self.passwords.verify(credentials.password_hash if credentials else None, password)
            access = repo.user_tenants(session, credentials.user_id) if credentials and ok else []
        if credentials is None or not ok:
            self.throttle.fail(email, ctx.ip)
            self._refuse(ctx, "auth.login", _Refused(BadCredentials(), None, None), email=email)
        assert credentials is not None
        chosen = self._choose_tenant(access, tenant)
        if isinstance(chosen, DomainError):
            self._refuse(
                ctx,
                "auth.login",
                _Refused(chosen, None, credentials.user_id),
                email=email,
                tenant=tenant,
            )
        if not credentials.is_active:
            self._refuse(
                ctx,
                "auth.login",
                _Refused(AccountDisabled(), chosen.tenant_id, credentials.user_id),
            )
        self.throttle.reset(email)
        with self.db.unit_of_work(chosen.tenant_id) as session:
            auth_session = AuthSession(
                tenant_id=chosen.tenant_id, user_id=credentials.user_id, channel=ctx.channel.value
            )
            session.add(auth_session)
            session.flush()
            pair = self._issue_pair(session, auth_session, chosen.slug)
            principal = self._principal(auth_session, chosen.roles, ctx)
            audit.record(
                session,
                principal,
                "auth.login",
                target_type="session",
                target_id=auth_session.id,
                ip=ctx.ip,
            )
        return pair

    @staticmethod
    def _choose_tenant(
        access: list[repo.TenantAccess], wanted: str | None
    ) -> repo.TenantAccess | DomainError:
        active = [a for a in access if a.is_active]
        if wanted is not None:
            match = [a for a in active if a.slug == wanted.strip().lower()]
            return match[0] if match else TenantAccessDenied()
        if len(active) == 1:
            return active[0]
        if not active:
            return TenantAccessDenied("Ce compte n'a accès à aucune entreprise.")
        slugs = ", ".join(sorted(a.slug for a in active))
        return TenantChoiceRequired(f"Précisez l'entreprise (champ « tenant ») : {slugs}.")

    def _issue_pair(self, session: Session, auth_session: AuthSession, slug: str) -> TokenPair:
        ids = {
            "user_id": auth_session.user_id,
            "tenant_id": auth_session.tenant_id,
            "session_id": auth_session.id,
        }
        access, _ = self.tokens.issue("access", token_id=uuid7(), **ids)
        refresh_id = uuid7()
        refresh, expires = self.tokens.issue("refresh", token_id=refresh_id, **ids)
        session.add(
            RefreshToken(
                tenant_id=auth_session.tenant_id,
                id=refresh_id,
                session_id=auth_session.id,
                expires_at=expires,
            )
        )
        session.flush()
        return TokenPair(
            access_token=access,
            refresh_token=refresh,
            expires_in=int(self.tokens.access_ttl.total_seconds()),
            tenant=slug,
        )

    @staticmethod
    def _principal(auth_session: AuthSession, roles: list[str], ctx: RequestContext) -> Principal:
        return Principal(
            tenant_id=auth_session.tenant_id,
            user_id=auth_session.user_id,
            roles=frozenset(Role(r) for r in roles),
            channel=ctx.channel,
            session_id=auth_session.id,
            request_id=ctx.request_id,
        )

    def refresh(self, ctx: RequestContext, refresh_token: str) -> TokenPair:
        """Rotate: the presented token is spent and a new pair issued. Presenting a spent
        token again means it leaked — the whole session is revoked."""
        try:
            claims = self.tokens.decode(refresh_token, "refresh")
        except DomainError as exc:
            self._refuse(ctx, "auth.refresh", _Refused(exc, None, None))
        now = self.clock.now()
        outcome: TokenPair | _Refused
        with self.db.unit_of_work(claims.tenant_id) as session:
            token = repo.lock_refresh_token(session, claims.tenant_id, claims.token_id)
            auth_session = repo.get_session(session, claims.tenant_id, claims.session_id)
            member = repo.get_membership(session, claims.tenant_id, claims.user_id)
            user = repo.get_user(session, claims.user_id)
            tenant = repo.get_tenant(session, claims.tenant_id)
            if token is None or auth_session is None or tenant is None:
                outcome = _Refused(SessionRevoked(), claims.tenant_id, claims.user_id)
            elif auth_session.revoked_at is not None:
                outcome = _Refused(SessionRevoked(), claims.tenant_id, claims.user_id)
            elif token.used_at is not None:
                auth_session.revoked_at, auth_session.revoked_reason = now, "refresh_reuse"
                outcome = _Refused(RefreshTokenReused(), claims.tenant_id, claims.user_id)
            elif member is None or not member.is_active or user is None or not user.is_active:
                outcome = _Refused(AccountDisabled(), claims.tenant_id, claims.user_id)
            else:
                token.used_at = now
                outcome = self._issue_pair(session, auth_session, tenant.slug)
                audit.record(
                    session,
                    self._principal(auth_session, member.roles, ctx),
                    "auth.refresh",
                    target_type="session",
                    target_id=auth_session.id,
                    ip=ctx.ip,
                )
        if isinstance(outcome, _Refused):
            # The revocation above (reuse) is committed; the refusal is audited on its own.
            self._refuse(ctx, "auth.refresh", outcome, session=str(claims.session_id))
        return outcome

    def authenticate(self, ctx: RequestContext, access_token: str) -> Principal:
        """The principal behind an access token, with roles read fresh from the database."""
        try:
            claims = self.tokens.decode(access_token, "access")
        except DomainError as exc:
            self._refuse(ctx, "auth.access", _Refused(exc, None, None))
        with self.db.unit_of_work(claims.tenant_id) as session:
            auth_session = repo.get_session(session, claims.tenant_id, claims.session_id)
            member = repo.get_membership(session, claims.tenant_id, claims.user_id)
            user = repo.get_user(session, claims.user_id)
            revoked = auth_session is None or auth_session.revoked_at is not None
            disabled = member is None or not member.is_active or user is None or not user.is_active
        if revoked or disabled:
            error = SessionRevoked() if revoked else AccountDisabled()
            self._refuse(ctx, "auth.access", _Refused(error, claims.tenant_id, claims.user_id))
        assert auth_session is not None and member is not None
        return self._principal(auth_session, member.roles, ctx)

    def logout(self, session: Session, principal: Principal) -> None:
        auth_session = repo.get_session(session, principal.tenant_id, principal.session_id)  # type: ignore[arg-type]
        if auth_session is None or auth_session.revoked_at is not None:
            raise SessionRevoked()
        auth_session.revoked_at, auth_session.revoked_reason = self.clock.now(), "logout"
        session.flush()
        audit.record(
            session, principal, "auth.logout", target_type="session", target_id=auth_session.id
        )
