"""Demo stock data: products, two warehouses, six months of moves, purchase orders."""

from __future__ import annotations

from comptoir.bootstrap import Container
from domain.kit.principal import Principal


def seed_stock(container: Container, principal: Principal, country: str) -> None:
    """Idempotent: does nothing when the tenant already has stock moves."""
