"""What the sales tools share: name folding, money, resolving a partner."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from domain.identity import repository as identity_repo
from domain.kit.money import Currency, Money
from domain.sales import service as sales
from domain.sales.models import Partner
from domain.sales.schemas import (
    PartnerRole,
)
from tools.base import ToolContext, resolving

ActivityKind = Literal["call", "meeting", "task", "note"]
ActivityStatus = Literal["todo", "overdue", "done", "all"]

KIND_LABELS = {"call": "Appel", "meeting": "Rendez-vous", "task": "Tâche", "note": "Note"}
ROLE_NOUNS = {"customer": "client", "supplier": "fournisseur"}


def money(amount: Decimal, currency: str) -> str:
    return Money(amount, currency).format_fr()


def currency_of(ctx: ToolContext) -> Currency:
    return sales.tenant_currency(ctx.session, ctx.principal)


def partner_named(ctx: ToolContext, name: str, role: PartnerRole | None, field: str) -> Partner:
    with resolving(field):
        return sales.resolve_partner(ctx.session, ctx.principal, name, role=role)


def zone_of(ctx: ToolContext) -> ZoneInfo:
    tenant = identity_repo.get_tenant(ctx.session, ctx.principal.tenant_id)
    assert tenant is not None  # the principal's tenant is visible by construction
    return ZoneInfo(tenant.timezone)
