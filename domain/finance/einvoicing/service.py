"""E-invoicing through the business's plateforme agréée: its account, submitting a posted
invoice, the statuses of both sides, saying something about a received bill, and the
directory.

Calls to the platform happen inside the caller's transaction: a status this business says
is written first (``sent_at`` empty) and marked sent once the platform took it, so a
platform that is down leaves it queued for the next poll (``sync.send_pending``) instead of
losing it. Each status is recorded once (``dedup_key``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.automations.models import Automation
from domain.automations.schedule import next_occurrence
from domain.finance import printing
from domain.finance.documents.facturx import facturx_pdf
from domain.finance.einvoicing.afnor import AfnorPlatform, PlatformConfig
from domain.finance.einvoicing.errors import AlreadySubmitted, NotExchanged, PlatformNotConfigured
from domain.finance.einvoicing.lifecycle import (
    BUYER_CODES,
    REASON_REQUIRED,
    status_label,
    status_name,
)
from domain.finance.einvoicing.models import (
    EInvoiceFlow,
    EInvoiceStatus,
    EInvoicingPlatformAccount,
)
from domain.finance.einvoicing.platform import (
    DirectoryEntry,
    EInvoicingPlatform,
    LifecycleMessage,
    PlatformUnavailable,
)
from domain.finance.invoices import WRITERS as INVOICE_WRITERS
from domain.finance.models import Invoice
from domain.finance.payables.bills import WRITERS as BILL_WRITERS
from domain.finance.payables.models import SupplierBill
from domain.identity.models import Tenant
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput, NotFound
from domain.kit.ids import uuid7
from domain.kit.principal import Principal, Role
from domain.sales.models import Partner

READERS = (Role.MANAGER, Role.ACCOUNTANT)
POLL_KIND, CASHED_KIND = "einvoicing_poll", "einvoicing_cashed"
POLL_RULE = "FREQ=HOURLY;BYMINUTE=5"
SUBMITTABLE = ("posted", "partially_paid", "paid")

PlatformFactory = Callable[[EInvoicingPlatformAccount], EInvoicingPlatform]


@dataclass(frozen=True)
class PlatformSettings:
    flow_url: str
    directory_url: str
    token_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    enabled: bool = True


def configure(
    session: Session, principal: Principal, clock: Clock, settings: PlatformSettings
) -> EInvoicingPlatformAccount:
    """Set the business's platform account (admins only); replaces the previous one. The
    first time, the business gets its two e-invoicing automations (polling, Encaissée):
    a business without a platform has none, so no hourly run happens for nothing."""
    principal.require(Role.ADMIN)
    _check(settings)
    found = account_of(session, principal.tenant_id)
    account = found or EInvoicingPlatformAccount(tenant_id=principal.tenant_id)
    for name, value in vars(settings).items():
        setattr(account, name, value)
    session.add(account)
    session.flush()
    _install_automations(session, principal.tenant_id, clock.now())
    audit.record(
        session,
        principal,
        "einvoicing.configure",
        target_type="einvoicing_platform",
        target_id=account.id,
        after={"flow_url": settings.flow_url, "directory_url": settings.directory_url},
    )
    return account


def _check(settings: PlatformSettings) -> None:
    """URLs that are URLs, and credentials that can travel in an HTTP header."""
    for name in ("flow_url", "directory_url", "token_url"):
        url = getattr(settings, name)
        if url is None:
            continue
        if not url.startswith(("https://", "http://")) or not _header_safe(url):
            raise InvalidInput(f"Adresse de plateforme invalide : {url}", field=name)
    for name in ("client_id", "client_secret"):
        value = getattr(settings, name)
        if value is not None and not _header_safe(value):
            raise InvalidInput(
                "Identifiants de plateforme invalides (caractères non autorisés).", field=name
            )


def _header_safe(value: str) -> bool:
    return value.isascii() and value.isprintable() and " " not in value and bool(value)


def _install_automations(session: Session, tenant_id: UUID, now: datetime) -> None:
    tenant = session.get(Tenant, tenant_id)
    assert tenant is not None
    rows: list[dict[str, Any]] = [
        {
            "tenant_id": tenant_id,
            "id": uuid7(),
            "kind": kind,
            "enabled": True,
            "rule": rule,
            "params": {},
            "next_run_at": next_occurrence(rule, tenant.timezone, now) if rule else None,
        }
        for kind, rule in ((POLL_KIND, POLL_RULE), (CASHED_KIND, None))
    ]
    session.execute(
        insert(Automation)
        .values(rows)
        .on_conflict_do_nothing(constraint="uq_automations_tenant_id_kind")
    )


def account_of(session: Session, tenant_id: UUID) -> EInvoicingPlatformAccount | None:
    return session.scalar(
        select(EInvoicingPlatformAccount).where(EInvoicingPlatformAccount.tenant_id == tenant_id)
    )


def afnor_platform(account: EInvoicingPlatformAccount) -> EInvoicingPlatform:
    return AfnorPlatform(
        PlatformConfig(
            account.flow_url,
            account.directory_url,
            account.token_url,
            account.client_id,
            account.client_secret,
        )
    )


def platform_of(
    session: Session, tenant_id: UUID, factory: PlatformFactory = afnor_platform
) -> EInvoicingPlatform:
    account = account_of(session, tenant_id)
    if account is None or not account.enabled:
        raise PlatformNotConfigured()
    return factory(account)


# --- statuses -------------------------------------------------------------------------


def record_status(
    session: Session,
    flow: EInvoiceFlow,
    code: int,
    *,
    origin: str,
    occurred_at: datetime,
    dedup_key: str,
    reason: str | None = None,
    platform_flow_id: str | None = None,
) -> EInvoiceStatus | None:
    """Record one status of ``flow``'s document; None when it was already recorded."""
    values = {
        "tenant_id": flow.tenant_id,
        "flow_id": flow.id,
        "document_type": flow.document_type,
        "document_id": flow.document_id,
        "code": code,
        "status": status_name(code),
        "origin": origin,
        "reason": reason,
        "occurred_at": occurred_at,
        "platform_flow_id": platform_flow_id,
        "dedup_key": dedup_key[:120],
    }
    statement = (
        insert(EInvoiceStatus)
        .values(id=uuid7(), **values)
        .on_conflict_do_nothing(index_elements=["tenant_id", "dedup_key"])
        .returning(EInvoiceStatus.id)
    )
    status_id = session.scalar(statement)
    if status_id is None:
        return None
    return session.get(EInvoiceStatus, (flow.tenant_id, status_id))


