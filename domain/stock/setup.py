"""What a new business starts with in stock (called at sign-up; must be idempotent)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.identity.models import Tenant
from domain.kit.principal import Principal


def prepare_stock(session: Session, principal: Principal, tenant: Tenant) -> None:
    """Default warehouse and the virtual locations. Idempotent."""
