"""Supplier bills: drafts, posting to the purchases journal, cancellation, credit notes.

A bill is recorded as received (a draft), checked against its purchase order and receipts,
then posted: it gets the next internal number (``FF-2026-00001``), its entry in the
purchases journal, and is owed to the supplier until payments or credit notes settle it.
A draft can be cancelled; a posted bill is corrected by the supplier's credit note.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.events import service as events
from domain.finance.books import Books, open_books
from domain.finance.calc import document_totals
from domain.finance.ledger import write_entry
from domain.finance.payables import repository as repo
from domain.finance.payables.errors import (
    BillIncomplete,
    BillNotFound,
    BillTransition,
    DuplicateSupplierNumber,
    MatchDifferences,
    SupplierNotFound,
)
from domain.finance.payables.lines import BillLineDraft, price_bill_lines
from domain.finance.payables.matching import Match, match_bill
from domain.finance.payables.models import OPEN_STATUSES, SupplierBill, SupplierBillLine
from domain.finance.payables.posting import bill_entry
from domain.finance.payables.schemas import (
    BILL_STATUS_LABELS,
    BillCreate,
    BillLineIn,
    CreditNoteIn,
)
from domain.finance.payables.settlement import allocate_credit_note
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Principal, Role
from domain.kit.sequences import take_next
from domain.sales.models import Partner
from domain.stock.purchasing.models import PurchaseOrder, PurchaseOrderLine

WRITERS = (Role.MANAGER, Role.ACCOUNTANT)
READERS = (Role.MANAGER, Role.ACCOUNTANT)


def balance(bill: SupplierBill) -> Decimal:
    return bill.gross_total - bill.amount_settled


def require_supplier(session: Session, books: Books, supplier_id: UUID) -> Partner:
    partner = session.get(Partner, (books.tenant.id, supplier_id))
    if partner is None or not partner.is_supplier:
        raise SupplierNotFound(field="supplier_id")
    if not partner.is_active:
        raise InvalidInput(f"Le fournisseur « {partner.name} » est archivé.", field="supplier_id")
    return partner


def require_bill(
    session: Session, tenant_id: UUID, bill_id: UUID, *, lock: bool = False
) -> SupplierBill:
    bill = repo.get_bill(session, tenant_id, bill_id, lock=lock)
    if bill is None:
        raise BillNotFound()
    return bill


def due_date_for(books: Books, supplier: Partner, issue_date: date) -> date:
    """The supplier's payment terms, else the business's default terms."""
    days = supplier.payment_terms_days
    if days is None:
        days = books.settings.payment_terms_days
    return issue_date + timedelta(days=days)


def _refuse_duplicate(
    session: Session, books: Books, supplier: Partner, kind: str, number: str
) -> None:
    existing = repo.find_duplicate(session, books.tenant.id, supplier.id, kind, number)
    if existing is not None:
        word = "L'avoir" if kind == "credit_note" else "La facture"
        raise DuplicateSupplierNumber(
            f"{word} n° {number} de {supplier.name} est déjà enregistrée "
            f"({BILL_STATUS_LABELS[existing.status]}).",
            field="supplier_number",
            bill_id=str(existing.id),
        )


def _order(session: Session, books: Books, order_id: UUID, supplier: Partner) -> PurchaseOrder:
    order = session.get(PurchaseOrder, (books.tenant.id, order_id))
    if order is None:
        raise InvalidInput("Commande fournisseur introuvable.", field="purchase_order_id")
    if order.supplier_id != supplier.id:
        raise InvalidInput(
            f"La commande {order.number} n'est pas passée à {supplier.name}.",
            field="purchase_order_id",
        )
    if order.status in ("draft", "cancelled"):
        raise InvalidInput(
            f"La commande {order.number} n'a pas été envoyée : rien à facturer.",
            field="purchase_order_id",
        )
    return order


def lines_to_bill(
    session: Session, books: Books, order: PurchaseOrder, exclude: UUID | None
) -> list[BillLineIn]:
    """What was received on ``order`` and not billed yet, at the order's prices."""
    order_lines = list(
        session.scalars(
            select(PurchaseOrderLine)
            .where(
                PurchaseOrderLine.tenant_id == books.tenant.id,
                PurchaseOrderLine.order_id == order.id,
            )
            .order_by(PurchaseOrderLine.position)
        )
    )
    billed = repo.billed_quantities(
        session, books.tenant.id, [ol.id for ol in order_lines], exclude
    )
    wanted = []
    for ol in order_lines:
        quantity = ol.received_quantity - billed.get(ol.id, Decimal(0))
        if quantity > 0:
            wanted.append(BillLineIn(order_line_id=ol.id, quantity=quantity))
    if not wanted:
        raise InvalidInput(
            f"Rien à facturer sur la commande {order.number} : tout ce qui a été reçu est "
            "déjà facturé.",
            field="purchase_order_id",
        )
    return wanted


