"""sales finance ledger

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21

Also: comptoir_unaccent() for accent-insensitive trigram search, RLS on every new table,
the ledger's balance and append-only triggers, and posted invoices made immutable in the
database itself (not only in the services).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from domain.kit.rls import tenant_policy_sql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


TENANT_TABLES = (
    "accounts",
    "fiscal_settings",
    "journals",
    "partners",
    "pipeline_stages",
    "products",
    "sequences",
    "vat_rates",
    "journal_entries",
    "opportunities",
    "partner_contacts",
    "payments",
    "quotes",
    "recurring_invoices",
    "activities",
    "invoices",
    "journal_lines",
    "quote_lines",
    "allocations",
    "invoice_lines",
)

# Accent- and case-folding for trigram search. The embedded server has no ``unaccent``
# extension; French and Wolof names need only the Latin-1 accents and the œ/æ ligatures.
UNACCENT_FN = """
CREATE FUNCTION comptoir_unaccent(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT replace(replace(lower(translate(value,
        'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŸàáâãäåçèéêëìíîïñòóôõöøùúûüýÿ’',
        'aaaaaaceeeeiiiinoooooouuuuyyaaaaaaceeeeiiiinoooooouuuuyy''')),
        'œ', 'oe'), 'æ', 'ae')
$$
"""

TRGM_INDEX = (
    "CREATE INDEX ix_{table}_name_trgm ON {table} "
    "USING gist (tenant_id, comptoir_unaccent(name) gist_trgm_ops)"
)

# Debit = credit is checked by the services and, at commit, by PostgreSQL: an entry and
# every line added to it are re-checked by a deferred constraint trigger. Entries and lines
# are append-only (a correction is a new entry), for the owner too.
LEDGER_SQL = [
    """
    CREATE FUNCTION comptoir_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        -- TG_ARGV[0] names the column holding the entry id ('id' or 'entry_id').
        entry uuid := (to_jsonb(NEW) ->> TG_ARGV[0])::uuid;
        total_debit numeric; total_credit numeric; line_count integer;
    BEGIN
        SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0), count(*)
          INTO total_debit, total_credit, line_count
          FROM journal_lines WHERE tenant_id = NEW.tenant_id AND entry_id = entry;
        IF line_count < 2 OR total_debit <> total_credit THEN
            RAISE EXCEPTION 'unbalanced journal entry % (debit %, credit %, % lines)',
                entry, total_debit, total_credit, line_count USING ERRCODE = '23514';
        END IF;
        RETURN NULL;
    END $$
    """,
    """CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
       EXECUTE FUNCTION comptoir_check_entry_balanced('id')""",
    """CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT ON journal_lines
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
       EXECUTE FUNCTION comptoir_check_entry_balanced('entry_id')""",
    """
    CREATE FUNCTION comptoir_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the ledger is append-only: post a reversing entry instead'
            USING ERRCODE = '42501';
    END $$
    """,
    """CREATE TRIGGER journal_entries_append_only
       BEFORE UPDATE OR DELETE OR TRUNCATE ON journal_entries
       FOR EACH STATEMENT EXECUTE FUNCTION comptoir_ledger_append_only()""",
    """CREATE TRIGGER journal_lines_append_only
       BEFORE UPDATE OR DELETE OR TRUNCATE ON journal_lines
       FOR EACH STATEMENT EXECUTE FUNCTION comptoir_ledger_append_only()""",
]

# A posted invoice is immutable: only its settlement (status, amount settled) moves, and it
# never goes back to draft; its lines can no longer change; it cannot be deleted.
INVOICE_SQL = [
    """
    CREATE FUNCTION comptoir_invoice_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        settlement text[] := ARRAY['status', 'amount_settled', 'updated_at', 'version'];
    BEGIN
        IF OLD.status = 'draft' THEN
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END IF;
        IF TG_OP = 'DELETE' OR NEW.status = 'draft'
           OR (to_jsonb(NEW) - settlement) IS DISTINCT FROM (to_jsonb(OLD) - settlement) THEN
            RAISE EXCEPTION 'invoice % is posted and cannot be changed', OLD.number
                USING ERRCODE = '55000';
        END IF;
        RETURN NEW;
    END $$
    """,
    """CREATE TRIGGER invoices_immutable_once_posted BEFORE UPDATE OR DELETE ON invoices
       FOR EACH ROW EXECUTE FUNCTION comptoir_invoice_guard()""",
    """
    CREATE FUNCTION comptoir_invoice_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        line invoice_lines := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        parent_status text;
    BEGIN
        SELECT status INTO parent_status FROM invoices
         WHERE tenant_id = line.tenant_id AND id = line.invoice_id;
        IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
            RAISE EXCEPTION 'the lines of a posted invoice cannot be changed'
                USING ERRCODE = '55000';
        END IF;
        RETURN line;
    END $$
    """,
    """CREATE TRIGGER invoice_lines_immutable_once_posted
       BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
       FOR EACH ROW EXECUTE FUNCTION comptoir_invoice_line_guard()""",
]

DROP_SQL = [
    "DROP TRIGGER invoice_lines_immutable_once_posted ON invoice_lines",
    "DROP TRIGGER invoices_immutable_once_posted ON invoices",
    "DROP TRIGGER journal_lines_append_only ON journal_lines",
    "DROP TRIGGER journal_entries_append_only ON journal_entries",
    "DROP TRIGGER journal_lines_balanced ON journal_lines",
    "DROP TRIGGER journal_entries_balanced ON journal_entries",
    "DROP FUNCTION comptoir_invoice_line_guard()",
    "DROP FUNCTION comptoir_invoice_guard()",
    "DROP FUNCTION comptoir_ledger_append_only()",
    "DROP FUNCTION comptoir_check_entry_balanced()",
]


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(UNACCENT_FN)
    op.create_table(
        "accounts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=12), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
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
            "kind IN ('asset','liability','equity','income','expense')",
            name=op.f("ck_accounts_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_accounts_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_accounts_tenant_id_number")),
    )
    op.create_table(
        "fiscal_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("chart", sa.String(length=12), nullable=False),
        sa.Column("payment_terms_days", sa.SmallInteger(), nullable=False),
        sa.Column("quote_validity_days", sa.SmallInteger(), nullable=False),
        sa.Column("invoice_pattern", sa.String(length=40), nullable=False),
        sa.Column("credit_note_pattern", sa.String(length=40), nullable=False),
        sa.Column("quote_pattern", sa.String(length=40), nullable=False),
        sa.Column("legal_mentions", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("late_penalty_text", sa.Text(), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("postcode", sa.String(length=16), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("legal_form", sa.String(length=40), nullable=True),
        sa.Column("share_capital", sa.String(length=40), nullable=True),
        sa.Column("trade_registry", sa.String(length=80), nullable=True),
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
        sa.CheckConstraint("chart IN ('pcg','syscohada')", name=op.f("ck_fiscal_settings_chart")),
        sa.CheckConstraint(
            "payment_terms_days BETWEEN 0 AND 365", name=op.f("ck_fiscal_settings_payment_terms")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_fiscal_settings_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_fiscal_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_fiscal_settings_tenant_id")),
    )
    op.create_table(
        "journals",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=14), nullable=False),
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
            "kind IN ('sales','purchases','bank','cash','miscellaneous')",
            name=op.f("ck_journals_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_journals_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_journals")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_journals_tenant_id_code")),
    )
    op.create_table(
        "partners",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("is_customer", sa.Boolean(), nullable=False),
        sa.Column("is_supplier", sa.Boolean(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("postcode", sa.String(length=16), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("siren", sa.String(length=9), nullable=True),
        sa.Column("siret", sa.String(length=14), nullable=True),
        sa.Column("vat_number", sa.String(length=20), nullable=True),
        sa.Column("ninea", sa.String(length=20), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("payment_terms_days", sa.SmallInteger(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
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
        sa.CheckConstraint("kind IN ('individual','company')", name=op.f("ck_partners_kind")),
        sa.CheckConstraint("is_customer OR is_supplier", name=op.f("ck_partners_has_role")),
        sa.CheckConstraint(
            "payment_terms_days BETWEEN 0 AND 365", name=op.f("ck_partners_payment_terms")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_partners_tenant_id_code")),
    )
    op.execute(TRGM_INDEX.format(table="partners"))
    op.create_table(
        "pipeline_stages",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("probability", sa.SmallInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
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
            "outcome IN ('open','won','lost')", name=op.f("ck_pipeline_stages_outcome")
        ),
        sa.CheckConstraint(
            "probability BETWEEN 0 AND 100", name=op.f("ck_pipeline_stages_probability")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_pipeline_stages_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_pipeline_stages")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_pipeline_stages_tenant_id_name")),
    )
    op.create_table(
        "products",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("sale_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
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
        sa.CheckConstraint("kind IN ('goods','service')", name=op.f("ck_products_kind")),
        sa.CheckConstraint("sale_price >= 0", name=op.f("ck_products_sale_price")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_products_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_products")),
        sa.UniqueConstraint("tenant_id", "sku", name=op.f("uq_products_tenant_id_sku")),
    )
    op.execute(TRGM_INDEX.format(table="products"))
    op.create_table(
        "sequences",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("next_value", sa.Integer(), nullable=False),
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
            name=op.f("fk_sequences_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_sequences")),
        sa.UniqueConstraint(
            "tenant_id", "name", "period", name=op.f("uq_sequences_tenant_id_name_period")
        ),
    )
    op.create_table(
        "vat_rates",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("rate", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("category", sa.String(length=2), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("exemption_reason", sa.String(length=200), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
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
        sa.CheckConstraint("category IN ('S','E','Z')", name=op.f("ck_vat_rates_category")),
        sa.CheckConstraint("rate >= 0 AND rate < 100", name=op.f("ck_vat_rates_rate")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_vat_rates_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_vat_rates")),
        sa.UniqueConstraint(
            "tenant_id", "rate", "category", name=op.f("uq_vat_rates_tenant_id_rate_category")
        ),
    )
    op.create_table(
        "journal_entries",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("journal_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("piece_ref", sa.String(length=40), nullable=False),
        sa.Column("piece_date", sa.Date(), nullable=False),
        sa.Column("source_type", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("validated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "journal_id"],
            ["journals.tenant_id", "journals.id"],
            name=op.f("fk_journal_entries_tenant_id_journal_id_journals"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_journal_entries_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint(
            "tenant_id", "number", name=op.f("uq_journal_entries_tenant_id_number")
        ),
    )
    op.create_index(
        op.f("ix_journal_entries_tenant_id_entry_date"),
        "journal_entries",
        ["tenant_id", "entry_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_journal_entries_tenant_id_source_type_source_id"),
        "journal_entries",
        ["tenant_id", "source_type", "source_id"],
        unique=False,
    )
    op.create_table(
        "opportunities",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("probability", sa.SmallInteger(), nullable=False),
        sa.Column("expected_close_date", sa.Date(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("lost_reason", sa.String(length=300), nullable=True),
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
        sa.CheckConstraint("amount >= 0", name=op.f("ck_opportunities_amount")),
        sa.CheckConstraint(
            "probability BETWEEN 0 AND 100", name=op.f("ck_opportunities_probability")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_opportunities_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "partner_id"],
            ["partners.tenant_id", "partners.id"],
            name=op.f("fk_opportunities_tenant_id_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "stage_id"],
            ["pipeline_stages.tenant_id", "pipeline_stages.id"],
            name=op.f("fk_opportunities_tenant_id_stage_id_pipeline_stages"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_opportunities_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_opportunities")),
    )
    op.create_index(
        op.f("ix_opportunities_tenant_id_partner_id"),
        "opportunities",
        ["tenant_id", "partner_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_opportunities_tenant_id_stage_id"),
        "opportunities",
        ["tenant_id", "stage_id"],
        unique=False,
    )
    op.create_table(
        "partner_contacts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("job_title", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=True),
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
            ["tenant_id", "partner_id"],
            ["partners.tenant_id", "partners.id"],
            name=op.f("fk_partner_contacts_tenant_id_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partner_contacts_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partner_contacts")),
    )
    op.create_index(
        op.f("ix_partner_contacts_tenant_id_partner_id"),
        "partner_contacts",
        ["tenant_id", "partner_id"],
        unique=False,
    )
    op.create_table(
        "payments",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("amount_allocated", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
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
            "method IN ('cash','bank_transfer','card','cheque','wave','orange_money')",
            name=op.f("ck_payments_method"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_amount")),
        sa.CheckConstraint(
            "amount_allocated >= 0 AND amount_allocated <= amount",
            name=op.f("ck_payments_allocated"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_payments_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "partner_id"],
            ["partners.tenant_id", "partners.id"],
            name=op.f("fk_payments_tenant_id_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_payments_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_payments")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_payments_tenant_id_number")),
    )
    op.create_index(
        op.f("ix_payments_tenant_id_partner_id_received_on"),
        "payments",
        ["tenant_id", "partner_id", "received_on"],
        unique=False,
    )
    op.create_index(
        op.f("ix_payments_tenant_id_received_on"),
        "payments",
        ["tenant_id", "received_on"],
        unique=False,
    )
    op.create_table(
        "quotes",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("gross_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
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
            "status IN ('draft','sent','accepted','refused','expired')",
            name=op.f("ck_quotes_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_quotes_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "partner_id"],
            ["partners.tenant_id", "partners.id"],
            name=op.f("fk_quotes_tenant_id_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_quotes_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_quotes")),
        sa.UniqueConstraint(
            "tenant_id", "number", "version", name=op.f("uq_quotes_tenant_id_number_version")
        ),
    )
    op.create_index(
        op.f("ix_quotes_tenant_id_partner_id"), "quotes", ["tenant_id", "partner_id"], unique=False
    )
    op.create_index(
        op.f("ix_quotes_tenant_id_status_valid_until"),
        "quotes",
        ["tenant_id", "status", "valid_until"],
        unique=False,
    )
    op.create_table(
        "recurring_invoices",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("lines", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("next_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("auto_post", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
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
            "frequency IN ('monthly','quarterly','yearly')",
            name=op.f("ck_recurring_invoices_frequency"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "partner_id"],
            ["partners.tenant_id", "partners.id"],
            name=op.f("fk_recurring_invoices_tenant_id_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_recurring_invoices_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_recurring_invoices")),
    )
    op.create_index(
        op.f("ix_recurring_invoices_tenant_id_is_active_next_date"),
        "recurring_invoices",
        ["tenant_id", "is_active", "next_date"],
        unique=False,
    )
    op.create_table(
        "activities",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("partner_id", sa.Uuid(), nullable=True),
        sa.Column("opportunity_id", sa.Uuid(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
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
            "kind IN ('call','meeting','task','note')", name=op.f("ck_activities_kind")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_activities_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "opportunity_id"],
            ["opportunities.tenant_id", "opportunities.id"],
            name=op.f("fk_activities_tenant_id_opportunity_id_opportunities"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "partner_id"],
            ["partners.tenant_id", "partners.id"],
            name=op.f("fk_activities_tenant_id_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_activities_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_activities")),
    )
    op.create_index(
        op.f("ix_activities_tenant_id_assignee_id_done_due_at"),
        "activities",
        ["tenant_id", "assignee_id", "done", "due_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_activities_tenant_id_partner_id"),
        "activities",
        ["tenant_id", "partner_id"],
        unique=False,
    )
    op.create_table(
        "invoices",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("payment_terms_days", sa.SmallInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("gross_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("amount_settled", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("quote_id", sa.Uuid(), nullable=True),
        sa.Column("credited_invoice_id", sa.Uuid(), nullable=True),
        sa.Column("recurring_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("buyer_reference", sa.String(length=100), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_by", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
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
            "status IN ('draft', 'cancelled') OR number IS NOT NULL",
            name=op.f("ck_invoices_posted_number"),
        ),
        sa.CheckConstraint(
            "kind <> 'credit_note' OR credited_invoice_id IS NOT NULL",
            name=op.f("ck_invoices_credit"),
        ),
        sa.CheckConstraint(
            "kind IN ('invoice','deposit','credit_note')", name=op.f("ck_invoices_kind")
        ),
        sa.CheckConstraint(
            "status IN ('draft','posted','partially_paid','paid','cancelled')",
            name=op.f("ck_invoices_status"),
        ),
        sa.CheckConstraint(
            "amount_settled >= 0 AND amount_settled <= gross_total",
            name=op.f("ck_invoices_settled"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_invoices_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["posted_by"], ["users.id"], name=op.f("fk_invoices_posted_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "credited_invoice_id"],
            ["invoices.tenant_id", "invoices.id"],
            name=op.f("fk_invoices_tenant_id_credited_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "partner_id"],
            ["partners.tenant_id", "partners.id"],
            name=op.f("fk_invoices_tenant_id_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "quote_id"],
            ["quotes.tenant_id", "quotes.id"],
            name=op.f("fk_invoices_tenant_id_quote_id_quotes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_invoices_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_invoices_tenant_id_number")),
    )
    op.create_index(
        op.f("ix_invoices_tenant_id_issue_date"),
        "invoices",
        ["tenant_id", "issue_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_invoices_tenant_id_partner_id_issue_date"),
        "invoices",
        ["tenant_id", "partner_id", "issue_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_invoices_tenant_id_status_due_date"),
        "invoices",
        ["tenant_id", "status", "due_date"],
        unique=False,
    )
    op.create_table(
        "journal_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("debit", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("credit", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.CheckConstraint(
            "debit >= 0 AND credit >= 0 AND (debit = 0) <> (credit = 0)",
            name=op.f("ck_journal_lines_one_side"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["accounts.tenant_id", "accounts.id"],
            name=op.f("fk_journal_lines_tenant_id_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "entry_id"],
            ["journal_entries.tenant_id", "journal_entries.id"],
            name=op.f("fk_journal_lines_tenant_id_entry_id_journal_entries"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "partner_id"],
            ["partners.tenant_id", "partners.id"],
            name=op.f("fk_journal_lines_tenant_id_partner_id_partners"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_journal_lines_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_journal_lines")),
    )
    op.create_index(
        op.f("ix_journal_lines_tenant_id_account_id"),
        "journal_lines",
        ["tenant_id", "account_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_journal_lines_tenant_id_entry_id"),
        "journal_lines",
        ["tenant_id", "entry_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_journal_lines_tenant_id_partner_id"),
        "journal_lines",
        ["tenant_id", "partner_id"],
        unique=False,
    )
    op.create_table(
        "quote_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("quote_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("discount_percent", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("vat_category", sa.String(length=2), nullable=False),
        sa.Column("net_amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.CheckConstraint(
            "discount_percent >= 0 AND discount_percent <= 100",
            name=op.f("ck_quote_lines_discount"),
        ),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_quote_lines_quantity")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_quote_lines_unit_price")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["products.tenant_id", "products.id"],
            name=op.f("fk_quote_lines_tenant_id_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "quote_id"],
            ["quotes.tenant_id", "quotes.id"],
            name=op.f("fk_quote_lines_tenant_id_quote_id_quotes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_quote_lines_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_quote_lines")),
    )
    op.create_index(
        op.f("ix_quote_lines_tenant_id_quote_id"),
        "quote_lines",
        ["tenant_id", "quote_id"],
        unique=False,
    )
    op.create_table(
        "allocations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("credit_note_id", sa.Uuid(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("allocated_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "(payment_id IS NULL) <> (credit_note_id IS NULL)",
            name=op.f("ck_allocations_one_source"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_allocations_amount")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "credit_note_id"],
            ["invoices.tenant_id", "invoices.id"],
            name=op.f("fk_allocations_tenant_id_credit_note_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "invoice_id"],
            ["invoices.tenant_id", "invoices.id"],
            name=op.f("fk_allocations_tenant_id_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "payment_id"],
            ["payments.tenant_id", "payments.id"],
            name=op.f("fk_allocations_tenant_id_payment_id_payments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_allocations_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_allocations")),
    )
    op.create_index(
        op.f("ix_allocations_tenant_id_invoice_id"),
        "allocations",
        ["tenant_id", "invoice_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_allocations_tenant_id_payment_id"),
        "allocations",
        ["tenant_id", "payment_id"],
        unique=False,
    )
    op.create_table(
        "invoice_lines",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("deposit_invoice_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("discount_percent", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("vat_rate", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("vat_category", sa.String(length=2), nullable=False),
        sa.Column("net_amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.CheckConstraint(
            "discount_percent >= 0 AND discount_percent <= 100",
            name=op.f("ck_invoice_lines_discount"),
        ),
        sa.CheckConstraint("quantity <> 0", name=op.f("ck_invoice_lines_quantity")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_invoice_lines_unit_price")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "deposit_invoice_id"],
            ["invoices.tenant_id", "invoices.id"],
            name=op.f("fk_invoice_lines_tenant_id_deposit_invoice_id_invoices"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "invoice_id"],
            ["invoices.tenant_id", "invoices.id"],
            name=op.f("fk_invoice_lines_tenant_id_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["products.tenant_id", "products.id"],
            name=op.f("fk_invoice_lines_tenant_id_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_invoice_lines_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_invoice_lines")),
    )
    op.create_index(
        op.f("ix_invoice_lines_tenant_id_invoice_id"),
        "invoice_lines",
        ["tenant_id", "invoice_id"],
        unique=False,
    )
    for table in TENANT_TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)
    for statement in LEDGER_SQL + INVOICE_SQL:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_SQL:
        op.execute(statement)
    op.drop_index(op.f("ix_invoice_lines_tenant_id_invoice_id"), table_name="invoice_lines")
    op.drop_table("invoice_lines")
    op.drop_index(op.f("ix_allocations_tenant_id_payment_id"), table_name="allocations")
    op.drop_index(op.f("ix_allocations_tenant_id_invoice_id"), table_name="allocations")
    op.drop_table("allocations")
    op.drop_index(op.f("ix_quote_lines_tenant_id_quote_id"), table_name="quote_lines")
    op.drop_table("quote_lines")
    op.drop_index(op.f("ix_journal_lines_tenant_id_partner_id"), table_name="journal_lines")
    op.drop_index(op.f("ix_journal_lines_tenant_id_entry_id"), table_name="journal_lines")
    op.drop_index(op.f("ix_journal_lines_tenant_id_account_id"), table_name="journal_lines")
    op.drop_table("journal_lines")
    op.drop_index(op.f("ix_invoices_tenant_id_status_due_date"), table_name="invoices")
    op.drop_index(op.f("ix_invoices_tenant_id_partner_id_issue_date"), table_name="invoices")
    op.drop_index(op.f("ix_invoices_tenant_id_issue_date"), table_name="invoices")
    op.drop_table("invoices")
    op.drop_index(op.f("ix_activities_tenant_id_partner_id"), table_name="activities")
    op.drop_index(op.f("ix_activities_tenant_id_assignee_id_done_due_at"), table_name="activities")
    op.drop_table("activities")
    op.drop_index(
        op.f("ix_recurring_invoices_tenant_id_is_active_next_date"), table_name="recurring_invoices"
    )
    op.drop_table("recurring_invoices")
    op.drop_index(op.f("ix_quotes_tenant_id_status_valid_until"), table_name="quotes")
    op.drop_index(op.f("ix_quotes_tenant_id_partner_id"), table_name="quotes")
    op.drop_table("quotes")
    op.drop_index(op.f("ix_payments_tenant_id_received_on"), table_name="payments")
    op.drop_index(op.f("ix_payments_tenant_id_partner_id_received_on"), table_name="payments")
    op.drop_table("payments")
    op.drop_index(op.f("ix_partner_contacts_tenant_id_partner_id"), table_name="partner_contacts")
    op.drop_table("partner_contacts")
    op.drop_index(op.f("ix_opportunities_tenant_id_stage_id"), table_name="opportunities")
    op.drop_index(op.f("ix_opportunities_tenant_id_partner_id"), table_name="opportunities")
    op.drop_table("opportunities")
    op.drop_index(
        op.f("ix_journal_entries_tenant_id_source_type_source_id"), table_name="journal_entries"
    )
    op.drop_index(op.f("ix_journal_entries_tenant_id_entry_date"), table_name="journal_entries")
    op.drop_table("journal_entries")
    op.drop_table("vat_rates")
    op.drop_table("sequences")
    op.drop_table("products")
    op.drop_table("pipeline_stages")
    op.drop_table("partners")
    op.drop_table("journals")
    op.drop_table("fiscal_settings")
    op.drop_table("accounts")
    op.execute("DROP FUNCTION comptoir_unaccent(text)")
