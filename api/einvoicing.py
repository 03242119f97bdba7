"""REST routes for e-invoicing through the business's plateforme agréée: its account,
submitting an invoice, the lifecycle of an invoice or a received bill, approving or
disputing a bill, the directory, and a poll on demand."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from sqlalchemy.orm import Session

from api.deps import ContainerDep, PrincipalDep
from domain.finance.einvoicing import service, sync
from domain.finance.einvoicing.errors import PlatformNotConfigured
from domain.finance.einvoicing.lifecycle import CODES, status_label
from domain.finance.einvoicing.models import EInvoicingPlatformAccount
from domain.finance.einvoicing.schemas import (
    BillStatusIn,
    DirectoryOut,
    EInvoiceOut,
    PlatformIn,
    PlatformOut,
    StatusOut,
)
from domain.kit.principal import Principal, Role

router = APIRouter(prefix="/api/v1")
TAG = "facturation électronique"


def _platform_out(account: EInvoicingPlatformAccount) -> PlatformOut:
    return PlatformOut(
        flow_url=account.flow_url,
        directory_url=account.directory_url,
        token_url=account.token_url,
        client_id=account.client_id,
        has_secret=bool(account.client_secret),
        enabled=account.enabled,
        incoming_cursor=account.incoming_cursor,
    )


def _einvoice_out(
    session: Session, principal: Principal, document_type: str, document_id: UUID
) -> EInvoiceOut:
    flow = service.flow_of(session, principal, document_type, document_id)
    statuses = service.statuses_of(session, principal, document_type, document_id)
    return EInvoiceOut(
        document_type=document_type,  # type: ignore[arg-type]
        document_id=document_id,
        platform_flow_id=flow.platform_flow_id if flow else None,
        ack_status=flow.ack_status if flow else None,  # type: ignore[arg-type]
        error=flow.error if flow else None,
        statuses=[
            StatusOut.model_validate({**_fields(s), "label": status_label(s.code)})
            for s in statuses
        ],
    )


def _fields(status: Any) -> dict[str, Any]:
    return {f: getattr(status, f) for f in StatusOut.model_fields if hasattr(status, f)}


@router.put(
    "/einvoicing/platform",
    response_model=PlatformOut,
    tags=[TAG],
    summary="Configurer la plateforme agréée",
)
def configure_platform(body: PlatformIn, c: ContainerDep, principal: PrincipalDep) -> PlatformOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        settings = service.PlatformSettings(**body.model_dump())
        account = service.configure(session, principal, c.clock, settings)
        return _platform_out(account)


@router.get(
    "/einvoicing/platform", response_model=PlatformOut, tags=[TAG], summary="Plateforme agréée"
)
def get_platform(c: ContainerDep, principal: PrincipalDep) -> PlatformOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        principal.require(Role.MANAGER, Role.ACCOUNTANT)
        account = service.account_of(session, principal.tenant_id)
        if account is None:
            raise PlatformNotConfigured()
        return _platform_out(account)


@router.post(
    "/invoices/{invoice_id}/einvoicing",
    response_model=EInvoiceOut,
    status_code=202,
    tags=[TAG],
    summary="Transmettre la facture à la plateforme agréée",
)
def submit_invoice(invoice_id: UUID, c: ContainerDep, principal: PrincipalDep) -> EInvoiceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        platform = service.platform_of(session, principal.tenant_id)
        service.submit_invoice(session, principal, c.clock, platform, invoice_id)
        return _einvoice_out(session, principal, "invoice", invoice_id)


@router.get(
    "/invoices/{invoice_id}/einvoicing",
    response_model=EInvoiceOut,
    tags=[TAG],
    summary="Cycle de vie de la facture électronique",
)
def invoice_lifecycle(invoice_id: UUID, c: ContainerDep, principal: PrincipalDep) -> EInvoiceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return _einvoice_out(session, principal, "invoice", invoice_id)


@router.get(
    "/supplier-bills/{bill_id}/einvoicing",
    response_model=EInvoiceOut,
    tags=[TAG],
    summary="Cycle de vie de la facture fournisseur reçue",
)
def bill_lifecycle(bill_id: UUID, c: ContainerDep, principal: PrincipalDep) -> EInvoiceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return _einvoice_out(session, principal, "supplier_bill", bill_id)


@router.post(
    "/supplier-bills/{bill_id}/einvoicing/status",
    response_model=StatusOut,
    tags=[TAG],
    summary="Approuver, contester ou refuser une facture reçue",
)
def say_about_bill(
    bill_id: UUID, body: BillStatusIn, c: ContainerDep, principal: PrincipalDep
) -> StatusOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        platform = service.platform_of(session, principal.tenant_id)
        status = service.say_about_bill(
            session, principal, c.clock, platform, bill_id, CODES[body.status], body.reason
        )
        return StatusOut.model_validate({**_fields(status), "label": status_label(status.code)})


@router.get(
    "/einvoicing/directory/{siren}",
    response_model=DirectoryOut,
    tags=[TAG],
    summary="Annuaire : l'entreprise reçoit-elle des factures électroniques ?",
)
def directory(siren: str, c: ContainerDep, principal: PrincipalDep) -> DirectoryOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        platform = service.platform_of(session, principal.tenant_id)
    return DirectoryOut(**asdict(service.lookup(principal, platform, siren)))


@router.post(
    "/einvoicing/sync",
    tags=[TAG],
    summary="Interroger la plateforme maintenant",
)
def synchronise(c: ContainerDep, principal: PrincipalDep) -> dict[str, Any]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        principal.require(Role.MANAGER, Role.ACCOUNTANT)
        account = service.account_of(session, principal.tenant_id)
        if account is None or not account.enabled:
            raise PlatformNotConfigured()
        platform = service.afnor_platform(account)
        return sync.synchronise(session, principal, c.clock, platform, account)
