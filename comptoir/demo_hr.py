"""Demo HR data: departments, employees, contracts, leave, a month of attendance."""

from __future__ import annotations

from comptoir.bootstrap import Container
from domain.kit.principal import Principal


def seed_hr(container: Container, principal: Principal, country: str) -> None:
    """Idempotent: does nothing when the tenant already has employees."""