def _set_totals(bill: SupplierBill, lines: list[BillLineDraft], books: Books) -> None:
    totals = document_totals((line.taxable() for line in lines), books.currency)
    bill.net_total, bill.tax_total, bill.gross_total = totals.net, totals.tax, totals.gross


def _add_lines(session: Session, bill: SupplierBill, lines: list[BillLineDraft]) -> None:
    session.add_all(
        SupplierBillLine(
            tenant_id=bill.tenant_id,
            bill_id=bill.id,
            position=d.position,
            product_id=d.product_id,
            order_line_id=d.order_line_id,
            description=d.description,
            quantity=d.quantity,
            unit_price=d.unit_price,
            vat_rate=d.vat_rate,
            vat_category=d.vat_category,
            net_amount=d.net_amount,
            account=d.account,
        )
        for d in lines
    )
    session.flush()


def _dates(books: Books, supplier: Partner, data: BillCreate) -> tuple[date, date]:
    issue = data.issue_date or books.today()
    if issue > books.today():
        raise InvalidInput(
            "La date de la facture ne peut pas être dans le futur.", field="issue_date"
        )
    due = data.due_date or due_date_for(books, supplier, issue)
    if due < issue:
        raise InvalidInput("L'échéance précède la date de la facture.", field="due_date")
    return issue, due


def create_bill(
    session: Session,
    principal: Principal,
    clock: Clock,
    data: BillCreate,
    *,
    source: str = "manual",
    warnings: list[str] | None = None,
) -> SupplierBill:
    """A draft supplier bill, every line priced and checked before anything is written."""
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    books.require_currency(data.currency)
    supplier = require_supplier(session, books, data.supplier_id)
    number = data.supplier_number.strip()
    _refuse_duplicate(session, books, supplier, "bill", number)
    order = (
        _order(session, books, data.purchase_order_id, supplier)
        if data.purchase_order_id is not None
        else None
    )
    wanted = data.lines or (lines_to_bill(session, books, order, None) if order else [])
    lines = price_bill_lines(
        session, books, wanted, supplier_id=supplier.id, order_id=order.id if order else None
    )
    issue, due = _dates(books, supplier, data)
    bill = SupplierBill(
        tenant_id=books.tenant.id,
        id=uuid7(),
        kind="bill",
        status="draft",
        supplier_id=supplier.id,
        supplier_number=number,
        issue_date=issue,
        due_date=due,
        currency=books.currency.value,
        purchase_order_id=order.id if order else None,
        source=source,
        warnings=list(warnings or []),
        notes=data.notes,
        created_by=principal.user_id,
    )
    _set_totals(bill, lines, books)
    session.add(bill)
    session.flush()
    _add_lines(session, bill, lines)
    audit.record(
        session,
        principal,
        "supplier_bill.create",
        target_type="supplier_bill",
        target_id=bill.id,
        after={"supplier_number": number, "total": bill.gross_total, "source": source},
    )
    return bill


