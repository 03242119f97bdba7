"""Authentication, sign-up, members and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ContainerDep, ContextDep, PrincipalDep
from domain.audit import service as audit
from domain.identity import repository as repo
from domain.identity import service as identity
from domain.identity.schemas import MemberCreate, MemberOut, MeOut, SignUp, TenantOut, TokenPair
from domain.kit import inputs
from domain.kit.errors import NotFound
from domain.kit.principal import Role

router = APIRouter(prefix="/api/v1")


class LoginIn(inputs.InputModel):
    email: str = Field(min_length=3, max_length=254, examples=["admin@boutique-lumiere.fr"])
    password: str = Field(min_length=1, max_length=1024)
    tenant: str | None = Field(
        default=None, description="Identifiant de l'entreprise, si plusieurs"
    )


class RefreshIn(inputs.InputModel):
    refresh_token: str = Field(min_length=10)


class SignUpOut(BaseModel):
    tenant: TenantOut
    user_id: UUID


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    occurred_at: datetime
    actor_type: str
    actor_id: UUID | None
    channel: str
    action: str
    outcome: str
    target_type: str | None
    target_id: str | None
    summary: dict[str, Any]
    request_id: str | None


@router.post("/auth/login", response_model=TokenPair, tags=["auth"], summary="Se connecter")
def login(body: LoginIn, c: ContainerDep, ctx: ContextDep) -> TokenPair:
    return c.authentication.login(ctx, email=body.email, password=body.password, tenant=body.tenant)


@router.post(
    "/auth/refresh",
    response_model=TokenPair,
    tags=["auth"],
    summary="Renouveler les jetons (le jeton présenté est consommé)",
)
def refresh(body: RefreshIn, c: ContainerDep, ctx: ContextDep) -> TokenPair:
    return c.authentication.refresh(ctx, body.refresh_token)


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["auth"],
    summary="Fermer la session",
)
def logout(c: ContainerDep, principal: PrincipalDep) -> Response:
    with c.db.unit_of_work(principal.tenant_id) as session:
        c.authentication.logout(session, principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/auth/me", response_model=MeOut, tags=["auth"], summary="Qui suis-je ?")
def me(c: ContainerDep, principal: PrincipalDep) -> MeOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        user = repo.get_user(session, principal.user_id)
        tenant = repo.get_tenant(session, principal.tenant_id)
        assert user is not None and tenant is not None
        return MeOut(
            user_id=user.id,
            email=user.email,
            name=user.name,
            phone=user.phone,
            roles=sorted(principal.roles),
            tenant=TenantOut.model_validate(tenant),
        )


@router.post(
    "/tenants",
    response_model=SignUpOut,
    status_code=201,
    tags=["tenants"],
    summary="Créer une entreprise et son administrateur",
)
def sign_up(body: SignUp, c: ContainerDep, ctx: ContextDep) -> SignUpOut:
    with c.db.unit_of_work() as session:
        tenant, user = identity.register_tenant(c.db, session, body, c.passwords, ctx)
        return SignUpOut(tenant=TenantOut.model_validate(tenant), user_id=user.id)


@router.get("/tenants/{tenant_id}", response_model=TenantOut, tags=["tenants"])
def get_tenant(
    tenant_id: UUID, c: ContainerDep, ctx: ContextDep, principal: PrincipalDep
) -> TenantOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        # RLS shows only the principal's own tenant: any other id reads as absent.
        tenant = repo.get_tenant(session, tenant_id)
        if tenant is not None:
            return TenantOut.model_validate(tenant)
    audit.record_attempt(
        c.db,
        ctx,
        "tenant.read",
        outcome="denied",
        tenant_id=principal.tenant_id,
        actor_id=principal.user_id,
        details={"requested_tenant": str(tenant_id)},
    )
    raise NotFound("Entreprise introuvable.")


@router.get("/members", response_model=list[MemberOut], tags=["members"])
def list_members(c: ContainerDep, principal: PrincipalDep) -> list[MemberOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return [_member_out(m, u) for m, u in identity.list_members(session, principal)]


@router.post(
    "/members",
    response_model=MemberOut,
    status_code=201,
    tags=["members"],
    summary="Ajouter un membre (administrateurs)",
)
def add_member(body: MemberCreate, c: ContainerDep, principal: PrincipalDep) -> MemberOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        membership, user = identity.add_member(session, principal, body, c.passwords)
        return _member_out(membership, user)


@router.get(
    "/audit",
    response_model=list[AuditOut],
    tags=["audit"],
    summary="Journal d'audit de l'entreprise (administrateurs)",
)
def audit_log(c: ContainerDep, principal: PrincipalDep, limit: int = 100) -> list[AuditOut]:
    principal.require(Role.ADMIN)
    with c.db.unit_of_work(principal.tenant_id) as session:
        entries = audit.list_entries(session, principal, limit=min(max(limit, 1), 500))
        return [AuditOut.model_validate(e) for e in entries]


def _member_out(membership: Any, user: Any) -> MemberOut:
    return MemberOut(
        user_id=user.id,
        email=user.email,
        name=user.name,
        phone=user.phone,
        roles=[Role(r) for r in membership.roles],
        is_active=membership.is_active,
    )
