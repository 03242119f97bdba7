"""Conversations with the agent: threads, their messages, pending confirmations of WRITE
tools, the tenant's agent policy and its LLM token use.

The LangGraph checkpoints (conversation state) live in the checkpointer's own tables,
keyed by ``thread_id`` = ``<tenant_id>:<conversation_id>``; these tables are the record
people and auditors read, under Row-Level Security like every tenant table.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.kit.base import Base, TenantEntity, TenantRecord, tenant_fk, utcnow

MESSAGE_ROLES = ("user", "assistant")
TIERS = ("local", "llm", "system")


class Conversation(TenantEntity):
    """One thread: a person talking to Comptoir through one channel."""

    __tablename__ = "conversations"
    user_id: Mapped[UUID]
    channel: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(120))
    __table_args__ = (Index(None, "tenant_id", "user_id", "updated_at"),)


class ConversationMessage(TenantRecord):
    """A message of a thread, as written and as answered (append-only)."""

    __tablename__ = "conversation_messages"
    conversation_id: Mapped[UUID]
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    tier: Mapped[str | None] = mapped_column(String(16))
    meta: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (
        tenant_fk("conversation_id", "conversations", ondelete="CASCADE"),
        CheckConstraint("role IN ('user', 'assistant')", name="role"),
        Index(None, "tenant_id", "conversation_id", "created_at"),
    )


class PendingConfirmation(TenantRecord):
    """A WRITE tool call shown to the user and waiting for their yes.

    The token the user (or a button) sends back is ``<id>.<signature>``: the signature
    binds tenant, user, tool and the exact arguments, so an altered token or arguments are
    refused; ``used_at`` makes it single-use; ``expires_at`` short-lived."""

    __tablename__ = "pending_confirmations"
    user_id: Mapped[UUID]
    conversation_id: Mapped[UUID | None]
    tool: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSONB)
    digest: Mapped[str] = mapped_column(String(64))
    preview: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))  # confirmed, cancelled, failed
    __table_args__ = (
        tenant_fk("conversation_id", "conversations", ondelete="CASCADE"),
        Index(None, "tenant_id", "user_id", "created_at"),
    )


class AgentPolicy(TenantEntity):
    """What the tenant lets the agent do without asking, and how many LLM tokens a month.

    One row per tenant (``id`` is unused beyond the key convention; looked up by tenant)."""

    __tablename__ = "agent_policies"
    # Low-risk WRITE tools run without confirmation (only tools declared low_risk count).
    exempt_tools: Mapped[list[str]] = mapped_column(
        ARRAY(String(64)), default=list, server_default=text("'{}'")
    )
    monthly_token_cap: Mapped[int] = mapped_column(
        Integer, default=200_000, server_default="200000"
    )
    __table_args__ = (Index("uq_agent_policies_tenant", "tenant_id", unique=True),)


class TokenUsage(TenantRecord):
    """LLM tokens used by the tenant in a calendar month (one row per month)."""

    __tablename__ = "llm_token_usage"
    month: Mapped[date]
    input_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    output_tokens: Mapped[int] = mapped_column(BigInteger, default=0)
    __table_args__ = (Index("uq_llm_token_usage_month", "tenant_id", "month", unique=True),)


# LangGraph's PostgresSaver tables (langgraph-checkpoint-postgres 3.x schema), created by
# our migrations instead of ``PostgresSaver.setup()`` so that they get Row-Level Security:
# a thread id is ``<tenant_id>:<conversation_id>`` and the policy compares its prefix with
# the transaction's tenant. The saver runs on the turn's own connection (same transaction).


def _checkpoint_key() -> tuple[Column[str], Column[str]]:
    return (
        Column("thread_id", Text, primary_key=True),
        Column("checkpoint_ns", Text, primary_key=True, server_default=""),
    )


checkpoint_migrations = Table(
    "checkpoint_migrations", Base.metadata, Column("v", Integer, primary_key=True)
)
checkpoints = Table(
    "checkpoints",
    Base.metadata,
    *_checkpoint_key(),
    Column("checkpoint_id", Text, primary_key=True),
    Column("parent_checkpoint_id", Text),
    Column("type", Text),
    Column("checkpoint", JSONB, nullable=False),
    Column("metadata", JSONB, nullable=False, server_default="{}"),
    Index("checkpoints_thread_id_idx", "thread_id"),
)
checkpoint_blobs = Table(
    "checkpoint_blobs",
    Base.metadata,
    *_checkpoint_key(),
    Column("channel", Text, primary_key=True),
    Column("version", Text, primary_key=True),
    Column("type", Text, nullable=False),
    Column("blob", LargeBinary),
    Index("checkpoint_blobs_thread_id_idx", "thread_id"),
)
checkpoint_writes = Table(
    "checkpoint_writes",
    Base.metadata,
    *_checkpoint_key(),
    Column("checkpoint_id", Text, primary_key=True),
    Column("task_id", Text, primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("channel", Text, nullable=False),
    Column("type", Text),
    Column("blob", LargeBinary, nullable=False),
    Column("task_path", Text, nullable=False, server_default=""),
    Index("checkpoint_writes_thread_id_idx", "thread_id"),
)
CHECKPOINT_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