def _message(session: Session, status: EInvoiceStatus) -> LifecycleMessage:
    """What the platform is told: the invoice's number and issuer as the other side knows
    them (our number and SIREN for our invoice, the supplier's for a bill)."""
    tenant_id = status.tenant_id
    if status.document_type == "invoice":
        invoice = session.get(Invoice, (tenant_id, status.document_id))
        tenant = session.get(Tenant, tenant_id)
        assert invoice is not None and invoice.number and tenant is not None
        number, siren = invoice.number, tenant.siren
    else:
        bill = session.get(SupplierBill, (tenant_id, status.document_id))
        assert bill is not None
        supplier = session.get(Partner, (tenant_id, bill.supplier_id))
        number, siren = bill.supplier_number or "", supplier.siren if supplier else None
    return LifecycleMessage(status.code, number, siren, status.reason, status.occurred_at)


def deliver_status(
    session: Session, clock: Clock, platform: EInvoicingPlatform, status: EInvoiceStatus
) -> bool:
    """Send one status this business says; False (still queued) when the platform is
    unavailable. A refusal by the platform propagates: the request itself is wrong."""
    if status.sent_at is not None:
        return True
    try:
        done = platform.send_status(_message(session, status), tracking_id=str(status.id))
    except PlatformUnavailable:
        return False
    status.sent_at, status.platform_flow_id = clock.now(), done.flow_id
    session.flush()
    return True


# --- our invoices ---------------------------------------------------------------------


def _flow_of(
    session: Session, tenant_id: UUID, document_type: str, document_id: UUID
) -> EInvoiceFlow | None:
    return session.scalars(
        select(EInvoiceFlow)
        .where(
            EInvoiceFlow.tenant_id == tenant_id,
            EInvoiceFlow.document_type == document_type,
            EInvoiceFlow.document_id == document_id,
        )
        .order_by(EInvoiceFlow.created_at.desc())
        .limit(1)
    ).first()


def submit_invoice(
    session: Session,
    principal: Principal,
    clock: Clock,
    platform: EInvoicingPlatform,
    invoice_id: UUID,
) -> EInvoiceFlow:
    """Submit a posted invoice's Factur-X; its acknowledgement (Déposée or Rejetée) comes
    with the next poll. A rejected invoice may be submitted again, nothing else."""
    principal.require(*INVOICE_WRITERS)
    document = printing.invoice_document(session, principal, clock, invoice_id)
    # Locked: two submissions at once take turns, the second finds the first's flow.
    invoice = session.get(Invoice, (principal.tenant_id, invoice_id), with_for_update=True)
    assert invoice is not None
    if invoice.status not in SUBMITTABLE or not invoice.number:
        raise InvalidInput("Seule une facture émise peut être transmise.", field="invoice_id")
    if document.country != "FR":
        raise InvalidInput(
            "La facturation électronique par plateforme agréée concerne les entreprises "
            "françaises.",
            field="invoice_id",
        )
    earlier = _flow_of(session, principal.tenant_id, "invoice", invoice_id)
    if earlier is not None and earlier.ack_status != "error":
        raise AlreadySubmitted(f"La facture {invoice.number} a déjà été transmise.")
    submission = platform.submit_invoice(
        facturx_pdf(document), filename=f"{invoice.number}.pdf", tracking_id=str(invoice.id)
    )
    flow = EInvoiceFlow(
        tenant_id=principal.tenant_id,
        direction="out",
        document_type="invoice",
        document_id=invoice.id,
        platform_flow_id=submission.flow_id,
        ack_status="pending",
    )
    session.add(flow)
    session.flush()
    audit.record(
        session,
        principal,
        "invoice.einvoice_submit",
        target_type="invoice",
        target_id=invoice.id,
        after={"flow_id": submission.flow_id},
    )
    return flow


