"""Everything a new business starts with, written in its sign-up transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.finance.setup import prepare_books
from domain.hr.setup import prepare_hr
from domain.identity.models import Tenant
from domain.kit.principal import Principal
from domain.stock.setup import prepare_stock


def prepare_tenant(session: Session, principal: Principal, tenant: Tenant) -> None:
    """Books (settings, VAT rates, chart, journals), the sales pipeline, the country's
    leave types and the default warehouse. Idempotent: the demo seed calls it again."""
    from domain.sales.service import prepare_tenant as prepare_pipeline

    prepare_books(session, tenant)
    prepare_pipeline(session, principal)
    prepare_hr(session, principal, tenant)
    prepare_stock(session, principal, tenant)
