"""Shared by the sales services: who may do what, the caller's business, paging, amounts,
and the event + audit record of each write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from domain.identity import repository as identity_repo
from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.money import Currency, Money
from domain.kit.principal import Principal, Role

# Who may do what. Admin always passes ``Principal.require``.
READERS = tuple(Role)  # every member reads the customer file, the catalog and the pipeline
WRITERS = (Role.MANAGER, Role.SALES, Role.ACCOUNTANT)  # partners, products, activities
PIPELINE_WRITERS = (Role.MANAGER, Role.SALES)  # opportunities
STAGE_ADMINS = (Role.MANAGER,)  # the pipeline's stages

PAGE_MAX = 200
AMOUNT_MAX = Decimal("1e13")  # Numeric(18, 4) holds up to 10^14


def _tenant(session: Session, principal: Principal) -> Tenant:
    tenant = identity_repo.get_tenant(session, principal.tenant_id)
    assert tenant is not None  # the principal's tenant is visible by construction
    return tenant


def _today(tenant: Tenant, clock: Clock) -> date:
    return clock.now().astimezone(ZoneInfo(tenant.timezone)).date()


def _bounds(limit: int, offset: int) -> tuple[int, int]:
    return min(max(limit, 1), PAGE_MAX), max(offset, 0)


def _check_amount(amount: Decimal, currency: Currency, field: str) -> None:
    if amount < 0:
        raise InvalidInput("Un montant ne peut pas être négatif.", field=field)
    if amount >= AMOUNT_MAX:
        raise InvalidInput("Montant trop élevé.", field=field)
    if not Money(amount, currency).is_rounded:
        message = (
            "Le franc CFA n'a pas de centimes."
            if currency is Currency.XOF
            else "Un montant en euros a au plus deux décimales."
        )
        raise InvalidInput(message, field=field)


def _required(changes: dict[str, Any], *fields: str) -> None:
    for field in fields:
        if field in changes and changes[field] is None:
            raise InvalidInput(f"Le champ « {field} » ne peut pas être vide.", field=field)


def _require_member(session: Session, principal: Principal, user_id: UUID, field: str) -> None:
    membership = identity_repo.get_membership(session, principal.tenant_id, user_id)
    if membership is None or not membership.is_active:
        raise InvalidInput("Cette personne n'est pas membre de l'entreprise.", field=field)


def tenant_currency(session: Session, principal: Principal) -> Currency:
    """The currency amounts are kept in (EUR for France, XOF for Senegal)."""
    return Currency(_tenant(session, principal).currency)
