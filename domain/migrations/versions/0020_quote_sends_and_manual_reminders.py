"""quote sendings and manual reminders

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06

- ``invoice_sends`` records the sendings of quotes too: ``quote_id`` beside
  ``invoice_id``, exactly one of them set.
- ``dunning_reminders`` takes a ``manual`` stage (a reminder a member asked for now). It
  may be sent as often as asked, so the one-reminder-per-stage rule becomes a partial
  unique index that leaves it out.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

SENDS = "invoice_sends"
REMINDERS = "dunning_reminders"
STAGES_BEFORE = "stage IN ('before_due','overdue_7','overdue_30')"
STAGES_AFTER = "stage IN ('before_due','overdue_7','overdue_30','manual')"
ONE_PER_STAGE = "uq_dunning_reminders_tenant_id_invoice_id_stage"


def upgrade() -> None:
    op.add_column(SENDS, sa.Column("quote_id", sa.Uuid(), nullable=True))
    op.alter_column(SENDS, "invoice_id", existing_type=sa.Uuid(), nullable=True)
    op.create_foreign_key(
        op.f("fk_invoice_sends_tenant_id_quote_id_quotes"),
        SENDS,
        "quotes",
        ["tenant_id", "quote_id"],
        ["tenant_id", "id"],
        ondelete="RESTRICT",
    )
    op.create_check_constraint(
        op.f("ck_invoice_sends_one_document"),
        SENDS,
        "(invoice_id IS NULL) <> (quote_id IS NULL)",
    )
    op.create_index(
        op.f("ix_invoice_sends_tenant_id_quote_id_created_at"),
        SENDS,
        ["tenant_id", "quote_id", "created_at"],
    )
    op.drop_constraint(op.f("ck_dunning_reminders_stage"), REMINDERS, type_="check")
    op.create_check_constraint(op.f("ck_dunning_reminders_stage"), REMINDERS, STAGES_AFTER)
    op.drop_constraint(ONE_PER_STAGE, REMINDERS, type_="unique")
    op.create_index(
        ONE_PER_STAGE,
        REMINDERS,
        ["tenant_id", "invoice_id", "stage"],
        unique=True,
        postgresql_where=sa.text("stage <> 'manual'"),
    )


def downgrade() -> None:
    op.execute(f"DELETE FROM {REMINDERS} WHERE stage = 'manual'")
    op.drop_index(ONE_PER_STAGE, table_name=REMINDERS)
    op.create_unique_constraint(ONE_PER_STAGE, REMINDERS, ["tenant_id", "invoice_id", "stage"])
    op.drop_constraint(op.f("ck_dunning_reminders_stage"), REMINDERS, type_="check")
    op.create_check_constraint(op.f("ck_dunning_reminders_stage"), REMINDERS, STAGES_BEFORE)
    op.execute(f"DELETE FROM {SENDS} WHERE quote_id IS NOT NULL")
    op.drop_index(op.f("ix_invoice_sends_tenant_id_quote_id_created_at"), table_name=SENDS)
    op.drop_constraint(op.f("ck_invoice_sends_one_document"), SENDS, type_="check")
    op.drop_constraint(op.f("fk_invoice_sends_tenant_id_quote_id_quotes"), SENDS)
    op.alter_column(SENDS, "invoice_id", existing_type=sa.Uuid(), nullable=False)
    op.drop_column(SENDS, "quote_id")
