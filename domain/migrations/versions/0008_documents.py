"""documents

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21

Uploaded documents, their bytes, and their chunks with a pgvector embedding (HNSW,
cosine) and a French full-text vector over the accent-folded text, all under RLS.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

from domain.documents.models import ATTACHMENT_TYPES, EMBEDDING_DIMENSIONS, FTS_SOURCE, KINDS
from domain.kit.rls import tenant_policy_sql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TENANT_TABLES = ("documents", "document_blobs", "document_chunks")

# Under Row-Level Security, PostgreSQL only lets an index serve a condition whose operator
# is LEAKPROOF; `tsvector @@ tsquery` is not marked so, and full-text search then reads
# every chunk of the table (130 ms at 100,000 chunks instead of 20). Matching reveals
# nothing but its boolean result, so it is marked leakproof — which only a superuser may
# do: on a server where the owner is not one, search stays correct, just slower.
LEAKPROOF_MATCH = """
DO $$ BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    ALTER FUNCTION ts_match_vq(tsvector, tsquery) {flag};
  END IF;
END $$
"""


def _tenant_column() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("tenant_id", sa.Uuid(), nullable=False)


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "documents",
        _tenant_column(),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column(
            "access_roles",
            sa.ARRAY(sa.String(length=16)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("attached_type", sa.String(length=16), nullable=True),
        sa.Column("attached_id", sa.Uuid(), nullable=True),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("meta", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
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
        sa.CheckConstraint(f"kind IN {KINDS}", name=op.f("ck_documents_kind")),
        sa.CheckConstraint(
            f"attached_type IS NULL OR attached_type IN {ATTACHMENT_TYPES}",
            name=op.f("ck_documents_attached_type"),
        ),
        sa.CheckConstraint(
            "(attached_type IS NULL) = (attached_id IS NULL)",
            name=op.f("ck_documents_attached_pair"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_documents_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_documents")),
    )
    op.create_index(
        op.f("ix_documents_tenant_id_attached_type_attached_id"),
        "documents",
        ["tenant_id", "attached_type", "attached_id"],
    )
    op.create_index(
        op.f("ix_documents_tenant_id_created_at"), "documents", ["tenant_id", "created_at"]
    )
    op.create_table(
        "document_blobs",
        _tenant_column(),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "id"],
            ["documents.tenant_id", "documents.id"],
            name=op.f("fk_document_blobs_tenant_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_document_blobs_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_document_blobs")),
    )
    op.create_table(
        "document_chunks",
        _tenant_column(),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("section", sa.String(length=300), nullable=True),
        sa.Column("context", sa.String(length=300), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("embedding", Vector(EMBEDDING_DIMENSIONS), nullable=False),
        sa.Column(
            "search",
            postgresql.TSVECTOR(),
            sa.Computed(FTS_SOURCE, persisted=True),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "document_id"],
            ["documents.tenant_id", "documents.id"],
            name=op.f("fk_document_chunks_tenant_id_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_document_chunks_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_document_chunks")),
    )
    op.create_index(
        op.f("ix_document_chunks_tenant_id_document_id_ordinal"),
        "document_chunks",
        ["tenant_id", "document_id", "ordinal"],
        unique=True,
    )
    op.create_index(
        "ix_document_chunks_embedding_hnsw",
        "document_chunks",
        ["embedding"],
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_index(
        "ix_document_chunks_search_gin", "document_chunks", ["search"], postgresql_using="gin"
    )
    for table in TENANT_TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)
    op.execute(LEAKPROOF_MATCH.format(flag="LEAKPROOF"))


def downgrade() -> None:
    op.execute(LEAKPROOF_MATCH.format(flag="NOT LEAKPROOF"))
    op.drop_table("document_chunks")
    op.drop_table("document_blobs")
    op.drop_table("documents")
