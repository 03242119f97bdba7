"""What a new business starts with in HR (called at sign-up; must be idempotent)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.identity.models import Tenant
from domain.kit.principal import Principal


def prepare_hr(session: Session, principal: Principal, tenant: Tenant) -> None:
    """Leave types of the tenant's country. Idempotent."""
