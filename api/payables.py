"""REST routes for payables: supplier bills and credit notes, the three-way match, supplier
payments, aged payables and a supplier's balance."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from api.deps import ContainerDep, PrincipalDep
from api.documents import FILE_FIELD, _file_of, _form, _multipart, _read
from comptoir.bootstrap import Container
from domain.finance import vat_return as vat
from domain.finance.books import currency_of
from domain.finance.payables import bills, payments, reports
from domain.finance.payables import repository as repo
from domain.finance.payables.importing import import_einvoice
from domain.finance.payables.matching import Match
from domain.finance.payables.models import SupplierBill, SupplierPayment
from domain.finance.payables.schemas import (
    AgedPayablesOut,
    AgedSupplierOut,
    BillCreate,
    BillLineOut,
    BillOut,
    BillStatus,
    CreditNoteIn,
    MatchLineOut,
    MatchOut,
    PostBillIn,
    SupplierBalanceOut,
    SupplierPaymentCreate,
    SupplierPaymentOut,
    VatBoxOut,
    VatReturnOut,
    VatSourceOut,
)
from domain.kit import inputs
from domain.kit.principal import Principal
from domain.sales.models import Partner

router = APIRouter(prefix="/api/v1")
TAG = "fournisseurs"


def _name(session: Session, tenant_id: UUID, partner_id: UUID) -> str:
    partner = session.get(Partner, (tenant_id, partner_id))
    return partner.name if partner is not None else ""


def bill_out(session: Session, bill: SupplierBill) -> BillOut:
    lines = repo.bill_lines(session, bill.tenant_id, bill.id)
    fields = {f: getattr(bill, f) for f in BillOut.model_fields if hasattr(bill, f)}
    return BillOut.model_validate(
        {
            **fields,
            "supplier": _name(session, bill.tenant_id, bill.supplier_id)
            if bill.supplier_id
            else "",
            "total_excl_tax": bill.net_total,
            "tax": bill.tax_total,
            "total": bill.gross_total,
            "balance": bills.balance(bill),
            "warnings": list(bill.warnings),
            "lines": [BillLineOut.model_validate(x, from_attributes=True) for x in lines],
        }
    )


def _payment_out(session: Session, payment: SupplierPayment) -> SupplierPaymentOut:
    fields = {
        f: getattr(payment, f) for f in SupplierPaymentOut.model_fields if hasattr(payment, f)
    }
    return SupplierPaymentOut.model_validate(
        {**fields, "supplier": _name(session, payment.tenant_id, payment.supplier_id)}
    )


def _match_out(match: Match) -> MatchOut:
    return MatchOut(
        purchase_order_id=match.purchase_order_id,
        order_number=match.order_number,
        matches=match.matches,
        differences=match.differences,
        lines=[MatchLineOut.model_validate(x, from_attributes=True) for x in match.lines],
    )


@router.get(
    "/supplier-bills", response_model=list[BillOut], tags=[TAG], summary="Factures fournisseurs"
)
def list_bills(
    c: ContainerDep,
    principal: PrincipalDep,
    supplier_id: UUID | None = None,
    status_: Annotated[BillStatus | None, Query(alias="status")] = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: inputs.Offset = 0,
) -> list[BillOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        principal.require(*bills.READERS)
        found = repo.list_bills(
            session,
            principal.tenant_id,
            supplier_id=supplier_id,
            status=status_,
            limit=limit,
            offset=offset,
        )
        return [bill_out(session, b) for b in found]


@router.post(
    "/supplier-bills",
    response_model=BillOut,
    status_code=status.HTTP_201_CREATED,
    tags=[TAG],
    summary="Enregistrer une facture fournisseur (brouillon)",
)
def create_bill(body: BillCreate, c: ContainerDep, principal: PrincipalDep) -> BillOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return bill_out(session, bills.create_bill(session, principal, c.clock, body))


IMPORT_FORM = {
    "type": "object",
    "required": ["file"],
    "properties": {"file": {**FILE_FIELD, "description": "Factur-X (PDF), CII ou UBL 2.1 (XML)"}},
}


def _import(c: Container, principal: Principal, data: bytes, filename: str | None) -> BillOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        done = import_einvoice(
            session,
            principal,
            c.clock,
            data,
            filename=filename or "facture-recue",
            reader=c.scan_reader,
        )
        return bill_out(session, done.bill)


@router.post(
    "/supplier-bills/import",
    response_model=BillOut,
    status_code=status.HTTP_201_CREATED,
    tags=[TAG],
    summary="Importer une facture électronique reçue (brouillon)",
    openapi_extra=_multipart(IMPORT_FORM),
)
async def import_bill(request: Request, c: ContainerDep, principal: PrincipalDep) -> BillOut:
    form = await _form(request)
    try:
        file = _file_of(form)
        data = await _read(file)
    finally:
        await form.close()
    return await run_in_threadpool(_import, c, principal, data, file.filename)


@router.get("/supplier-bills/{bill_id}", response_model=BillOut, tags=[TAG])
def get_bill(bill_id: UUID, c: ContainerDep, principal: PrincipalDep) -> BillOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        principal.require(*bills.READERS)
        return bill_out(session, bills.require_bill(session, principal.tenant_id, bill_id))


@router.get(
    "/supplier-bills/{bill_id}/match",
    response_model=MatchOut,
    tags=[TAG],
    summary="Rapprochement commande / réceptions / facture",
)
def match_bill(bill_id: UUID, c: ContainerDep, principal: PrincipalDep) -> MatchOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return _match_out(bills.check_match(session, principal, bill_id))


@router.post(
    "/supplier-bills/{bill_id}/post",
    response_model=BillOut,
    tags=[TAG],
    summary="Comptabiliser une facture fournisseur",
)
def post_bill(
    bill_id: UUID, c: ContainerDep, principal: PrincipalDep, body: PostBillIn | None = None
) -> BillOut:
    accept = body.accept_differences if body else False
    with c.db.unit_of_work(principal.tenant_id) as session:
        bill = bills.post_bill(session, principal, c.clock, bill_id, accept_differences=accept)
        return bill_out(session, bill)


@router.post("/supplier-bills/{bill_id}/cancel", response_model=BillOut, tags=[TAG])
def cancel_bill(bill_id: UUID, c: ContainerDep, principal: PrincipalDep) -> BillOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return bill_out(session, bills.cancel_bill(session, principal, bill_id))


@router.post(
    "/supplier-bills/{bill_id}/credit-notes",
    response_model=BillOut,
    status_code=status.HTTP_201_CREATED,
    tags=[TAG],
    summary="Enregistrer un avoir fournisseur",
)
def record_credit_note(
    bill_id: UUID, body: CreditNoteIn, c: ContainerDep, principal: PrincipalDep
) -> BillOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        note = bills.record_credit_note(session, principal, c.clock, bill_id, body)
        return bill_out(session, note)


@router.get("/supplier-payments", response_model=list[SupplierPaymentOut], tags=[TAG])
def list_payments(
    c: ContainerDep, principal: PrincipalDep, supplier_id: UUID | None = None
) -> list[SupplierPaymentOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        principal.require(*bills.READERS)
        found = repo.list_payments(session, principal.tenant_id, supplier_id=supplier_id)
        return [_payment_out(session, p) for p in found]


@router.post(
    "/supplier-payments",
    response_model=SupplierPaymentOut,
    status_code=status.HTTP_201_CREATED,
    tags=[TAG],
    summary="Enregistrer un paiement à un fournisseur",
)
def record_payment(
    body: SupplierPaymentCreate, c: ContainerDep, principal: PrincipalDep
) -> SupplierPaymentOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        payment = payments.record_supplier_payment(session, principal, c.clock, body)
        return _payment_out(session, payment)


@router.get(
    "/payables/aged",
    response_model=AgedPayablesOut,
    tags=[TAG],
    summary="Dettes fournisseurs par ancienneté",
)
def aged_payables(
    c: ContainerDep, principal: PrincipalDep, as_of: date | None = None
) -> AgedPayablesOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        aged = reports.aged_payables(session, principal, c.clock, as_of=as_of)
        return AgedPayablesOut(
            as_of=aged.as_of,
            currency=aged.currency,
            total=aged.total,
            suppliers=[
                AgedSupplierOut(
                    supplier_id=s.supplier_id,
                    supplier=s.supplier,
                    currency=aged.currency,
                    total=s.total,
                    **s.buckets,
                )
                for s in aged.suppliers
            ],
        )


@router.get(
    "/suppliers/{supplier_id}/balance",
    response_model=SupplierBalanceOut,
    tags=[TAG],
    summary="Solde d'un fournisseur",
)
def supplier_balance(
    supplier_id: UUID, c: ContainerDep, principal: PrincipalDep
) -> SupplierBalanceOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        found = reports.supplier_balance(session, principal, c.clock, supplier_id)
        return SupplierBalanceOut(
            supplier_id=found.supplier_id,
            supplier=found.supplier,
            currency=currency_of(session, principal),
            open_bills=found.open_bills,
            advances=found.advances,
            credit_notes=found.credit_notes,
            balance=found.balance,
            ledger_balance=found.ledger_balance,
            overdue=found.overdue,
            next_due_date=found.next_due_date,
        )


@router.get(
    "/vat/return",
    response_model=VatReturnOut,
    tags=[TAG],
    summary="Déclaration de TVA (CA3 ou déclaration mensuelle sénégalaise) avec ses pièces",
)
def vat_return(start: date, end: date, c: ContainerDep, principal: PrincipalDep) -> VatReturnOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        found = vat.vat_return(session, principal, c.clock, start=start, end=end)
        return VatReturnOut(
            country=found.country,
            form=found.form,
            start=found.start,
            end=found.end,
            currency=found.currency,
            collected=found.collected,
            deductible=found.deductible,
            due=found.due,
            ledger_collected=found.ledger_collected,
            ledger_deductible=found.ledger_deductible,
            differences=found.differences,
            boxes=[
                VatBoxOut(
                    code=b.code,
                    label=b.label,
                    base=b.base,
                    tax=b.tax,
                    sources=[
                        VatSourceOut.model_validate(s, from_attributes=True) for s in b.sources
                    ],
                )
                for b in found.boxes
            ],
        )
