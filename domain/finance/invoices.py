"""Invoices and credit notes: drafts, posting (gapless numbers), reversal by credit note.

A draft can be edited, cancelled or deleted. Posting gives it the next number of the
tenant's per-year sequence, dates it today, sets its due date from the payment terms and
writes its ledger entry; from then on it is immutable (the database refuses changes too)
and only its settlement moves. A mistake on a posted invoice is corrected by a credit note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from domain.finance import repository as repo
from domain.finance.books import Books, open_books
from domain.finance.calc import document_totals, line_net
from domain.finance.errors import (
    CreditNoteRefused,
    InvoiceNotFound,
    InvoiceNotPostable,
    InvoicePosted,
)
from domain.finance.ledger import EntryDraft, Movement, write_entry
from domain.finance.lines import (
    DocumentPartner,
    PricedLine,
    partner_and_products,
    price_lines,
    priced_rows,
    product_ids,
)
from domain.finance.models import Allocation, Invoice, InvoiceLine
from domain.finance.schemas import CreditNoteCreate, InvoiceCreate, InvoiceUpdate
from domain.kit import records
from domain.kit.bulk import attach, insert_rows, row_of
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput, NotFound
from domain.kit.ids import uuid7
from domain.kit.money import Money
from domain.kit.principal import Principal, Role
from domain.kit.sequences import take_next
from domain.kit.transaction import forget, recall, remember
from domain.kit.versioned import update_versioned
from domain.sales.models import Partner, Product
from domain.stock import service as stock

WRITERS = (Role.MANAGER, Role.ACCOUNTANT, Role.SALES)
READERS = (Role.MANAGER, Role.ACCOUNTANT, Role.SALES)
INVOICES: Table = Invoice.__table__  # type: ignore[assignment]
INVOICE_LINES: Table = InvoiceLine.__table__  # type: ignore[assignment]
P = TypeVar("P", bound=DocumentPartner)
KIND_LABELS = {"invoice": "Facture", "deposit": "Facture d'acompte", "credit_note": "Avoir"}


def balance(invoice: Invoice) -> Decimal:
    return invoice.gross_total - invoice.amount_settled


def is_overdue(invoice: Invoice, today: date) -> bool:
    return (
        invoice.status in repo.OPEN_STATUSES
        and invoice.due_date is not None
        and invoice.due_date < today
    )


def require_invoice(
    session: Session, books: Books, invoice_id: UUID, *, lock: bool = False
) -> Invoice:
    invoice = repo.get_invoice(session, books.tenant.id, invoice_id, lock=lock)
    if invoice is None:
        raise InvoiceNotFound()
    return invoice


def require_customer(session: Session, books: Books, partner_id: UUID) -> Partner:
    return check_customer(session.get(Partner, (books.tenant.id, partner_id)))


def check_customer(partner: P | None) -> P:
    """``partner`` as a document's customer: found, a customer, not archived."""
    if partner is None or not partner.is_customer:
        raise NotFound("Client introuvable.", field="partner_id")
    if not partner.is_active:
        raise InvalidInput(f"Le client « {partner.name} » est archivé.", field="partner_id")
    return partner


def _set_totals(invoice: Invoice, lines: Iterable[PricedLine], books: Books) -> None:
    totals = document_totals((line.taxable() for line in lines), books.currency)
    invoice.net_total, invoice.tax_total, invoice.gross_total = (
        totals.net,
        totals.tax,
        totals.gross,
    )


@dataclass(frozen=True, slots=True)
class WrittenDraft:
    """A draft this transaction wrote, as posting it needs it: the row (no other
    transaction can see it, let alone lock it, before commit), its customer and its lines
    as written — so posting it in the same unit of work reads none of them back."""

    invoice: Invoice
    partner: DocumentPartner
    lines: list[PricedLine]


def _written_here(session: Session, invoice_id: UUID) -> WrittenDraft | None:
    return recall(session, ("finance.draft", invoice_id))  # type: ignore[no-any-return]


