"""Sales factories, through the domain services (never raw SQL)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import text

from comptoir.bootstrap import Container
from domain.kit.principal import Role
from domain.sales import service as sales
from domain.sales.models import Partner, Product
from domain.sales.schemas import PartnerCreate, ProductCreate
from tests.factories import Account, make_tenant

TABLES = (
    "partners",
    "partner_contacts",
    "products",
    "pipeline_stages",
    "opportunities",
    "activities",
    "domain_events",
    "audit_log",
)


def make_sales_tenant(
    container: Container, *, country: str = "FR", name: str = "Test SARL"
) -> Account:
    """A business with its default pipeline (``prepare_tenant`` is idempotent, so this
    stays right once tenant creation calls it itself)."""
    account = make_tenant(container, country=country, name=name)
    with container.db.unit_of_work(account.tenant_id) as session:
        sales.prepare_tenant(session, account.principal())
    return account


def make_partner(
    container: Container, account: Account, *, name: str = "Diallo SARL", **fields: Any
) -> Partner:
    with container.db.unit_of_work(account.tenant_id) as session:
        return sales.create_partner(
            session, account.principal(Role.SALES), PartnerCreate(name=name, **fields)
        )


def make_product(
    container: Container,
    account: Account,
    *,
    name: str = "Sac de riz 50 kg",
    sale_price: str = "15000",
    **fields: Any,
) -> Product:
    with container.db.unit_of_work(account.tenant_id) as session:
        return sales.create_product(
            session,
            account.principal(Role.SALES),
            ProductCreate(name=name, sale_price=Decimal(sale_price), **fields),
        )


def stage_id(container: Container, account: Account, name: str) -> UUID:
    with container.db.unit_of_work(account.tenant_id) as session:
        for stage in sales.list_stages(session, account.principal()):
            if stage.name == name:
                return stage.id
    raise LookupError(name)


def row_counts(container: Container, account: Account) -> dict[str, int]:
    """Rows per sales table (and events, audit) in the account's tenant: "nothing written"
    means these do not move."""
    with container.db.unit_of_work(account.tenant_id) as session:
        return {t: int(session.scalar(text(f"SELECT count(*) FROM {t}")) or 0) for t in TABLES}
