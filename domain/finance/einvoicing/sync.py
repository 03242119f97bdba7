"""Keeping the books and the platform in step (what the polling automation runs).

- ``refresh_acknowledgements``: a submitted invoice becomes Déposée, or Rejetée with the
  platform's reasons;
- ``take_in``: received supplier invoices become draft bills through the e-invoice import
  (once per platform flow id: the unique ``platform_flow_id``), lifecycle messages become
  statuses of the invoice or bill they name (once per message);
- ``announce_cashed``: an invoice submitted and now fully paid is Encaissée, told once;
- ``send_pending``: statuses this business said while the platform was down.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from domain.finance.einvoicing.lifecycle import CODES, read_cdar
from domain.finance.einvoicing.models import (
    EInvoiceFlow,
    EInvoiceStatus,
    EInvoicingPlatformAccount,
)
from domain.finance.einvoicing.platform import EInvoicingPlatform, IncomingFlow
from domain.finance.einvoicing.service import deliver_status, record_status
from domain.finance.models import Invoice
from domain.finance.payables.importing import import_einvoice
from domain.finance.payables.models import SupplierBill
from domain.kit.clock import Clock
from domain.kit.errors import DomainError
from domain.kit.principal import Principal
from domain.sales.models import Partner

PAGE = 100
DEPOSEE, RECUE, ENCAISSEE, REJETEE = (
    CODES["deposee"],
    CODES["recue"],
    CODES["encaissee"],
    CODES["rejetee"],
)


def refresh_acknowledgements(
    session: Session, clock: Clock, platform: EInvoicingPlatform, tenant_id: UUID
) -> int:
    """Ask the platform about submitted invoices still waiting; returns how many moved."""
    waiting = session.scalars(
        select(EInvoiceFlow).where(
            EInvoiceFlow.tenant_id == tenant_id,
            EInvoiceFlow.direction == "out",
            EInvoiceFlow.ack_status == "pending",
        )
    ).all()
    moved = 0
    for flow in waiting:
        ack = platform.acknowledgement(flow.platform_flow_id)
        if ack.status == "pending":
            continue
        flow.ack_status = ack.status
        reason = "; ".join(ack.reasons) or None if ack.status == "error" else None
        flow.error = reason
        code = DEPOSEE if ack.status == "ok" else REJETEE
        record_status(
            session,
            flow,
            code,
            origin="platform",
            occurred_at=clock.now(),
            dedup_key=f"ack:{flow.platform_flow_id}",
            reason=reason or ("Rejetée par la plateforme" if code == REJETEE else None),
        )
        moved += 1
    session.flush()
    return moved


def take_in(
    session: Session,
    principal: Principal,
    clock: Clock,
    platform: EInvoicingPlatform,
    account: EInvoicingPlatformAccount,
) -> dict[str, int]:
    """Everything the platform holds for the business since the last poll."""
    counts = {"factures_recues": 0, "factures_refusees": 0, "statuts_recus": 0}
    while True:
        flows = platform.incoming(since=account.incoming_cursor, limit=PAGE)
        for incoming in flows:
            outcome = (
                _receive_invoice(session, principal, clock, platform, incoming)
                if incoming.kind == "invoice"
                else _receive_status(session, principal.tenant_id, platform, incoming)
            )
            if outcome:
                counts[outcome] += 1
            account.incoming_cursor = max(
                account.incoming_cursor or incoming.updated_at, incoming.updated_at
            )
        session.flush()
        if len(flows) < PAGE:
            return counts


def _known(session: Session, tenant_id: UUID, platform_flow_id: str) -> bool:
    return (
        session.scalar(
            select(EInvoiceFlow.id).where(
                EInvoiceFlow.tenant_id == tenant_id,
                EInvoiceFlow.platform_flow_id == platform_flow_id,
            )
        )
        is not None
    )


def _receive_invoice(
    session: Session,
    principal: Principal,
    clock: Clock,
    platform: EInvoicingPlatform,
    incoming: IncomingFlow,
) -> str | None:
    """A draft bill from a received invoice; a file the import refuses is kept as a flow
    with its French reason (never retried, visible), not as a bill."""
    if _known(session, principal.tenant_id, incoming.flow_id):
        return None
    data = platform.download(incoming.flow_id)
    flow = EInvoiceFlow(
        tenant_id=principal.tenant_id,
        direction="in",
        document_type="supplier_bill",
        platform_flow_id=incoming.flow_id,
        ack_status="ok",
    )
    try:
        with session.begin_nested():
            imported = import_einvoice(
                session, principal, clock, data, filename=f"{incoming.flow_id}.{_ext(data)}"
            )
    except DomainError as exc:
        flow.error = exc.message
        session.add(flow)
        session.flush()
        return "factures_refusees"
    flow.document_id = imported.bill.id
    session.add(flow)
    session.flush()
    record_status(
        session,
        flow,
        RECUE,
        origin="platform",
        occurred_at=incoming.updated_at,
        dedup_key=f"in:{incoming.flow_id}",
    )
    return "factures_recues"


def _ext(data: bytes) -> str:
    return "pdf" if data.lstrip()[:5] == b"%PDF-" else "xml"


def _receive_status(
    session: Session, tenant_id: UUID, platform: EInvoicingPlatform, incoming: IncomingFlow
) -> str | None:
    """A lifecycle message about one of our invoices (from its buyer) or one of our bills
    (from its supplier); a message about neither is skipped."""
    if session.scalar(
        select(EInvoiceStatus.id).where(
            EInvoiceStatus.tenant_id == tenant_id,
            EInvoiceStatus.dedup_key == f"lc:{incoming.flow_id}",
        )
    ):
        return None
    try:
        message = read_cdar(platform.download(incoming.flow_id))
    except DomainError:
        return None
    flow = _invoice_flow(session, tenant_id, message.invoice_number) or _bill_flow(
        session, tenant_id, message.invoice_number, message.issuer_siren
    )
    if flow is None:
        return None
    recorded = record_status(
        session,
        flow,
        message.code,
        origin="platform",
        occurred_at=message.occurred_at,
        dedup_key=f"lc:{incoming.flow_id}",
        reason=message.reason,
        platform_flow_id=incoming.flow_id,
    )
    return "statuts_recus" if recorded else None


def _invoice_flow(session: Session, tenant_id: UUID, number: str) -> EInvoiceFlow | None:
    return session.scalars(
        select(EInvoiceFlow)
        .join(
            Invoice,
            (Invoice.tenant_id == EInvoiceFlow.tenant_id)
            & (Invoice.id == EInvoiceFlow.document_id),
        )
        .where(
            EInvoiceFlow.tenant_id == tenant_id,
            EInvoiceFlow.direction == "out",
            Invoice.number == number,
        )
        .order_by(EInvoiceFlow.created_at.desc())
        .limit(1)
    ).first()


def _bill_flow(
    session: Session, tenant_id: UUID, number: str, siren: str | None
) -> EInvoiceFlow | None:
    query = (
        select(EInvoiceFlow)
        .join(
            SupplierBill,
            (SupplierBill.tenant_id == EInvoiceFlow.tenant_id)
            & (SupplierBill.id == EInvoiceFlow.document_id),
        )
        .join(
            Partner,
            (Partner.tenant_id == SupplierBill.tenant_id)
            & (Partner.id == SupplierBill.supplier_id),
        )
        .where(
            EInvoiceFlow.tenant_id == tenant_id,
            EInvoiceFlow.direction == "in",
            SupplierBill.supplier_number == number,
        )
    )
    if siren:
        query = query.where(Partner.siren == siren)
    return session.scalars(query.order_by(EInvoiceFlow.created_at.desc()).limit(1)).first()


def announce_cashed(
    session: Session, clock: Clock, platform: EInvoicingPlatform, tenant_id: UUID
) -> int:
    """Encaissée for every submitted, accepted invoice now fully paid and not yet told;
    the dedup key makes it once per invoice whoever runs it, however often."""
    paid = session.scalars(
        select(EInvoiceFlow)
        .join(
            Invoice,
            (Invoice.tenant_id == EInvoiceFlow.tenant_id)
            & (Invoice.id == EInvoiceFlow.document_id),
        )
        .where(
            EInvoiceFlow.tenant_id == tenant_id,
            EInvoiceFlow.direction == "out",
            EInvoiceFlow.ack_status == "ok",
            Invoice.status == "paid",
            ~select(EInvoiceStatus.id)
            .where(
                EInvoiceStatus.tenant_id == EInvoiceFlow.tenant_id,
                EInvoiceStatus.dedup_key
                == "out:" + cast(EInvoiceFlow.document_id, Text) + f":{ENCAISSEE}",
            )
            .exists(),
        )
    ).all()
    for flow in paid:
        status = record_status(
            session,
            flow,
            ENCAISSEE,
            origin="business",
            occurred_at=clock.now(),
            dedup_key=f"out:{flow.document_id}:{ENCAISSEE}",
        )
        if status is not None:
            deliver_status(session, clock, platform, status)
    return len(paid)


def send_pending(
    session: Session, clock: Clock, platform: EInvoicingPlatform, tenant_id: UUID
) -> int:
    """Send what this business said while the platform was unavailable; returns how many
    went."""
    unsent = session.scalars(
        select(EInvoiceStatus)
        .where(
            EInvoiceStatus.tenant_id == tenant_id,
            EInvoiceStatus.origin == "business",
            EInvoiceStatus.sent_at.is_(None),
        )
        .order_by(EInvoiceStatus.created_at)
    ).all()
    return sum(deliver_status(session, clock, platform, s) for s in unsent)


def synchronise(
    session: Session,
    principal: Principal,
    clock: Clock,
    platform: EInvoicingPlatform,
    account: EInvoicingPlatformAccount,
) -> dict[str, Any]:
    """One full round with the platform (the polling automation's work). The account row
    is locked first: two rounds at once (the hourly poll and « interroger maintenant »)
    take turns, the second seeing what the first took in, instead of both importing the
    same invoice and one failing on its unique flow id."""
    tenant_id = principal.tenant_id
    session.execute(
        select(EInvoicingPlatformAccount)
        .where(
            EInvoicingPlatformAccount.tenant_id == tenant_id,
            EInvoicingPlatformAccount.id == account.id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    sent = send_pending(session, clock, platform, tenant_id)
    figures: dict[str, Any] = {
        "accuses": refresh_acknowledgements(session, clock, platform, tenant_id),
        **take_in(session, principal, clock, platform, account),
        "encaissees": announce_cashed(session, clock, platform, tenant_id),
        "statuts_envoyes": sent,
    }
    return figures