def _line_rows(invoice: Invoice, lines: list[PricedLine]) -> list[dict[str, object]]:
    return [
        {"tenant_id": invoice.tenant_id, "id": uuid7(), "invoice_id": invoice.id} | line.columns()
        for line in lines
    ]


def _add_lines(session: Session, invoice: Invoice, lines: list[PricedLine]) -> None:
    """The lines of a draft already written, in one statement."""
    insert_rows(session, (INVOICE_LINES, _line_rows(invoice, lines)))


def _deposit_deductions(
    session: Session, books: Books, partner_id: UUID, deposit_ids: list[UUID], first: int
) -> list[PricedLine]:
    """Negative lines taking posted deposit invoices off a final invoice, per VAT rate."""
    deductions: list[PricedLine] = []
    for deposit_id in deposit_ids:
        deposit = require_invoice(session, books, deposit_id)
        if deposit.kind != "deposit" or deposit.partner_id != partner_id:
            raise InvalidInput("Cet acompte ne concerne pas ce client.", field="deduct_deposits")
        if deposit.status in ("draft", "cancelled"):
            raise InvalidInput("Seul un acompte validé peut être déduit.", field="deduct_deposits")
        already = session.scalar(
            select(func.count())
            .select_from(InvoiceLine)
            .join(
                Invoice,
                (Invoice.tenant_id == InvoiceLine.tenant_id)
                & (Invoice.id == InvoiceLine.invoice_id),
            )
            .where(
                InvoiceLine.tenant_id == books.tenant.id,
                InvoiceLine.deposit_invoice_id == deposit_id,
                Invoice.status != "cancelled",
            )
        )
        if already:
            raise InvalidInput(
                f"L'acompte {deposit.number} est déjà déduit.", field="deduct_deposits"
            )
        totals = document_totals(
            (
                line.taxable()
                for line in priced_rows(repo.invoice_lines(session, books.tenant.id, deposit_id))
            ),
            books.currency,
        )
        for rate in totals.by_rate:
            deductions.append(
                PricedLine(
                    position=first + len(deductions),
                    product_id=None,
                    description=f"Acompte {deposit.number} du {deposit.issue_date:%d/%m/%Y}",
                    quantity=Decimal(-1),
                    unit="forfait",
                    unit_price=rate.base,
                    discount_percent=Decimal(0),
                    vat_rate=rate.rate,
                    vat_category=rate.category,
                    net_amount=-rate.base,
                    deposit_invoice_id=deposit_id,
                )
            )
    return deductions


def new_draft(
    session: Session,
    books: Books,
    partner: DocumentPartner,
    lines: list[PricedLine],
    *,
    kind: str = "invoice",
    payment_terms_days: int | None = None,
    **extra: object,
) -> Invoice:
    """Write a validated draft and its lines (the caller has checked everything)."""
    terms = payment_terms_days
    if terms is None:
        terms = partner.payment_terms_days
    if terms is None:
        terms = books.settings.payment_terms_days
    invoice = Invoice(
        tenant_id=books.tenant.id,
        id=uuid7(),
        kind=kind,
        status="draft",
        partner_id=partner.id,
        issue_date=books.today(),
        payment_terms_days=terms,
        currency=books.currency.value,
        created_by=books.principal.user_id,
        **extra,
    )
    _set_totals(invoice, lines, books)
    # The invoice and its lines in one statement; the invoice then joins the session.
    insert_rows(session, (INVOICES, [row_of(invoice)]), (INVOICE_LINES, _line_rows(invoice, lines)))
    attach(session, invoice)
    remember(session, ("finance.draft", invoice.id), WrittenDraft(invoice, partner, lines))
    records.emit(session, books.principal, "invoice.created", invoice_id=invoice.id, kind=kind)
    records.audit(
        session,
        books.principal,
        "invoice.create",
        target_type="invoice",
        target_id=invoice.id,
        after={"partner": partner.name, "gross_total": invoice.gross_total, "kind": kind},
    )
    return invoice