def check_match(session: Session, principal: Principal, bill_id: UUID) -> Match:
    """The three-way match of a bill, to show before posting it."""
    principal.require(*READERS)
    bill = require_bill(session, principal.tenant_id, bill_id)
    return match_bill(session, bill, repo.bill_lines(session, bill.tenant_id, bill.id))


def _drafts_of(lines: list[SupplierBillLine]) -> list[BillLineDraft]:
    return [
        BillLineDraft(
            position=x.position,
            product_id=x.product_id,
            order_line_id=x.order_line_id,
            description=x.description,
            quantity=x.quantity,
            unit_price=x.unit_price,
            vat_rate=x.vat_rate,
            vat_category=x.vat_category,
            net_amount=x.net_amount,
            account=x.account,
        )
        for x in lines
    ]


def _number(session: Session, books: Books, bill: SupplierBill) -> str:
    year = str(bill.issue_date.year)
    prefix = "AF" if bill.kind == "credit_note" else "FF"
    return (
        f"{prefix}-{year}-{take_next(session, books.tenant.id, f'supplier_{bill.kind}', year):05d}"
    )


def _post(
    session: Session, books: Books, bill: SupplierBill, lines: list[SupplierBillLine]
) -> None:
    supplier = session.get(Partner, (books.tenant.id, bill.payee))
    assert supplier is not None
    if bill.gross_total <= 0:
        raise BillTransition("Une facture fournisseur à zéro ne se comptabilise pas.")
    bill.number = _number(session, books, bill)
    bill.status = "posted"
    bill.posted_at = books.now()
    bill.posted_by = books.principal.user_id
    session.flush()
    write_entry(session, books, bill_entry(books, bill, _drafts_of(lines), supplier))


def complete_bill(
    session: Session, principal: Principal, clock: Clock, bill_id: UUID, data: BillCreate
) -> SupplierBill:
    """A draft filled in by the person who read it (a scanned bill): supplier, number,
    dates and lines replace what the draft held, checked as when a bill is created."""
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    bill = require_bill(session, books.tenant.id, bill_id, lock=True)
    if bill.status != "draft" or bill.purchase_order_id is not None:
        raise BillTransition("Seul un brouillon sans bon de commande se complète ainsi.")
    supplier = require_supplier(session, books, data.supplier_id)
    number = data.supplier_number.strip()
    if (bill.supplier_id, bill.supplier_number) != (supplier.id, number):
        _refuse_duplicate(session, books, supplier, "bill", number)
    lines = price_bill_lines(session, books, data.lines, supplier_id=supplier.id, order_id=None)
    bill.issue_date, bill.due_date = _dates(books, supplier, data)
    bill.supplier_id, bill.supplier_number = supplier.id, number
    bill.notes = data.notes or bill.notes
    for old in repo.bill_lines(session, bill.tenant_id, bill.id):
        session.delete(old)
    session.flush()
    _set_totals(bill, lines, books)
    _add_lines(session, bill, lines)
    audit.record(
        session,
        principal,
        "supplier_bill.complete",
        target_type="supplier_bill",
        target_id=bill.id,
        after={"supplier_number": number, "total": bill.gross_total},
    )
    return bill


def post_bill(
    session: Session,
    principal: Principal,
    clock: Clock,
    bill_id: UUID,
    *,
    accept_differences: bool = False,
) -> SupplierBill:
    """Post a draft: refused while it differs from its order and receipts, unless the user
    accepted the differences shown to them."""
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    bill = require_bill(session, books.tenant.id, bill_id, lock=True)
    if bill.status != "draft":
        raise BillTransition(
            f"La facture {bill.supplier_number} est {BILL_STATUS_LABELS[bill.status]} : "
            "seul un brouillon se comptabilise."
        )
    if bill.supplier_id is None or not bill.supplier_number:
        raise BillIncomplete()
    lines = repo.bill_lines(session, bill.tenant_id, bill.id)
    match = match_bill(session, bill, lines)
    if match.differences and not accept_differences:
        raise MatchDifferences(
            "La facture ne correspond pas à la commande ou aux réceptions : "
            + " ".join(match.differences)
            + " Confirmez ces écarts pour la comptabiliser.",
            differences=match.differences,
        )
    _post(session, books, bill, lines)
    _announce(session, principal, bill, "supplier_bill.posted", match.differences)
    return bill


