"""A business's plateforme agréée, the flows exchanged with it, and lifecycle statuses."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import CheckConstraint, Index, SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import TenantEntity, TenantRecord, tenant_fk, utcnow

DIRECTIONS = ("out", "in")
DOCUMENT_TYPES = ("invoice", "supplier_bill")


class EInvoicingPlatformAccount(TenantEntity):
    """The business's account on its platform (one per business). The cursors are the
    platform's own times of the last flows taken in, so paging never depends on our clock.
    ``client_secret`` is never returned by the API."""

    __tablename__ = "einvoicing_platforms"
    flow_url: Mapped[str] = mapped_column(String(300))
    directory_url: Mapped[str] = mapped_column(String(300))
    token_url: Mapped[str | None] = mapped_column(String(300))
    client_id: Mapped[str | None] = mapped_column(String(200))
    client_secret: Mapped[str | None] = mapped_column(String(500))
    enabled: Mapped[bool] = mapped_column(default=True)
    incoming_cursor: Mapped[datetime | None]
    __table_args__ = (UniqueConstraint("tenant_id"),)


class EInvoiceFlow(TenantEntity):
    """An invoice exchanged with the platform: ``out`` a posted customer invoice submitted,
    ``in`` a supplier's invoice received (its draft bill, or why it could not be taken
    in). ``platform_flow_id`` is unique: the same platform invoice never makes two bills."""

    __tablename__ = "einvoice_flows"
    direction: Mapped[str] = mapped_column(String(3))
    document_type: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[UUID | None]
    platform_flow_id: Mapped[str] = mapped_column(String(36))
    ack_status: Mapped[str] = mapped_column(String(8), default="pending")
    error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("tenant_id", "platform_flow_id"),
        Index(None, "tenant_id", "document_type", "document_id"),
        CheckConstraint("direction IN ('out','in')", name="direction"),
        CheckConstraint("document_type IN ('invoice','supplier_bill')", name="document_type"),
        CheckConstraint("ack_status IN ('pending','ok','error')", name="ack_status"),
    )


class EInvoiceStatus(TenantRecord):
    """One lifecycle status of an invoice or a bill, with its time and reason.

    ``origin``: ``platform`` when the platform or the other party told us, ``business``
    when this business says it (sent to the platform; ``sent_at`` empty until done).
    ``dedup_key`` makes each status recorded once: the platform's message id for what we
    receive, the document and status code for what we send."""

    __tablename__ = "einvoice_statuses"
    flow_id: Mapped[UUID]
    document_type: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[UUID | None]
    code: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    platform_flow_id: Mapped[str | None] = mapped_column(String(36))
    dedup_key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (
        tenant_fk("flow_id", "einvoice_flows", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "dedup_key"),
        Index(None, "tenant_id", "document_type", "document_id"),
        Index(
            "ix_einvoice_statuses_unsent",
            "tenant_id",
            "created_at",
            postgresql_where=text("origin = 'business' AND sent_at IS NULL"),
        ),
        CheckConstraint("origin IN ('platform','business')", name="origin"),
    )