def create_invoice(
    session: Session, principal: Principal, clock: Clock, data: InvoiceCreate
) -> Invoice:
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    books.require_currency(data.currency)
    found, products = partner_and_products(session, books, data.partner_id, product_ids(data.lines))
    partner = check_customer(found)
    lines = price_lines(session, books, data.lines, products)
    lines += _deposit_deductions(
        session, books, partner.id, data.deduct_deposits, first=len(lines) + 1
    )
    return new_draft(
        session,
        books,
        partner,
        lines,
        kind=data.kind,
        payment_terms_days=data.payment_terms_days,
        notes=data.notes,
        buyer_reference=data.buyer_reference,
        operation_category=data.operation_category,
        **_delivery(data),
    )


def _delivery(data: InvoiceCreate) -> dict[str, str | None]:
    where = data.delivery_address
    return {
        "delivery_line1": where.line1 if where else None,
        "delivery_postcode": where.postcode if where else None,
        "delivery_city": where.city if where else None,
        "delivery_country": where.country if where else None,
    }


def _require_draft(invoice: Invoice) -> None:
    if invoice.status != "draft":
        raise InvoicePosted()


def update_draft(
    session: Session, principal: Principal, clock: Clock, invoice_id: UUID, data: InvoiceUpdate
) -> Invoice:
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    invoice = require_invoice(session, books, invoice_id, lock=True)
    _require_draft(invoice)
    forget(session, ("finance.draft", invoice.id))  # its lines change
    before = {"gross_total": invoice.gross_total}
    if data.lines is not None:
        lines = price_lines(session, books, data.lines)
        for row in repo.invoice_lines(session, books.tenant.id, invoice.id):
            session.delete(row)
        session.flush()
        _add_lines(session, invoice, lines)
        _set_totals(invoice, lines, books)
    for name in ("payment_terms_days", "notes", "buyer_reference"):
        value = getattr(data, name)
        if value is not None:
            setattr(invoice, name, value)
    session.flush()
    records.audit(
        session,
        principal,
        "invoice.update",
        target_type="invoice",
        target_id=invoice.id,
        before=before,
        after={"gross_total": invoice.gross_total},
    )
    return invoice


def delete_draft(session: Session, principal: Principal, clock: Clock, invoice_id: UUID) -> None:
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    invoice = require_invoice(session, books, invoice_id, lock=True)
    _require_draft(invoice)
    forget(session, ("finance.draft", invoice.id))
    session.delete(invoice)
    session.flush()
    records.audit(session, principal, "invoice.delete", target_type="invoice", target_id=invoice_id)


def cancel_draft(session: Session, principal: Principal, clock: Clock, invoice_id: UUID) -> Invoice:
    """A draft abandoned but kept for the record (a posted invoice needs a credit note)."""
    principal.require(*WRITERS)
    books = open_books(session, principal, clock)
    invoice = require_invoice(session, books, invoice_id, lock=True)
    _require_draft(invoice)
    forget(session, ("finance.draft", invoice.id))
    invoice.status = "cancelled"
    session.flush()
    records.emit(session, principal, "invoice.cancelled", invoice_id=invoice.id)
    records.audit(session, principal, "invoice.cancel", target_type="invoice", target_id=invoice.id)
    return invoice


