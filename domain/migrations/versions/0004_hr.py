"""hr

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21

HR: departments, employees, contracts, leave, attendance, reviews.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from domain.kit.rls import tenant_policy_sql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "departments",
    "leave_types",
    "work_schedules",
    "employees",
    "attendance_records",
    "employment_contracts",
    "leave_requests",
    "performance_reviews",
    "leave_movements",
    "review_goals",
)

# Fuzzy, accent-insensitive search of employees by name (see domain.kit.base.trigram_index).
TRGM_INDEX = (
    "CREATE INDEX ix_employees_name_trgm ON employees "
    "USING gist (tenant_id, comptoir_unaccent(name) gist_trgm_ops)"
)


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
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
        sa.CheckConstraint("parent_id <> id", name=op.f("ck_departments_not_own_parent")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["departments.tenant_id", "departments.id"],
            name=op.f("fk_departments_tenant_id_parent_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_departments_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_departments")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_departments_tenant_id_name")),
    )
    op.create_index(
        op.f("ix_departments_tenant_id_parent_id"),
        "departments",
        ["tenant_id", "parent_id"],
        unique=False,
    )
    op.create_table(
        "leave_types",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("is_paid", sa.Boolean(), nullable=False),
        sa.Column("tracks_balance", sa.Boolean(), nullable=False),
        sa.Column("annual_days", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("allow_negative", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
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
            "annual_days >= 0 AND annual_days <= 366", name=op.f("ck_leave_types_annual_days")
        ),
        sa.CheckConstraint(
            "tracks_balance OR annual_days = 0", name=op.f("ck_leave_types_accrual_needs_balance")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_leave_types_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_leave_types")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_leave_types_tenant_id_code")),
    )
    op.create_table(
        "work_schedules",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("grace_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("daily_hours", sa.Numeric(precision=18, scale=4), nullable=False),
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
            "daily_hours > 0 AND daily_hours <= 12", name=op.f("ck_work_schedules_daily_hours")
        ),
        sa.CheckConstraint(
            "grace_minutes BETWEEN 0 AND 240", name=op.f("ck_work_schedules_grace_minutes")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_work_schedules_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_work_schedules")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_work_schedules_tenant_id")),
    )
    op.create_table(
        "employees",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("whatsapp", sa.String(length=16), nullable=True),
        sa.Column("job_title", sa.String(length=100), nullable=True),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("manager_id", sa.Uuid(), nullable=True),
        sa.Column("hire_date", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
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
        sa.CheckConstraint("is_active OR left_on IS NOT NULL", name=op.f("ck_employees_left_on")),
        sa.CheckConstraint("manager_id <> id", name=op.f("ck_employees_not_own_manager")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "department_id"],
            ["departments.tenant_id", "departments.id"],
            name=op.f("fk_employees_tenant_id_department_id_departments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "manager_id"],
            ["employees.tenant_id", "employees.id"],
            name=op.f("fk_employees_tenant_id_manager_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_employees_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_employees_user_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_employees")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_employees_tenant_id_code")),
        sa.UniqueConstraint("tenant_id", "user_id", name=op.f("uq_employees_tenant_id_user_id")),
    )
    op.execute(TRGM_INDEX)
    op.create_index(
        op.f("ix_employees_tenant_id_department_id"),
        "employees",
        ["tenant_id", "department_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_employees_tenant_id_manager_id"),
        "employees",
        ["tenant_id", "manager_id"],
        unique=False,
    )
    op.create_table(
        "attendance_records",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("check_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("check_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_in_source", sa.String(length=10), nullable=False),
        sa.Column("check_out_source", sa.String(length=10), nullable=True),
        sa.Column("late_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("corrected_by", sa.Uuid(), nullable=True),
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
            "check_in_source IN ('web', 'whatsapp', 'kiosk')",
            name=op.f("ck_attendance_records_check_in_source"),
        ),
        sa.CheckConstraint(
            "check_out_source IS NULL OR check_out_source IN ('web', 'whatsapp', 'kiosk')",
            name=op.f("ck_attendance_records_check_out_source"),
        ),
        sa.CheckConstraint(
            "check_out_at IS NULL OR check_out_at > check_in_at",
            name=op.f("ck_attendance_records_times"),
        ),
        sa.CheckConstraint("late_minutes >= 0", name=op.f("ck_attendance_records_late_minutes")),
        sa.ForeignKeyConstraint(
            ["corrected_by"], ["users.id"], name=op.f("fk_attendance_records_corrected_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "employee_id"],
            ["employees.tenant_id", "employees.id"],
            name=op.f("fk_attendance_records_tenant_id_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_attendance_records_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_attendance_records")),
    )
    op.create_index(
        op.f("ix_attendance_records_tenant_id_employee_id_work_date"),
        "attendance_records",
        ["tenant_id", "employee_id", "work_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_attendance_records_tenant_id_work_date"),
        "attendance_records",
        ["tenant_id", "work_date"],
        unique=False,
    )
    op.create_index(
        "uq_attendance_records_open",
        "attendance_records",
        ["tenant_id", "employee_id", "work_date"],
        unique=True,
        postgresql_where=sa.text("check_out_at IS NULL"),
    )
    op.create_table(
        "employment_contracts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("salary", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("weekly_hours", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
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
        postgresql.ExcludeConstraint(
            (sa.literal_column("tenant_id"), "="),
            (sa.literal_column("employee_id"), "="),
            (sa.text("daterange(start_date, end_date, '[]')"), "&&"),
            using="gist",
            name="ex_employment_contracts_overlap",
        ),
        sa.CheckConstraint(
            "kind IN ('cdi', 'cdd', 'stage', 'freelance')",
            name=op.f("ck_employment_contracts_kind"),
        ),
        sa.CheckConstraint(
            "kind NOT IN ('cdd','stage') OR end_date IS NOT NULL",
            name=op.f("ck_employment_contracts_end_required"),
        ),
        sa.CheckConstraint(
            "status IN ('active','terminated')", name=op.f("ck_employment_contracts_status")
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_employment_contracts_dates")
        ),
        sa.CheckConstraint("salary >= 0", name=op.f("ck_employment_contracts_salary")),
        sa.CheckConstraint(
            "weekly_hours > 0 AND weekly_hours <= 60",
            name=op.f("ck_employment_contracts_weekly_hours"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "employee_id"],
            ["employees.tenant_id", "employees.id"],
            name=op.f("fk_employment_contracts_tenant_id_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_employment_contracts_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_employment_contracts")),
    )
    op.create_index(
        op.f("ix_employment_contracts_tenant_id_end_date"),
        "employment_contracts",
        ["tenant_id", "end_date"],
        unique=False,
    )
    op.create_table(
        "leave_requests",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("leave_type_id", sa.Uuid(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("starts_afternoon", sa.Boolean(), nullable=False),
        sa.Column("ends_morning", sa.Boolean(), nullable=False),
        sa.Column("days", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
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
            "status <> 'rejected' OR rejection_reason IS NOT NULL",
            name=op.f("ck_leave_requests_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'cancelled')",
            name=op.f("ck_leave_requests_status"),
        ),
        sa.CheckConstraint("days > 0", name=op.f("ck_leave_requests_days")),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_leave_requests_dates")),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_leave_requests_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_leave_requests_requested_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "employee_id"],
            ["employees.tenant_id", "employees.id"],
            name=op.f("fk_leave_requests_tenant_id_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "leave_type_id"],
            ["leave_types.tenant_id", "leave_types.id"],
            name=op.f("fk_leave_requests_tenant_id_leave_type_id_leave_types"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_leave_requests_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_leave_requests")),
    )
    op.create_index(
        op.f("ix_leave_requests_tenant_id_employee_id_start_date"),
        "leave_requests",
        ["tenant_id", "employee_id", "start_date"],
        unique=False,
    )
    op.create_index(
        op.f("ix_leave_requests_tenant_id_start_date_end_date"),
        "leave_requests",
        ["tenant_id", "start_date", "end_date"],
        unique=False,
    )
    op.create_table(
        "performance_reviews",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("self_feedback", sa.Text(), nullable=True),
        sa.Column("manager_feedback", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
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
            "status <> 'completed' OR rating IS NOT NULL",
            name=op.f("ck_performance_reviews_completed_rating"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'self_assessment', 'manager_review', 'completed')",
            name=op.f("ck_performance_reviews_status"),
        ),
        sa.CheckConstraint(
            "period_end >= period_start", name=op.f("ck_performance_reviews_period")
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_performance_reviews_rating")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "employee_id"],
            ["employees.tenant_id", "employees.id"],
            name=op.f("fk_performance_reviews_tenant_id_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_performance_reviews_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_performance_reviews")),
        sa.UniqueConstraint(
            "tenant_id",
            "employee_id",
            "period_start",
            "period_end",
            name="uq_performance_reviews_period",
        ),
    )
    op.create_table(
        "leave_movements",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("leave_type_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("days", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("accrual_month", sa.Date(), nullable=True),
        sa.Column("leave_request_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
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
            "(kind = 'accrual') = (accrual_month IS NOT NULL)",
            name=op.f("ck_leave_movements_accrual_month"),
        ),
        sa.CheckConstraint(
            "kind IN ('opening', 'accrual', 'taken', 'returned', 'adjustment')",
            name=op.f("ck_leave_movements_kind"),
        ),
        sa.CheckConstraint("days <> 0", name=op.f("ck_leave_movements_days")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "employee_id"],
            ["employees.tenant_id", "employees.id"],
            name=op.f("fk_leave_movements_tenant_id_employee_id_employees"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "leave_request_id"],
            ["leave_requests.tenant_id", "leave_requests.id"],
            name=op.f("fk_leave_movements_tenant_id_leave_request_id_leave_requests"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "leave_type_id"],
            ["leave_types.tenant_id", "leave_types.id"],
            name=op.f("fk_leave_movements_tenant_id_leave_type_id_leave_types"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_leave_movements_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_leave_movements")),
        sa.UniqueConstraint(
            "tenant_id",
            "employee_id",
            "leave_type_id",
            "accrual_month",
            name="uq_leave_movements_accrual",
        ),
    )
    op.create_index(
        op.f("ix_leave_movements_tenant_id_employee_id_leave_type_id"),
        "leave_movements",
        ["tenant_id", "employee_id", "leave_type_id"],
        unique=False,
    )
    op.create_table(
        "review_goals",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("weight", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("achieved", sa.Boolean(), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=True),
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
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_review_goals_score")),
        sa.CheckConstraint(
            "weight IS NULL OR (weight > 0 AND weight <= 100)", name=op.f("ck_review_goals_weight")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "review_id"],
            ["performance_reviews.tenant_id", "performance_reviews.id"],
            name=op.f("fk_review_goals_tenant_id_review_id_performance_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_review_goals_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_review_goals")),
    )
    op.create_index(
        op.f("ix_review_goals_tenant_id_review_id"),
        "review_goals",
        ["tenant_id", "review_id"],
        unique=False,
    )

    for table in TENANT_TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.drop_index(op.f("ix_review_goals_tenant_id_review_id"), table_name="review_goals")
    op.drop_table("review_goals")
    op.drop_index(
        op.f("ix_leave_movements_tenant_id_employee_id_leave_type_id"), table_name="leave_movements"
    )
    op.drop_table("leave_movements")
    op.drop_table("performance_reviews")
    op.drop_index(
        op.f("ix_leave_requests_tenant_id_start_date_end_date"), table_name="leave_requests"
    )
    op.drop_index(
        op.f("ix_leave_requests_tenant_id_employee_id_start_date"), table_name="leave_requests"
    )
    op.drop_table("leave_requests")
    op.drop_index(
        op.f("ix_employment_contracts_tenant_id_end_date"), table_name="employment_contracts"
    )
    op.drop_table("employment_contracts")
    op.drop_index(
        "uq_attendance_records_open",
        table_name="attendance_records",
        postgresql_where=sa.text("check_out_at IS NULL"),
    )
    op.drop_index(
        op.f("ix_attendance_records_tenant_id_work_date"), table_name="attendance_records"
    )
    op.drop_index(
        op.f("ix_attendance_records_tenant_id_employee_id_work_date"),
        table_name="attendance_records",
    )
    op.drop_table("attendance_records")
    op.drop_index(op.f("ix_employees_tenant_id_manager_id"), table_name="employees")
    op.drop_index(op.f("ix_employees_tenant_id_department_id"), table_name="employees")
    op.execute("DROP INDEX ix_employees_name_trgm")
    op.drop_table("employees")
    op.drop_table("work_schedules")
    op.drop_table("leave_types")
    op.drop_index(op.f("ix_departments_tenant_id_parent_id"), table_name="departments")
    op.drop_table("departments")
