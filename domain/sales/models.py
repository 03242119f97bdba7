"""Sales and CRM: business partners (customers, suppliers), the catalog, the pipeline."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import TenantEntity, tenant_fk, trigram_index
from domain.kit.resolution import name_folded_column, name_words_column


class Partner(TenantEntity):
    """A customer, a supplier, or both (one record, two roles, like the books need)."""

    __tablename__ = "partners"
    kind: Mapped[str] = mapped_column(String(10))  # individual | company
    is_customer: Mapped[bool] = mapped_column(Boolean, default=False)
    is_supplier: Mapped[bool] = mapped_column(Boolean, default=False)
    code: Mapped[str] = mapped_column(String(20))  # C00012 / F00003: ledger auxiliary account
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = name_folded_column()
    name_words: Mapped[list[str]] = name_words_column()
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(16))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    siren: Mapped[str | None] = mapped_column(String(9))
    siret: Mapped[str | None] = mapped_column(String(14))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    ninea: Mapped[str | None] = mapped_column(String(20))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    payment_terms_days: Mapped[int | None] = mapped_column(SmallInteger)
    notes: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Stock: a supplier's usual delivery delay (purchasing falls back to it).
    lead_time_days: Mapped[int | None] = mapped_column(SmallInteger)
    __table_args__ = (
        CheckConstraint("kind IN ('individual','company')", name="kind"),
        CheckConstraint("is_customer OR is_supplier", name="has_role"),
        CheckConstraint("payment_terms_days BETWEEN 0 AND 365", name="payment_terms"),
        CheckConstraint("lead_time_days BETWEEN 0 AND 365", name="lead_time"),
        UniqueConstraint("tenant_id", "code"),
        trigram_index("partners", "name"),
    )


class PartnerContact(TenantEntity):
    """A person to talk to at a partner company."""

    __tablename__ = "partner_contacts"
    partner_id: Mapped[UUID]
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(16))
    __table_args__ = (
        tenant_fk("partner_id", "partners", ondelete="CASCADE"),
        Index(None, "tenant_id", "partner_id"),
    )


class Product(TenantEntity):
    """A catalog item, sold or bought: goods or a service. Stock adds its own fields."""

    __tablename__ = "products"
    kind: Mapped[str] = mapped_column(String(10))  # goods | service
    name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = name_folded_column()
    name_words: Mapped[list[str]] = name_words_column()
    sku: Mapped[str | None] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(32))  # see domain.sales.units
    # Excl. VAT, in the tenant's currency; None: a price agreed each time, given on each line.
    sale_price: Mapped[Decimal | None]
    vat_rate: Mapped[Decimal] = mapped_column(default=Decimal(0))
    category: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Stock (domain.stock): opt-in per product (goods only), so a business that does not
    # manage stock still invoices its goods freely.
    is_stockable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    purchase_price: Mapped[Decimal | None]  # excl. VAT, in the tenant's currency
    barcode: Mapped[str | None] = mapped_column(String(64))
    tracks_lots: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Weighted average cost over the tenant's stock, updated by receipts (domain.stock).
    average_cost: Mapped[Decimal] = mapped_column(default=Decimal(0), server_default="0")
    __table_args__ = (
        CheckConstraint("kind IN ('goods','service')", name="kind"),
        CheckConstraint("sale_price >= 0", name="sale_price"),
        CheckConstraint("kind = 'goods' OR NOT is_stockable", name="stockable_goods"),
        CheckConstraint("is_stockable OR NOT tracks_lots", name="lots_stockable"),
        CheckConstraint("purchase_price >= 0", name="purchase_price"),
        CheckConstraint("average_cost >= 0", name="average_cost"),
        UniqueConstraint("tenant_id", "sku"),
        UniqueConstraint("tenant_id", "barcode"),
        trigram_index("products", "name"),
    )


class PipelineStage(TenantEntity):
    """A configurable stage of the sales pipeline (Nouveau … Gagné, Perdu)."""

    __tablename__ = "pipeline_stages"
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(SmallInteger)
    probability: Mapped[int] = mapped_column(SmallInteger)  # default % for opportunities
    outcome: Mapped[str] = mapped_column(String(8), default="open")  # open | won | lost
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability"),
        CheckConstraint("outcome IN ('open','won','lost')", name="outcome"),
    )


class Opportunity(TenantEntity):
    __tablename__ = "opportunities"
    partner_id: Mapped[UUID]
    stage_id: Mapped[UUID]
    title: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(default=Decimal(0))
    probability: Mapped[int] = mapped_column(SmallInteger)
    expected_close_date: Mapped[date | None]
    owner_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    closed_on: Mapped[date | None]
    lost_reason: Mapped[str | None] = mapped_column(String(300))
    __table_args__ = (
        tenant_fk("partner_id", "partners"),
        tenant_fk("stage_id", "pipeline_stages"),
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability"),
        Index(None, "tenant_id", "stage_id"),
        Index(None, "tenant_id", "partner_id"),
    )


class Activity(TenantEntity):
    """A call, meeting, task or note, about a partner or an opportunity."""

    __tablename__ = "activities"
    kind: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None]
    assignee_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id"))
    partner_id: Mapped[UUID | None]
    opportunity_id: Mapped[UUID | None]
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None]
    __table_args__ = (
        CheckConstraint("kind IN ('call','meeting','task','note')", name="kind"),
        tenant_fk("partner_id", "partners"),
        tenant_fk("opportunity_id", "opportunities"),
        Index(None, "tenant_id", "assignee_id", "done", "due_at"),
        Index(None, "tenant_id", "partner_id"),
    )
