"""Declarative base, id and timestamp conventions shared by every model.

Tenant-owned tables lead with ``tenant_id``: it is the first column of the primary key
``(tenant_id, id)`` and of every unique constraint and index, and references between
tenant tables are composite ``(tenant_id, x_id)``. PostgreSQL then refuses a row pointing
at another tenant's row, and the schema distributes by ``tenant_id`` on Citus unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import (
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    MetaData,
    Numeric,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from domain.kit.ids import uuid7

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # Money and quantities: exact decimals, never float.
    type_annotation_map = {Decimal: Numeric(18, 4), datetime: DateTime(timezone=True)}


class Timestamped:
    # Python-side defaults (server defaults too, for raw SQL): the ORM never needs RETURNING
    # to learn them, which matters for rows the RLS policies would not let us read back.
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.now(), sort_order=90
    )
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now(), sort_order=91
    )


class GlobalRecord(Base):
    """A row that belongs to no single tenant. Records are written once (logs, events)
    and carry their own time; entities also track creation and change."""

    __abstract__ = True
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid7, sort_order=-99)


class GlobalEntity(Timestamped, GlobalRecord):
    """A changeable row of no single tenant (tenants themselves, user identities)."""

    __abstract__ = True


class TenantRecord(Base):
    """A tenant-owned row: RLS-protected, keyed by ``(tenant_id, id)``."""

    __abstract__ = True

    @declared_attr
    def tenant_id(cls) -> Mapped[UUID]:
        return mapped_column(
            ForeignKey("tenants.id", ondelete="RESTRICT"), primary_key=True, sort_order=-100
        )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid7, sort_order=-99)


class TenantEntity(Timestamped, TenantRecord):
    """A changeable tenant-owned row, with created/updated timestamps."""

    __abstract__ = True


def tenant_fk(column: str, table: str, *, ondelete: str = "RESTRICT") -> ForeignKeyConstraint:
    """A composite reference ``(tenant_id, column) → table(tenant_id, id)``: PostgreSQL
    itself refuses a row pointing at another tenant's row."""
    return ForeignKeyConstraint(
        ["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"], ondelete=ondelete
    )


def trigram_index(table: str, column: str) -> Index:
    """GiST trigram index on the accent- and case-folded name, led by ``tenant_id``
    (btree_gist): ``name_folded``, the stored ``comptoir_unaccent(name)`` (migration 0019),
    so that rechecking a match reads the folded name instead of folding it again.

    ``comptoir_unaccent`` is an IMMUTABLE ``translate()`` defined in migration 0003: the
    embedded server has no ``unaccent`` extension.
    """
    return Index(
        f"ix_{table}_{column}_trgm",
        "tenant_id",
        f"{column}_folded",
        postgresql_using="gist",
        postgresql_ops={f"{column}_folded": "gist_trgm_ops"},
    )
