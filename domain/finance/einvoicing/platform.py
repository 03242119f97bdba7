"""The port to a plateforme agréée (PA): what Comptoir asks of any e-invoicing platform.

The domain speaks only to ``EInvoicingPlatform``; ``afnor.AfnorPlatform`` implements it
over the AFNOR XP Z12-013 Flow and Directory services, and a test or a demo may point it at
the local fake (``comptoir.einvoicing_fake``). Every call is synchronous and may raise
``PlatformUnavailable`` (network, 5xx, 429) or ``PlatformRefused`` (4xx: the request itself
is wrong) — both carry a French message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from domain.kit.errors import DomainError

AckStatus = Literal["pending", "ok", "error"]


class PlatformUnavailable(DomainError):
    code = "einvoicing_platform_unavailable"
    status_code = 503


class PlatformRefused(DomainError):
    code = "einvoicing_platform_refused"
    status_code = 502


@dataclass(frozen=True)
class Submission:
    """A flow the platform accepted for processing (its acknowledgement comes later)."""

    flow_id: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class Acknowledgement:
    """The platform's checks on a submitted flow: ``ok`` (déposée), ``error`` (rejetée,
    with the reasons), or still ``pending``."""

    status: AckStatus
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IncomingFlow:
    """A flow waiting for the business: a supplier's invoice or a lifecycle message."""

    flow_id: str
    kind: Literal["invoice", "lifecycle"]
    updated_at: datetime
    syntax: str


@dataclass(frozen=True)
class LifecycleMessage:
    """One lifecycle status about an invoice (a CDAR message): ``code`` from the French
    lifecycle (200 Déposée … 213 Rejetée), the invoice it concerns by its number and its
    issuer's SIREN, the reason when one is required, and when it happened."""

    code: int
    invoice_number: str
    issuer_siren: str | None
    reason: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class DirectoryEntry:
    """What the directory says of a company: whether it receives e-invoices, at which
    electronic address, through which platform."""

    siren: str
    name: str | None
    on_einvoicing: bool
    address: str | None
    platform: str | None


class EInvoicingPlatform(Protocol):
    """A plateforme agréée, as the business's own account on it."""

    def submit_invoice(self, data: bytes, *, filename: str, tracking_id: str) -> Submission:
        """Hand over one invoice file (a Factur-X PDF) for delivery to its buyer."""
        ...

    def acknowledgement(self, flow_id: str) -> Acknowledgement:
        """The platform's checks on a flow this business submitted."""
        ...

    def incoming(self, *, since: datetime | None, limit: int = 100) -> list[IncomingFlow]:
        """Invoices and lifecycle messages addressed to the business, oldest first,
        updated strictly after ``since``."""
        ...

    def download(self, flow_id: str) -> bytes:
        """The original file of an incoming flow."""
        ...

    def send_status(self, message: LifecycleMessage, *, tracking_id: str) -> Submission:
        """Send one lifecycle status about an invoice (as its issuer or its buyer)."""
        ...

    def lookup(self, siren: str) -> DirectoryEntry:
        """The directory's entry for a company (not on e-invoicing when absent)."""
        ...
