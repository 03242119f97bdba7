"""Documents and their chunks.

A ``Document`` is one uploaded file (its bytes in ``DocumentBlob``), who may read it
(``access_roles``: empty means every member of the tenant; admin always may) and the
business record it is attached to. Its ``DocumentChunk`` rows are what retrieval searches:
the text of one section piece, its page and section, a 384-dimension embedding (HNSW,
cosine) and a French full-text vector computed by PostgreSQL from the accent-folded text.

Two indexes do not lead with ``tenant_id``, unlike every other index of the schema: an
HNSW or a GIN index has a single column. Row-Level Security still filters their results,
and retrieval adds the tenant and role conditions to the same statement.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    CheckConstraint,
    Computed,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import TenantEntity, TenantRecord, tenant_fk

EMBEDDING_DIMENSIONS = 384
KINDS = ("pdf", "docx", "xlsx", "pptx", "html", "eml", "markdown", "text")
ATTACHMENT_TYPES = ("customer", "supplier", "employee")
# The document's title and the section path are searched with the text: « le contrat
# Diallo » names the document, not the sentence that answers.
FTS_SOURCE = (
    "to_tsvector('french'::regconfig, comptoir_unaccent("
    "coalesce(context, '') || ' ' || coalesce(section, '') || ' ' || text))"
)


class Document(TenantEntity):
    """An uploaded file: what it is, who may read it, what it is attached to."""

    __tablename__ = "documents"
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int | None] = mapped_column(Integer)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    # Roles that may read it besides admin; empty: every member of the tenant.
    access_roles: Mapped[list[str]] = mapped_column(
        ARRAY(String(16)), default=list, server_default=text("'{}'")
    )
    attached_type: Mapped[str | None] = mapped_column(String(16))
    attached_id: Mapped[UUID | None]
    uploaded_by: Mapped[UUID | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS}", name="kind"),
        CheckConstraint(
            f"attached_type IS NULL OR attached_type IN {ATTACHMENT_TYPES}", name="attached_type"
        ),
        CheckConstraint("(attached_type IS NULL) = (attached_id IS NULL)", name="attached_pair"),
        Index(None, "tenant_id", "attached_type", "attached_id"),
        Index(None, "tenant_id", "created_at"),
    )


class DocumentBlob(TenantRecord):
    """The uploaded bytes, kept for re-indexing and download (``id`` is the document's)."""

    __tablename__ = "document_blobs"
    data: Mapped[bytes] = mapped_column(LargeBinary)
    __table_args__ = (tenant_fk("id", "documents", ondelete="CASCADE"),)


class DocumentChunk(TenantRecord):
    """A searchable piece of a document, within one section."""

    __tablename__ = "document_chunks"
    document_id: Mapped[UUID]
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    section: Mapped[str | None] = mapped_column(String(300))
    context: Mapped[str | None] = mapped_column(String(300))  # the document's title
    page: Mapped[int | None] = mapped_column(Integer)
    tokens: Mapped[int] = mapped_column(Integer)
    embedding: Mapped[Any] = mapped_column(Vector(EMBEDDING_DIMENSIONS))
    search: Mapped[Any] = mapped_column(TSVECTOR, Computed(FTS_SOURCE, persisted=True))
    __table_args__ = (
        tenant_fk("document_id", "documents", ondelete="CASCADE"),
        Index(None, "tenant_id", "document_id", "ordinal", unique=True),
        Index(
            "ix_document_chunks_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_with={"m": 16, "ef_construction": 64},
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
        Index("ix_document_chunks_search_gin", "search", postgresql_using="gin"),
    )