def _movements(
    session: Session,
    books: Books,
    invoice: Invoice,
    lines: list[PricedLine],
    revenue_kind: str,
    partner: DocumentPartner | None,
) -> list[Movement]:
    """The entry of an invoice (or, signs reversed, of a credit note)."""
    sign = Decimal(-1) if invoice.kind == "credit_note" else Decimal(1)
    accounts = books.accounts
    if partner is None:
        partner = session.get(Partner, (invoice.tenant_id, invoice.partner_id))
    label = f"{KIND_LABELS[invoice.kind]} {invoice.number} {partner.name if partner else ''}"
    goods = _goods(session, invoice.tenant_id, lines)
    movements = [
        Movement(accounts.receivable, sign * invoice.gross_total, label, invoice.partner_id)
    ]
    for line in lines:
        if revenue_kind == "deposit" or line.deposit_invoice_id:
            account = accounts.customer_advances
        elif line.product_id in goods:
            account = accounts.sales_goods
        else:
            account = accounts.sales_services
        movements.append(Movement(account, -sign * line.net_amount, label))
    return movements + _vat_movements(books, lines, goods, sign, label)


def _goods(session: Session, tenant_id: UUID, lines: list[PricedLine]) -> set[UUID]:
    """The lines' products that are goods (revenue and VAT accounts differ for them):
    from the products the lines were priced from, else read."""
    if all(line.product is not None for line in lines if line.product_id):
        return {line.product.id for line in lines if line.product and line.product.kind == "goods"}
    product_ids = {line.product_id for line in lines if line.product_id}
    return set(
        session.scalars(
            select(Product.id).where(
                Product.tenant_id == tenant_id,
                Product.id.in_(product_ids),
                Product.kind == "goods",
            )
        )
    )


def _vat_movements(
    books: Books, lines: list[PricedLine], goods: set[UUID], sign: Decimal, label: str
) -> list[Movement]:
    """VAT collected per rate. SYSCOHADA keeps VAT on services (4432) apart from VAT on
    goods (4431): a rate's tax is then split in proportion to the two bases, exactly."""
    accounts = books.accounts
    totals = document_totals((line.taxable() for line in lines), books.currency)
    movements = []
    for rate in totals.by_rate:
        same_rate = [
            line
            for line in lines
            if (line.vat_category, line.vat_rate) == (rate.category, rate.rate)
        ]
        goods_base = sum((x.net_amount for x in same_rate if x.product_id in goods), Decimal(0))
        services_base = rate.base - goods_base
        split = accounts.vat_collected != accounts.vat_collected_services
        if not split or goods_base <= 0 or services_base <= 0 or rate.tax < 0:
            account = (
                accounts.vat_collected_services
                if split and goods_base == 0
                else accounts.vat_collected
            )
            movements.append(Movement(account, -sign * rate.tax, label))
            continue
        on_goods, on_services = Money(rate.tax, books.currency).allocate(
            [goods_base, services_base]
        )
        movements.append(Movement(accounts.vat_collected, -sign * on_goods.amount, label))
        movements.append(
            Movement(accounts.vat_collected_services, -sign * on_services.amount, label)
        )
    return movements


def _number(session: Session, books: Books, kind: str) -> str:
    today = books.today()
    if kind == "credit_note":
        sequence, pattern = "credit_note", books.settings.credit_note_pattern
    else:  # deposit invoices are invoices: one chronological series
        sequence, pattern = "invoice", books.settings.invoice_pattern
    seq = take_next(session, books.tenant.id, sequence, str(today.year))
    return pattern.format(year=today.year, seq=seq)


def _post(session: Session, books: Books, invoice: Invoice, revenue_kind: str) -> None:
    """Number, date and book a draft whose lines are written: as this transaction wrote
    them, else read here once."""
    written = _written_here(session, invoice.id)
    forget(session, ("finance.draft", invoice.id))  # posted: no longer a draft
    if written is not None:
        lines, partner = written.lines, written.partner
    else:
        lines, partner = priced_rows(repo.invoice_lines(session, books.tenant.id, invoice.id)), None
    if not lines:
        raise InvoiceNotPostable("Impossible de valider une facture sans lignes.")
    number, today = _number(session, books, invoice.kind), books.today()
    # One UPDATE with the version check a flush would make, without the flush's Python.
    update_versioned(
        session,
        invoice,
        number=number,
        issue_date=today,
        due_date=today + timedelta(days=invoice.payment_terms_days),
        status="posted" if invoice.gross_total > 0 else "paid",
        posted_at=books.now(),
        posted_by=books.principal.user_id,
    )
    write_entry(
        session,
        books,
        EntryDraft(
            journal="VT",
            entry_date=invoice.issue_date,
            label=f"{KIND_LABELS[invoice.kind]} {number}",
            piece_ref=number,
            piece_date=invoice.issue_date,
            source_type="invoice",
            source_id=invoice.id,
            movements=_movements(session, books, invoice, lines, revenue_kind, partner),
        ),
    )