def _announce(
    session: Session, principal: Principal, bill: SupplierBill, event: str, differences: list[str]
) -> None:
    events.emit(
        session,
        principal,
        event,
        bill_id=bill.id,
        supplier_id=bill.supplier_id,
        number=bill.number,
        total=bill.gross_total,
        currency=bill.currency,
    )
    audit.record(
        session,
        principal,
        event.replace(".posted", ".post"),
        target_type="supplier_bill",
        target_id=bill.id,
        after={"number": bill.number, "total": bill.gross_total, "accepted": differences},
    )


def cancel_bill(session: Session, principal: Principal, bill_id: UUID) -> SupplierBill:
    """Cancel a draft (a posted bill is corrected by the supplier's credit note)."""
    principal.require(*WRITERS)
    bill = require_bill(session, principal.tenant_id, bill_id, lock=True)
    if bill.status != "draft":
        raise BillTransition(
            f"La facture {bill.supplier_number} est {BILL_STATUS_LABELS[bill.status]} : "
            "seul un brouillon s'annule ; demandez un avoir au fournisseur."
        )
    bill.status = "cancelled"
    session.flush()
    audit.record(
        session, principal, "supplier_bill.cancel", target_type="supplier_bill", target_id=bill.id
    )
    return bill


def _credit_lines(session: Session, bill: SupplierBill, data: CreditNoteIn) -> list[BillLineIn]:
    if data.lines:
        return data.lines
    return [
        BillLineIn(
            product_id=x.product_id,
            description=x.description,
            quantity=x.quantity,
            unit_price=x.unit_price,
            vat_rate=x.vat_rate,
            account=x.account,
        )
        for x in repo.bill_lines(session, bill.tenant_id, bill.id)
    ]


def record_credit_note(
    session: Session,
    principal: Principal,
    clock: Clock,
    bill_id: UUID,
    data: CreditNoteIn,
    *,
    source: str = "manual",
    document_id: UUID | None = None,
) -> SupplierBill:
    """A supplier credit note against a posted bill, posted at once: it settles what the bill
    still owes; any remainder is kept as a credit with the supplier. ``source`` and
    ``document_id``: a received e-invoice credit note and its stored file."""
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    bill = require_bill(session, books.tenant.id, bill_id, lock=True)
    if bill.kind != "bill" or bill.status not in (*OPEN_STATUSES, "paid"):
        raise BillTransition("Un avoir porte sur une facture fournisseur comptabilisée.")
    supplier = require_supplier(session, books, bill.payee)
    number = data.supplier_number.strip()
    _refuse_duplicate(session, books, supplier, "credit_note", number)
    lines = price_bill_lines(
        session, books, _credit_lines(session, bill, data), supplier_id=supplier.id, order_id=None
    )
    note = SupplierBill(
        tenant_id=books.tenant.id,
        id=uuid7(),
        kind="credit_note",
        supplier_id=supplier.id,
        supplier_number=number,
        issue_date=data.issue_date or books.today(),
        due_date=data.issue_date or books.today(),
        currency=bill.currency,
        credited_bill_id=bill.id,
        notes=data.reason,
        source=source,
        document_id=document_id,
        created_by=principal.user_id,
    )
    _set_totals(note, lines, books)
    if note.gross_total > bill.gross_total:
        raise InvalidInput("L'avoir dépasse le montant de la facture.", field="lines")
    session.add(note)
    session.flush()
    _add_lines(session, note, lines)
    rows = repo.bill_lines(session, note.tenant_id, note.id)
    _post(session, books, note, rows)
    allocate_credit_note(session, note, bill, note.issue_date)
    _announce(session, principal, note, "supplier_credit_note.posted", [])
    return note
