"""automations and notifications

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-06

Automations (schedules per business), their runs (one per period key), notifications with
their deliveries and each member's preferences, dunning reminders and exclusions, open
stock alerts — all tenant tables under RLS. Beat and the workers look across businesses
only through the SECURITY DEFINER functions below, which return ids and nothing else;
each id is then read and worked on inside its own tenant.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from domain.kit.rls import tenant_policy_sql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLES = (
    "automations",
    "automation_runs",
    "notifications",
    "notification_deliveries",
    "notification_preferences",
    "dunning_reminders",
    "dunning_exclusions",
    "stock_alerts",
)

_DEFINER = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp"
FUNCTIONS = {
    # Automations whose next occurrence has come (beat).
    "comptoir_due_automations(timestamptz, integer)": f"""
CREATE FUNCTION comptoir_due_automations(p_now timestamptz, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid) {_DEFINER} AS $$
    SELECT a.tenant_id, a.id FROM automations a JOIN tenants t ON t.id = a.tenant_id
    WHERE a.enabled AND t.is_active AND a.next_run_at <= p_now
    ORDER BY a.next_run_at LIMIT p_limit
$$""",
    # Runs to hand to a worker again: failed ones whose back-off is over, and queued ones
    # nobody finished (the broker lost the message, or the worker died mid-run).
    "comptoir_automation_runs_to_retry(timestamptz, timestamptz, integer)": f"""
CREATE FUNCTION comptoir_automation_runs_to_retry(
    p_now timestamptz, p_stale_before timestamptz, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid) {_DEFINER} AS $$
    SELECT r.tenant_id, r.id FROM automation_runs r
    WHERE (r.status = 'retrying' AND r.next_attempt_at <= p_now)
       OR (r.status = 'queued' AND r.updated_at < p_stale_before)
    ORDER BY r.scheduled_for LIMIT p_limit
$$""",
    # Active businesses lacking one of the built-in kinds named (new businesses, and every
    # business when a release adds a kind): the built-ins are installed for them.
    "comptoir_tenants_missing_automations(text[], integer)": f"""
CREATE FUNCTION comptoir_tenants_missing_automations(p_kinds text[], p_limit integer)
RETURNS TABLE (tenant_id uuid) {_DEFINER} AS $$
    SELECT t.id FROM tenants t
    WHERE t.is_active AND EXISTS (
        SELECT 1 FROM unnest(p_kinds) AS k(kind)
        WHERE NOT EXISTS (
            SELECT 1 FROM automations a WHERE a.tenant_id = t.id AND a.kind = k.kind))
    ORDER BY t.created_at LIMIT p_limit
$$""",
    # Deliveries due to go out (quiet hours over), for the delivery sweep.
    "comptoir_due_deliveries(timestamptz, integer)": f"""
CREATE FUNCTION comptoir_due_deliveries(p_now timestamptz, p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid) {_DEFINER} AS $$
    SELECT d.tenant_id, d.id FROM notification_deliveries d
    WHERE d.status = 'pending' AND d.not_before <= p_now
    ORDER BY d.not_before LIMIT p_limit