def _stock_lines(written: WrittenDraft | None) -> list[tuple[Product, Decimal]] | None:
    """The products and quantities of a draft written here, when every product line
    knows its product (else None: the delivery reads them)."""
    if written is None or any(ln.product_id and ln.product is None for ln in written.lines):
        return None
    return [(line.product, line.quantity) for line in written.lines if line.product is not None]


def post_invoice(session: Session, principal: Principal, clock: Clock, invoice_id: UUID) -> Invoice:
    principal.require(Role.MANAGER, Role.ACCOUNTANT)
    books = open_books(session, principal, clock)
    written = _written_here(session, invoice_id)
    # A draft written by this transaction is invisible to the others: no lock to take.
    invoice = written.invoice if written else require_invoice(session, books, invoice_id, lock=True)
    if invoice.status != "draft":
        raise InvoiceNotPostable(
            f"La facture {invoice.number or ''} est déjà {_status_label(invoice.status)}.".replace(
                "  ", " "
            )
        )
    if invoice.gross_total < 0:
        raise InvoiceNotPostable("Le total de la facture est négatif : faites plutôt un avoir.")
    # Stockable goods leave the default warehouse with the posting. The stock is locked and
    # checked first: a shortfall fails the posting before a number or an entry is written.
    delivery = stock.plan_invoice_delivery(
        session,
        principal,
        clock,
        invoice.id,
        lines=_stock_lines(written),
    )
    _post(session, books, invoice, invoice.kind)
    stock.deliver_invoice(session, principal, clock, delivery)
    records.emit(
        session,
        principal,
        "invoice.posted",
        invoice_id=invoice.id,
        number=invoice.number,
        partner_id=invoice.partner_id,
        gross_total=invoice.gross_total,
        currency=invoice.currency,
        due_date=invoice.due_date,
    )
    records.audit(
        session,
        principal,
        "invoice.post",
        target_type="invoice",
        target_id=invoice.id,
        after={"number": invoice.number, "gross_total": invoice.gross_total},
    )
    return invoice


STATUS_LABELS = {
    "draft": "en brouillon",
    "posted": "validée",
    "partially_paid": "partiellement payée",
    "paid": "payée",
    "cancelled": "annulée",
}


def _status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def settle(invoice: Invoice, amount: Decimal, *, by_credit_note: bool = False) -> None:
    """Record ``amount`` more settled on a posted invoice and move its status."""
    invoice.amount_settled += amount
    if invoice.amount_settled < invoice.gross_total:
        invoice.status = "partially_paid"
    elif by_credit_note and invoice.status == "posted":
        invoice.status = "cancelled"  # reversed in full before anything was paid
    else:
        invoice.status = "paid"


def _credit_lines(
    books: Books, originals: list[InvoiceLine], data: CreditNoteCreate
) -> list[PricedLine]:
    if data.lines is None:
        return priced_rows(originals)
    by_id = {line.id: line for line in originals}
    credited: list[PricedLine] = []
    for i, wanted in enumerate(data.lines, start=1):
        original = by_id.get(wanted.line_id)
        if original is None:
            raise InvalidInput(f"Ligne {i} : elle n'appartient pas à cette facture.")
        if wanted.quantity > abs(original.quantity):
            raise InvalidInput(
                f"Ligne {i} : on ne peut pas créditer plus que la quantité facturée "
                f"({original.quantity.normalize()})."
            )
        sign = Decimal(1) if original.quantity > 0 else Decimal(-1)
        quantity = sign * wanted.quantity
        credited.append(
            PricedLine(
                position=i,
                product_id=original.product_id,
                description=original.description,
                quantity=quantity,
                unit=original.unit,
                unit_price=original.unit_price,
                discount_percent=original.discount_percent,
                vat_rate=original.vat_rate,
                vat_category=original.vat_category,
                net_amount=line_net(
                    quantity, original.unit_price, original.discount_percent, books.currency
                ),
                deposit_invoice_id=original.deposit_invoice_id,
            )
        )
    return credited


