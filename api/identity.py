"""Authentication, sign-up, members and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ContainerDep, ContextDep, OptionalPrincipalDep, PrincipalDep
from domain.audit import service as audit
from domain.identity import invitations, signup
from domain.identity import repository as repo
from domain.identity import service as identity
from domain.identity.models import Invitation
from domain.identity.schemas import (
    AcceptedOut,
    InvitationAccept,
    InvitationCreate,
    InvitationOut,
    MemberOut,
    MeOut,
    SignUp,
    SignUpOut,
    TenantOut,
    TokenPair,
    VerifiedOut,
    VerifyEmailIn,
)
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
    summary="Créer une entreprise (un lien de confirmation part par e-mail)",
)
def sign_up(body: SignUp, c: ContainerDep, ctx: ContextDep) -> SignUpOut:
    c.authentication.throttle.take_signup_slot(ctx.ip)
    # Argon2 (~0.5 s of CPU) before a pooled connection is taken, on both paths alike.
    password_hash = c.passwords.hash(body.admin.password)
    with c.db.unit_of_work() as session:
        result = signup.sign_up(c.db, session, body, password_hash, c.links, ctx, c.clock.now())
        return SignUpOut(
            tenant=TenantOut.model_validate(result.tenant),
            message=result.message,
            link=result.link if c.settings.dev_links else None,
        )


@router.post(
    "/auth/verify-email",
    response_model=VerifiedOut,
    tags=["auth"],
    summary="Confirmer son adresse e-mail (lien reçu à l'inscription et mot de passe choisi)",
)
def verify_email(body: VerifyEmailIn, c: ContainerDep, ctx: ContextDep) -> VerifiedOut:
    slug, email = signup.verify_email(
        c.db,
        signup.Verifier(c.links, c.passwords, c.authentication.throttle),
        ctx,
        body,
        c.clock.now(),
    )
    return VerifiedOut(tenant=slug, email=email)


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
    response_model=InvitationOut,
    status_code=201,
    tags=["members"],
    summary="Inviter un membre (administrateurs) : un lien part par e-mail",
)
def invite_member(
    body: InvitationCreate, c: ContainerDep, principal: PrincipalDep
) -> InvitationOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        invitation = invitations.invite_member(session, principal, body, c.links, c.clock.now())
        return _invitation_out(c, invitation)


@router.delete(
    "/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["members"],
    summary="Retirer un membre (administrateurs), ou quitter l'entreprise (son propre id)",
)
def remove_member(user_id: UUID, c: ContainerDep, principal: PrincipalDep) -> Response:
    with c.db.unit_of_work(principal.tenant_id) as session:
        invitations.remove_member(session, principal, user_id, c.clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/invitations",
    response_model=list[InvitationOut],
    tags=["members"],
    summary="Invitations en attente (administrateurs)",
)
def list_invitations(c: ContainerDep, principal: PrincipalDep) -> list[InvitationOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        pending = invitations.list_invitations(session, principal, c.clock.now())
        return [InvitationOut.model_validate(i) for i in pending]


@router.delete(
    "/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["members"],
    summary="Annuler une invitation (administrateurs)",
)
def revoke_invitation(invitation_id: UUID, c: ContainerDep, principal: PrincipalDep) -> Response:
    with c.db.unit_of_work(principal.tenant_id) as session:
        invitations.revoke_invitation(session, principal, invitation_id, c.clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/invitations/accept",
    response_model=AcceptedOut,
    tags=["members"],
    summary="Accepter une invitation (connecté, ou en choisissant nom et mot de passe)",
)
def accept_invitation(
    body: InvitationAccept, c: ContainerDep, ctx: ContextDep, principal: OptionalPrincipalDep
) -> AcceptedOut:
    accepted = c.invitations.accept(ctx, body, now=c.clock.now(), logged_in=principal)
    return AcceptedOut(
        tenant=accepted.tenant_slug, email=accepted.email, roles=[Role(r) for r in accepted.roles]
    )


def _invitation_out(c: Any, invitation: Invitation) -> InvitationOut:
    out = InvitationOut.model_validate(invitation)
    if c.settings.dev_links:
        token = c.links.invitation_token(invitation.tenant_id, invitation.id)
        out.link = c.links.invitation_link(token)
    return out


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
