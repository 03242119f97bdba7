"""What the e-invoicing API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.kit import inputs


class PlatformIn(inputs.InputModel):
    model_config = ConfigDict(extra="forbid")
    flow_url: str = Field(max_length=300)
    directory_url: str = Field(max_length=300)
    token_url: str | None = Field(default=None, max_length=300)
    client_id: str | None = Field(default=None, max_length=200)
    client_secret: str | None = Field(default=None, max_length=500)
    enabled: bool = True


class PlatformOut(BaseModel):
    flow_url: str
    directory_url: str
    token_url: str | None
    client_id: str | None
    has_secret: bool
    enabled: bool
    incoming_cursor: datetime | None


class StatusOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: int
    status: str
    label: str
    origin: Literal["platform", "business"]
    reason: str | None
    occurred_at: datetime
    sent_at: datetime | None


class EInvoiceOut(BaseModel):
    document_type: Literal["invoice", "supplier_bill"]
    document_id: UUID
    platform_flow_id: str | None
    ack_status: Literal["pending", "ok", "error"] | None
    error: str | None
    statuses: list[StatusOut]


class BillStatusIn(inputs.InputModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["approuvee", "en_litige", "refusee"]
    reason: str | None = Field(default=None, max_length=500)


class DirectoryOut(BaseModel):
    siren: str
    name: str | None
    on_einvoicing: bool
    address: str | None
    platform: str | None
