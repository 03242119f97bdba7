"""Automation tables: what runs on its own (automations), each run (automation_runs),
what members are told (notifications, their deliveries, their preferences), and the
records automations keep (dunning reminders and exclusions, open stock alerts).

Every table is tenant-owned under RLS. The two constraints that make things happen once:
``automation_runs (tenant_id, automation_id, period_key)`` (one run per period, whoever
dispatches it) and ``notification_deliveries (tenant_id, notification_id, channel)``.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import TenantEntity, tenant_fk

RUN_STATUSES = ("queued", "retrying", "succeeded", "failed", "skipped")
CHANNELS_SQL = "ARRAY['in_app','email','whatsapp']::varchar[]"
DUNNING_STAGES = ("before_due", "overdue_7", "overdue_30", "manual")
# A reminder asked for by a member (« relance Diallo ») rather than reached by the daily run:
# sent as often as asked, so the one-per-stage rule leaves it out.
MANUAL_STAGE = "manual"


class Automation(TenantEntity):
    """One thing a business has run on its own: a built-in (``kind`` names it, one per
    business) with its tunable ``params``. ``rule`` is an RFC 5545 RRULE read in the
    business's time zone (None: the automation reacts to events instead); ``next_run_at``
    is the next occurrence, advanced by whoever dispatches the current one."""

    __tablename__ = "automations"
    kind: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    rule: Mapped[str | None] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Who it acts as; None: the business's first active admin at each run.
    owner_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    next_run_at: Mapped[datetime | None]
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind"),
        Index(None, "tenant_id", "next_run_at", postgresql_where=text("enabled")),
    )


class AutomationRun(TenantEntity):
    """One run of an automation for one period (``period_key``: the occurrence in the
    business's local time, or ``event:<id>`` for an event). Written ``queued`` when
    dispatched; the worker that does the work sets its outcome in the same transaction."""

    __tablename__ = "automation_runs"
    automation_id: Mapped[UUID]
    period_key: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12), default="queued")
    scheduled_for: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    next_attempt_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    output: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    __table_args__ = (
        tenant_fk("automation_id", "automations", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "automation_id", "period_key"),
        Index(None, "tenant_id", "status", "next_attempt_at"),
        CheckConstraint(
            "status IN (" + ",".join(f"'{s}'" for s in RUN_STATUSES) + ")", name="status"
        ),
    )


class Notification(TenantEntity):
    """A message for one member, shown in the in-app centre and sent on their channels.
    ``dedup_key`` makes a retried producer write it once."""

    __tablename__ = "notifications"
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    dedup_key: Mapped[str | None] = mapped_column(String(120))
    read_at: Mapped[datetime | None]
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id", "dedup_key"),
        Index(None, "tenant_id", "user_id", "created_at"),
    )


class NotificationDelivery(TenantEntity):
    """Sending one notification on one outside channel (e-mail, WhatsApp), after commit,
    retried; ``not_before`` holds it past the member's quiet hours."""

    __tablename__ = "notification_deliveries"
    notification_id: Mapped[UUID]
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    not_before: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        tenant_fk("notification_id", "notifications", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "notification_id", "channel"),
        Index(None, "tenant_id", "status", "not_before"),
        CheckConstraint("status IN ('pending','sent','failed')", name="status"),
    )


class NotificationPreference(TenantEntity):
    """A member's channels (in-app always) and quiet hours, in the business's time zone
    (``quiet_start`` > ``quiet_end`` spans midnight)."""

    __tablename__ = "notification_preferences"
    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    channels: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        CheckConstraint(f"channels <@ {CHANNELS_SQL}", name="channels"),
        CheckConstraint("(quiet_start IS NULL) = (quiet_end IS NULL)", name="quiet_pair"),
    )


class DunningReminder(TenantEntity):
    """A reminder sent to a customer about one invoice, at one stage: the invoice's
    dunning history, and the reason a stage is never sent twice. A ``manual`` one (asked
    for in conversation) may be sent again; the daily run holds back for a few days after
    it."""

    __tablename__ = "dunning_reminders"
    invoice_id: Mapped[UUID]
    stage: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(254))
    amount_due: Mapped[Decimal]
    sent_at: Mapped[datetime]
    __table_args__ = (
        tenant_fk("invoice_id", "invoices", ondelete="CASCADE"),
        Index(
            "uq_dunning_reminders_tenant_id_invoice_id_stage",
            "tenant_id",
            "invoice_id",
            "stage",
            unique=True,
            postgresql_where=text(f"stage <> '{MANUAL_STAGE}'"),
        ),
        CheckConstraint(
            "stage IN (" + ",".join(f"'{s}'" for s in DUNNING_STAGES) + ")", name="stage"
        ),
    )


class DunningExclusion(TenantEntity):
    """No reminder for this customer (opt-out) or this invoice (disputed)."""

    __tablename__ = "dunning_exclusions"
    partner_id: Mapped[UUID | None]
    invoice_id: Mapped[UUID | None]
    reason: Mapped[str] = mapped_column(String(16))
    __table_args__ = (
        tenant_fk("partner_id", "partners", ondelete="CASCADE"),
        tenant_fk("invoice_id", "invoices", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "partner_id", "invoice_id"),
        CheckConstraint("(partner_id IS NULL) <> (invoice_id IS NULL)", name="one_target"),
        CheckConstraint("reason IN ('opt_out','disputed')", name="reason"),
    )


class StockAlert(TenantEntity):
    """A product under its minimum in a warehouse. Open (``cleared_at`` NULL) while it
    stays under: one alert per crossing, however many moves follow."""

    __tablename__ = "stock_alerts"
    product_id: Mapped[UUID]
    warehouse_id: Mapped[UUID]
    available: Mapped[Decimal]
    min_quantity: Mapped[Decimal]
    suggested_quantity: Mapped[Decimal]
    cleared_at: Mapped[datetime | None]
    __table_args__ = (
        tenant_fk("product_id", "products", ondelete="CASCADE"),
        tenant_fk("warehouse_id", "warehouses", ondelete="CASCADE"),
        Index(
            "uq_stock_alerts_open",
            "tenant_id",
            "product_id",
            "warehouse_id",
            unique=True,
            postgresql_where=text("cleared_at IS NULL"),
        ),
    )