$$""",
}


def upgrade() -> None:
    op.create_table(
        "automations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=True),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_automations_owner_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_automations_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_automations")),
        sa.UniqueConstraint("tenant_id", "kind", name=op.f("uq_automations_tenant_id_kind")),
    )
    op.create_index(
        op.f("ix_automations_tenant_id_next_run_at"),
        "automations",
        ["tenant_id", "next_run_at"],
        unique=False,
        postgresql_where=sa.text("enabled"),
    )
    op.create_table(
        "notification_preferences",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("channels", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "channels <@ ARRAY['in_app','email','whatsapp']::varchar[]",
            name=op.f("ck_notification_preferences_channels"),
        ),
        sa.CheckConstraint(
            "(quiet_start IS NULL) = (quiet_end IS NULL)",
            name=op.f("ck_notification_preferences_quiet_pair"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_notification_preferences_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_preferences_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint(
            "tenant_id", "user_id", name=op.f("uq_notification_preferences_tenant_id_user_id")
        ),
    )
    op.create_table(
        "notifications",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("dedup_key", sa.String(length=120), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_notifications_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "tenant_id",
            "user_id",
            "dedup_key",
            name=op.f("uq_notifications_tenant_id_user_id_dedup_key"),
        ),
    )
    op.create_index(
        op.f("ix_notifications_tenant_id_user_id_created_at"),
        "notifications",
        ["tenant_id", "user_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "automation_runs",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("automation_id", sa.Uuid(), nullable=False),
        sa.Column("period_key", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("output", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('queued','retrying','succeeded','failed','skipped')",
            name=op.f("ck_automation_runs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "automation_id"],
            ["automations.tenant_id", "automations.id"],
            name=op.f("fk_automation_runs_tenant_id_automation_id_automations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_automation_runs_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_automation_runs")),
        sa.UniqueConstraint(
            "tenant_id",
            "automation_id",
            "period_key",
            name=op.f("uq_automation_runs_tenant_id_automation_id_period_key"),
        ),
    )
    op.create_index(
        op.f("ix_automation_runs_tenant_id_status_next_attempt_at"),
        "automation_runs",
        ["tenant_id", "status", "next_attempt_at"],
        unique=False,
    )
    op.create_table(
        "notification_deliveries",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("notification_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('pending','sent','failed')", name=op.f("ck_notification_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "notification_id"],
            ["notifications.tenant_id", "notifications.id"],
            name=op.f("fk_notification_deliveries_tenant_id_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_notification_deliveries_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_notification_deliveries")),
        sa.UniqueConstraint(
            "tenant_id",
            "notification_id",
            "channel",
            name=op.f("uq_notification_deliveries_tenant_id_notification_id_channel"),
        ),
    )
    op.create_index(
        op.f("ix_notification_deliveries_tenant_id_status_not_before"),
        "notification_deliveries",
        ["tenant_id", "status", "not_before"],
        unique=False,
    )
    op.create_table(
        "stock_alerts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("warehouse_id", sa.Uuid(), nullable=False),
        sa.Column("available", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("min_quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("suggested_quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["products.tenant_id", "products.id"],
            name=op.f("fk_stock_alerts_tenant_id_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "warehouse_id"],
            ["warehouses.tenant_id", "warehouses.id"],
            name=op.f("fk_stock_alerts_tenant_id_warehouse_id_warehouses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_stock_alerts_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_stock_alerts")),
    )
    op.create_index(
        "uq_stock_alerts_open",
        "stock_alerts",
        ["tenant_id", "product_id", "warehouse_id"],
        unique=True,
        postgresql_where=sa.text("cleared_at IS NULL"),
    )
    op.create_table(
        "dunning_exclusions",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=True),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "reason IN ('opt_out','disputed')", name=op.f("ck_dunning_exclusions_reason")
        ),
        sa.CheckConstraint(
            "(partner_id IS NULL) <> (invoice_id IS NULL)",
            name=op.f("ck_dunning_exclusions_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "invoice_id"],
            ["invoices.tenant_id", "invoices.id"],
            name=op.f("fk_dunning_exclusions_tenant_id_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "partner_id"],
            ["partners.tenant_id", "partners.id"],
            name=op.f("fk_dunning_exclusions_tenant_id_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dunning_exclusions_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_dunning_exclusions")),
        sa.UniqueConstraint(
            "tenant_id",
            "partner_id",
            "invoice_id",
            name=op.f("uq_dunning_exclusions_tenant_id_partner_id_invoice_id"),
        ),
    )
    op.create_table(
        "dunning_reminders",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("amount_due", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "stage IN ('before_due','overdue_7','overdue_30')",
            name=op.f("ck_dunning_reminders_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "invoice_id"],
            ["invoices.tenant_id", "invoices.id"],
            name=op.f("fk_dunning_reminders_tenant_id_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dunning_reminders_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_dunning_reminders")),
        sa.UniqueConstraint(
            "tenant_id",
            "invoice_id",
            "stage",
            name=op.f("uq_dunning_reminders_tenant_id_invoice_id_stage"),
        ),
    )

    for table in TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)
    for statement in FUNCTIONS.values():
        op.execute(statement)


def downgrade() -> None:
    for signature in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.drop_table("dunning_reminders")
    op.drop_table("dunning_exclusions")
    op.drop_index(
        "uq_stock_alerts_open",
        table_name="stock_alerts",
        postgresql_where=sa.text("cleared_at IS NULL"),
    )
    op.drop_table("stock_alerts")
    op.drop_index(
        op.f("ix_notification_deliveries_tenant_id_status_not_before"),
        table_name="notification_deliveries",
    )
    op.drop_table("notification_deliveries")
    op.drop_index(
        op.f("ix_automation_runs_tenant_id_status_next_attempt_at"), table_name="automation_runs"
    )
    op.drop_table("automation_runs")
    op.drop_index(op.f("ix_notifications_tenant_id_user_id_created_at"), table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("notification_preferences")
    op.drop_index(
        op.f("ix_automations_tenant_id_next_run_at"),
        table_name="automations",
        postgresql_where=sa.text("enabled"),
    )
    op.drop_table("automations")