def create_credit_note(
    session: Session, principal: Principal, clock: Clock, invoice_id: UUID, data: CreditNoteCreate
) -> Invoice:
    """Reverse all or part of a posted invoice with a posted credit note.

    The credit note first settles what the customer still owes on that invoice; whatever
    exceeds it (the invoice was already paid) stays as the customer's credit.
    """
    principal.require(Role.MANAGER, Role.ACCOUNTANT)
    books = open_books(session, principal, clock)
    original = require_invoice(session, books, invoice_id, lock=True)
    if original.kind == "credit_note" or original.status in ("draft", "cancelled"):
        raise CreditNoteRefused(
            f"Un avoir ne peut porter que sur une facture validée "
            f"(celle-ci est {_status_label(original.status)})."
        )
    lines = _credit_lines(books, repo.invoice_lines(session, books.tenant.id, original.id), data)
    already = sum(
        (n.gross_total for n in repo.credit_notes_of(session, books.tenant.id, original.id)),
        Decimal(0),
    )
    totals = document_totals((line.taxable() for line in lines), books.currency)
    if totals.gross <= 0 or already + totals.gross > original.gross_total:
        raise CreditNoteRefused(
            f"L'avoir dépasserait la facture {original.number} : déjà crédité "
            f"{already}, reste {original.gross_total - already} {original.currency}."
        )
    partner = session.get(Partner, (books.tenant.id, original.partner_id))
    assert partner is not None
    note = new_draft(
        session,
        books,
        partner,
        lines,
        kind="credit_note",
        payment_terms_days=0,
        credited_invoice_id=original.id,
        reason=data.reason,
    )
    _post(session, books, note, original.kind)
    note.status = "posted"
    used = min(note.gross_total, balance(original))
    if used > 0:
        session.add(
            Allocation(
                tenant_id=books.tenant.id,
                invoice_id=original.id,
                credit_note_id=note.id,
                amount=used,
                allocated_on=note.issue_date,
            )
        )
        settle(original, used, by_credit_note=True)
        note.amount_settled = used
    session.flush()
    records.emit(
        session,
        principal,
        "credit_note.posted",
        credit_note_id=note.id,
        number=note.number,
        invoice_id=original.id,
        gross_total=note.gross_total,
        customer_credit=note.gross_total - used,
    )
    records.audit(
        session,
        principal,
        "credit_note.create",
        target_type="invoice",
        target_id=note.id,
        after={"number": note.number, "invoice": original.number, "reason": data.reason},
    )
    return note


def list_invoices(
    session: Session, principal: Principal, clock: Clock, **filters: Any
) -> tuple[list[Invoice], date]:
    """Invoices matching ``filters`` (see ``repository.list_invoices``) and today's date,
    against which "overdue" is judged."""
    principal.require(*READERS)
    today = open_books(session, principal, clock).today()
    return repo.list_invoices(session, principal.tenant_id, today=today, **filters), today


def invoice_with_lines(
    session: Session, principal: Principal, clock: Clock, invoice_id: UUID
) -> tuple[Invoice, list[InvoiceLine], date]:
    principal.require(*READERS)
    books = open_books(session, principal, clock)
    invoice = require_invoice(session, books, invoice_id)
    return invoice, repo.invoice_lines(session, books.tenant.id, invoice.id), books.today()
