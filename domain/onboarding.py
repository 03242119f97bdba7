"""Everything a new business starts with, written in its sign-up transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.finance.setup import prepare_books
from domain.identity.models import Tenant
from domain.kit.principal import Principal


def prepare_tenant(session: Session, principal: Principal, tenant: Tenant) -> None:
    """Books (settings, VAT rates, chart of accounts, journals) and the sales pipeline."""
    from domain.sales.service import prepare_tenant as prepare_pipeline

    prepare_books(session, tenant)
    prepare_pipeline(session, principal)