# --- received bills -------------------------------------------------------------------


def say_about_bill(
    session: Session,
    principal: Principal,
    clock: Clock,
    platform: EInvoicingPlatform,
    bill_id: UUID,
    code: int,
    reason: str | None = None,
) -> EInvoiceStatus:
    """Approve (205), dispute (207) or refuse (210) a bill received through the platform:
    recorded, then sent; a second time the same status is the first one."""
    principal.require(*BILL_WRITERS)
    if code not in BUYER_CODES:
        raise InvalidInput("Statut impossible pour une facture reçue.", field="status")
    reason = (reason or "").strip() or None
    if code in REASON_REQUIRED and reason is None:
        raise InvalidInput(f"Indiquez le motif ({status_label(code)}).", field="reason")
    if session.get(SupplierBill, (principal.tenant_id, bill_id)) is None:
        raise NotFound("Facture fournisseur introuvable.")
    flow = _flow_of(session, principal.tenant_id, "supplier_bill", bill_id)
    if flow is None:
        raise NotExchanged("Cette facture fournisseur")
    status = record_status(
        session,
        flow,
        code,
        origin="business",
        occurred_at=clock.now(),
        dedup_key=f"out:{bill_id}:{code}",
        reason=reason,
    )
    if status is None:
        status = _business_status(session, principal.tenant_id, bill_id, code)
    deliver_status(session, clock, platform, status)
    audit.record(
        session,
        principal,
        f"supplier_bill.einvoice_{status.status}",
        target_type="supplier_bill",
        target_id=bill_id,
        after={"code": code, "reason": reason},
    )
    return status


def _business_status(
    session: Session, tenant_id: UUID, document_id: UUID, code: int
) -> EInvoiceStatus:
    found = session.scalar(
        select(EInvoiceStatus).where(
            EInvoiceStatus.tenant_id == tenant_id,
            EInvoiceStatus.dedup_key == f"out:{document_id}:{code}",
        )
    )
    assert found is not None
    return found


# --- reading ------------------------------------------------------------------------


def _require_document(
    session: Session, principal: Principal, document_type: str, document_id: UUID
) -> None:
    model = Invoice if document_type == "invoice" else SupplierBill
    if session.get(model, (principal.tenant_id, document_id)) is None:
        what = "Facture" if document_type == "invoice" else "Facture fournisseur"
        raise NotFound(f"{what} introuvable.")


def statuses_of(
    session: Session, principal: Principal, document_type: str, document_id: UUID
) -> list[EInvoiceStatus]:
    """A document's lifecycle in the order it was learnt or said."""
    principal.require(*READERS, *INVOICE_WRITERS)
    _require_document(session, principal, document_type, document_id)
    return list(
        session.scalars(
            select(EInvoiceStatus)
            .where(
                EInvoiceStatus.tenant_id == principal.tenant_id,
                EInvoiceStatus.document_type == document_type,
                EInvoiceStatus.document_id == document_id,
            )
            .order_by(EInvoiceStatus.created_at, EInvoiceStatus.occurred_at)
        )
    )


def flow_of(
    session: Session, principal: Principal, document_type: str, document_id: UUID
) -> EInvoiceFlow | None:
    principal.require(*READERS, *INVOICE_WRITERS)
    _require_document(session, principal, document_type, document_id)
    return _flow_of(session, principal.tenant_id, document_type, document_id)


def lookup(principal: Principal, platform: EInvoicingPlatform, siren: str) -> DirectoryEntry:
    """The directory's entry for a SIREN: is the company on e-invoicing, at which address."""
    principal.require(*READERS, *INVOICE_WRITERS)
    siren = siren.replace(" ", "")
    if len(siren) != 9 or not siren.isdigit():
        raise InvalidInput("Un SIREN compte 9 chiffres.", field="siren")
    return platform.lookup(siren)
