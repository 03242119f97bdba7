"""Identity services: sign-up, members, and the authentication flows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import onboarding
from domain.audit import service as audit
from domain.audit.sampling import RefusalWindows, address_bucket
from domain.audit.service import RequestContext
from domain.events import service as events
from domain.identity import repository as repo
from domain.identity.errors import (
    AccountDisabled,
    BadCredentials,
    EmailNotVerified,
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
from domain.identity.schemas import MemberCreate, SignUp, TenantCreate, TokenPair, UserCreate
from domain.identity.throttle import LoginThrottle
from domain.identity.tokens import Tokens
from domain.kit.base import utcnow
from domain.kit.clock import Clock
from domain.kit.db import Database
from domain.kit.errors import DomainError
from domain.kit.ids import uuid7
from domain.kit.principal import Principal, Role


def new_user(
    session: Session,
    data: UserCreate,
    password_hash: str,
    region: str,
    *,
    verified_at: datetime | None,
) -> User:
    user = User(
        id=uuid7(),
        email=data.email,
        name=data.name.strip(),
        password_hash=password_hash,
        phone=normalize_phone(data.phone, region) if data.phone else None,
        email_verified_at=verified_at,
    )
    session.add(user)
    return user


def flush_new_tenant(session: Session) -> None:
    try:
        # Other tenants' slugs are invisible here (RLS), so the unique constraint decides.
        session.flush()
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", "")
        raise (SlugTaken() if constraint == "uq_tenants_slug" else EmailTaken()) from exc


def tenant_fields(tenant: Tenant) -> dict[str, object]:
    """What the business was created with, for its audit entry."""
    return {name: getattr(tenant, name) for name in TenantCreate.model_fields}


def add_tenant(db: Database, session: Session, data: SignUp) -> Tenant:
    tenant_id = uuid7()
    db.bind_tenant(session, tenant_id)
    tenant = Tenant(id=tenant_id, **data.tenant.model_dump())
    session.add(tenant)
    return tenant


def admin_principal(tenant_id: UUID, user_id: UUID, ctx: RequestContext) -> Principal:
    return Principal(
        tenant_id=tenant_id,
        user_id=user_id,
        roles=frozenset({Role.ADMIN}),
        channel=ctx.channel,
        request_id=ctx.request_id,
    )


def register_tenant(
    db: Database, session: Session, data: SignUp, passwords: Passwords, ctx: RequestContext
) -> tuple[Tenant, User]:
    """Create a business with its first administrator, whose address is taken as verified.

    Trusted provisioning only (demo seed, evals, operators, tests): the public sign-up is
    ``sign_up``, which proves the address first and never reveals an existing account.
    """
    if repo.find_credentials(session, data.admin.email) is not None:
        raise EmailTaken()
    tenant = add_tenant(db, session, data)
    password_hash = passwords.hash(data.admin.password)
    user = new_user(session, data.admin, password_hash, data.tenant.country, verified_at=utcnow())
    flush_new_tenant(session)
    start_tenant(session, tenant, user, admin_principal(tenant.id, user.id, ctx), ctx)
    return tenant, user


def start_tenant(
    session: Session, tenant: Tenant, user: User, principal: Principal, ctx: RequestContext
) -> None:
    tenant_id = tenant.id
    session.add(Membership(tenant_id=tenant_id, user_id=user.id, roles=[Role.ADMIN.value]))
    session.flush()
    onboarding.prepare_tenant(session, principal, tenant)
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
        after={**tenant_fields(tenant), "admin": user.email},
        ip=ctx.ip,
    )


def add_member(
    session: Session, principal: Principal, data: MemberCreate, passwords: Passwords
) -> tuple[Membership, User]:
    """Give someone access to the principal's business (creating their account, verified,
    if new). Trusted provisioning only (demo seed, evals, tests): the API invites instead
    (``domain.identity.invitations``), so no admin can attach or inspect an account."""
    principal.require(Role.ADMIN)
    tenant = repo.get_tenant(session, principal.tenant_id)
    assert tenant is not None  # the principal's tenant is visible by construction
    credentials = repo.find_credentials(session, data.email)
    if credentials is None:
        password_hash = passwords.hash(data.password)
        user_id = new_user(session, data, password_hash, tenant.country, verified_at=utcnow()).id
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


@dataclass(frozen=True, slots=True)
class _SessionIds:
    tenant_id: UUID
    user_id: UUID
    session_id: UUID

    def principal(self, roles: list[str], ctx: RequestContext) -> Principal:
        return Principal(
            tenant_id=self.tenant_id,
            user_id=self.user_id,
            roles=frozenset(Role(r) for r in roles),
            channel=ctx.channel,
            session_id=self.session_id,
            request_id=ctx.request_id,
        )


def _access_refused(access: repo.SessionAccess | None) -> DomainError | None:
    if access is None or access.revoked:
        return SessionRevoked()
    if not access.active:
        return AccountDisabled()
    return None


class Authentication:
    """Login, refresh-token rotation, logout, and access-token checking."""

    def __init__(
        self,
        db: Database,
        tokens: Tokens,
        passwords: Passwords,
        throttle: LoginThrottle,
        clock: Clock,
        refusals: RefusalWindows | None = None,
    ) -> None:
        self.refusals = refusals
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

    def _refuse_sampled(
        self, ctx: RequestContext, action: str, refused: _Refused, **details: object
    ) -> NoReturn:
        """Refuse what anyone can repeat anonymously in a loop (bad tokens, wrong or
        throttled logins); only the first refusal per address (and business) and minute is
        written to the append-only audit log, with the previous minute's count."""
        if self.refusals is None:
            self._refuse(ctx, action, refused, **details)
        where = address_bucket(ctx.ip)
        window = self.refusals.count(f"{action}:{where}:{refused.tenant_id or '-'}")
        if window.first:
            self._refuse(
                ctx,
                action,
                refused,
                **details,
                previous_minute=window.previous,
                aggregated=True,
            )
        raise refused.error

    def login(
        self, ctx: RequestContext, *, email: str, password: str, tenant: str | None = None
    ) -> TokenPair:
        email = email.strip().lower()
        credentials, access = self._check_password(ctx, email, password)
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
        with self.db.unit_of_work(chosen.tenant_id) as session:
            auth_session = AuthSession(
                tenant_id=chosen.tenant_id, user_id=credentials.user_id, channel=ctx.channel.value
            )
            session.add(auth_session)
            session.flush()
            ids = _SessionIds(chosen.tenant_id, credentials.user_id, auth_session.id)
            pair = self._issue_pair(session, ids, chosen.slug)
            principal = ids.principal(chosen.roles, ctx)
            audit.record(
                session,
                principal,
                "auth.login",
                target_type="session",
                target_id=auth_session.id,
                ip=ctx.ip,
            )
        return pair

    def _check_password(
        self, ctx: RequestContext, email: str, password: str
    ) -> tuple[repo.Credentials, list[repo.TenantAccess]]:
        """The account and its businesses if the password is right and the address proven."""
        try:
            # Counted before the password is checked: a burst cannot outrun the limit.
            self.throttle.take_login_slot(email, ctx.ip)
        except DomainError as exc:
            self._refuse_sampled(ctx, "auth.login", _Refused(exc, None, None), email=email)
        access: list[repo.TenantAccess] = []
        verified = False
        with self.db.unit_of_work() as session:
            credentials = repo.find_credentials(session, email)
        # Argon2 costs ~0.5 s of CPU: never while holding a pooled connection, or a burst of
        # logins starves every other request of connections.
        ok = self.passwords.verify(credentials.password_hash if credentials else None, password)
        if credentials is not None and ok:
            with self.db.unit_of_work() as session:
                access = repo.user_tenants(session, credentials.user_id)
                verified = repo.email_verified(session, credentials.user_id)
        if credentials is None or not ok:
            refusal = _Refused(BadCredentials(), None, None)
            self._refuse_sampled(ctx, "auth.login", refusal, email=email)
        self.throttle.login_succeeded(email, ctx.ip)
        if not verified:
            # Said only to whoever knows the password: it reveals nothing to a guesser.
            refusal = _Refused(EmailNotVerified(), None, credentials.user_id)
            self._refuse(ctx, "auth.login", refusal, email=email)
        return credentials, access

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

    def _issue_pair(self, session: Session, ids: _SessionIds, slug: str) -> TokenPair:
        claims = {"user_id": ids.user_id, "tenant_id": ids.tenant_id, "session_id": ids.session_id}
        access, _ = self.tokens.issue("access", token_id=uuid7(), **claims)
        refresh_id = uuid7()
        refresh, expires = self.tokens.issue("refresh", token_id=refresh_id, **claims)
        session.add(
            RefreshToken(
                tenant_id=ids.tenant_id,
                id=refresh_id,
                session_id=ids.session_id,
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

    def refresh(self, ctx: RequestContext, refresh_token: str) -> TokenPair:
        """Rotate: the presented token is spent and a new pair issued. Presenting a spent
        token again means it leaked — the whole session is revoked."""
        try:
            claims = self.tokens.decode(refresh_token, "refresh")
        except DomainError as exc:
            self._refuse_sampled(ctx, "auth.refresh", _Refused(exc, None, None))
        ids = _SessionIds(claims.tenant_id, claims.user_id, claims.session_id)
        outcome: TokenPair | DomainError
        with self.db.unit_of_work(ids.tenant_id) as session:
            token = repo.lock_refresh_token(session, ids.tenant_id, claims.token_id)
            access = repo.session_access(session, ids.tenant_id, ids.session_id, ids.user_id)
            refused = _access_refused(access) or (SessionRevoked() if token is None else None)
            if refused is not None:
                outcome = refused
            elif token is not None and token.used_at is not None:
                repo.revoke_session(
                    session,
                    ids.tenant_id,
                    ids.session_id,
                    at=self.clock.now(),
                    reason="refresh_reuse",
                )
                outcome = RefreshTokenReused()
            else:
                assert token is not None and access is not None
                token.used_at = self.clock.now()
                outcome = self._issue_pair(session, ids, access.slug)
                audit.record(
                    session,
                    ids.principal(access.roles, ctx),
                    "auth.refresh",
                    target_type="session",
                    target_id=ids.session_id,
                    ip=ctx.ip,
                )
        if isinstance(outcome, DomainError):
            # The revocation above (reuse) is committed; the refusal is audited on its own.
            refusal = _Refused(outcome, ids.tenant_id, ids.user_id)
            self._refuse(ctx, "auth.refresh", refusal, session=str(ids.session_id))
        return outcome

    def authenticate(self, ctx: RequestContext, access_token: str) -> Principal:
        """The principal behind an access token, with roles read fresh from the database
        (one query per request)."""
        try:
            claims = self.tokens.decode(access_token, "access")
        except DomainError as exc:
            self._refuse_sampled(ctx, "auth.access", _Refused(exc, None, None))
        ids = _SessionIds(claims.tenant_id, claims.user_id, claims.session_id)
        with self.db.unit_of_work(ids.tenant_id) as session:
            access = repo.session_access(session, ids.tenant_id, ids.session_id, ids.user_id)
        refused = _access_refused(access)
        if refused is not None:
            self._refuse_sampled(ctx, "auth.access", _Refused(refused, ids.tenant_id, ids.user_id))
        assert access is not None
        return ids.principal(access.roles, ctx)

    def logout(self, session: Session, principal: Principal) -> None:
        assert principal.session_id is not None  # only a logged-in principal logs out
        if not repo.revoke_session(
            session,
            principal.tenant_id,
            principal.session_id,
            at=self.clock.now(),
            reason="logout",
        ):
            raise SessionRevoked()
        audit.record(
            session,
            principal,
            "auth.logout",
            target_type="session",
            target_id=principal.session_id,
        )
