"""Snapshots of invoices, credit notes and quotes for rendering (PDF, Factur-X)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.finance import repository as repo
from domain.finance.books import Books, open_books
from domain.finance.calc import document_totals
from domain.finance.documents.model import (
    Address,
    DocumentKind,
    Line,
    Party,
    PrintableDocument,
    Totals,
    VatBreakdown,
)
from domain.finance.errors import QuoteNotFound
from domain.finance.invoices import READERS, require_invoice
from domain.finance.lines import priced_rows
from domain.finance.models import Invoice, InvoiceLine, QuoteLine, VatRate
from domain.kit.clock import Clock
from domain.kit.principal import Principal
from domain.kit.text import fold
from domain.sales.models import Partner, Product
from domain.sales.units import unit_code

KINDS = {
    "invoice": DocumentKind.INVOICE,
    "deposit": DocumentKind.DEPOSIT_INVOICE,
    "credit_note": DocumentKind.CREDIT_NOTE,
}


def _seller(books: Books) -> Party:
    tenant, settings = books.tenant, books.settings
    return Party(
        name=tenant.name,
        address=Address(
            line1=settings.address_line1 or "",
            postcode=settings.postcode or "",
            city=settings.city or "",
            country=tenant.country,
        ),
        siren=tenant.siren,
        siret=tenant.siret,
        vat_number=tenant.vat_number,
        ninea=tenant.ninea,
        legal_form=settings.legal_form,
        share_capital=settings.share_capital,
        registry=settings.trade_registry,
    )


def _buyer(partner: Partner) -> Party:
    return Party(
        name=partner.name,
        address=Address(
            line1=partner.address_line1 or "",
            line2=partner.address_line2,
            postcode=partner.postcode or "",
            city=partner.city or "",
            country=partner.country,
        ),
        siren=partner.siren,
        siret=partner.siret,
        vat_number=partner.vat_number,
        ninea=partner.ninea,
        email=partner.email,
        phone=partner.phone,
    )


def _lines(session: Session, books: Books, rows: list[InvoiceLine] | list[QuoteLine]) -> list[Line]:
    ids = {r.product_id for r in rows if r.product_id}
    skus = (
        dict(
            session.execute(
                select(Product.id, Product.sku).where(
                    Product.tenant_id == books.tenant.id, Product.id.in_(ids)
                )
            ).all()
        )
        if ids
        else {}
    )
    return [
        Line(
            position=r.position,
            description=r.description,
            quantity=r.quantity,
            unit=unit_code(r.unit),
            unit_name=r.unit,
            unit_price=r.unit_price,
            discount_percent=r.discount_percent,
            net_amount=r.net_amount,
            vat_rate=r.vat_rate,
            vat_category=r.vat_category,
            sku=skus.get(r.product_id) if r.product_id else None,
        )
        for r in rows
    ]


def _vat(
    session: Session, books: Books, rows: list[InvoiceLine] | list[QuoteLine]
) -> list[VatBreakdown]:
    reasons = dict(
        session.execute(
            select(VatRate.rate, VatRate.exemption_reason).where(
                VatRate.tenant_id == books.tenant.id, VatRate.category == "E"
            )
        ).all()
    )
    priced = priced_rows(rows)
    totals = document_totals((p.taxable() for p in priced), books.currency)
    return [
        VatBreakdown(
            rate=r.rate,
            category=r.category,
            base=r.base,
            tax=r.tax,
            exemption_reason=reasons.get(r.rate) if r.category == "E" else None,
        )
        for r in totals.by_rate
    ]


def _notes(books: Books, lines: list[Line], goods: bool, services: bool) -> list[str]:
    if books.tenant.country != "FR":
        return []
    # Since the 2026 e-invoicing reform French invoices state the nature of the operation.
    nature = (
        "livraison de biens et prestation de services"
        if goods and services
        else "livraison de biens"
        if goods
        else "prestation de services"
    )
    notes = [f"Catégorie de l'opération : {nature}."]
    if _on_debits(books, services):
        notes.append(DEBITS_MENTION)
    return notes


DEBITS_MENTION = "Option pour le paiement de la taxe d'après les débits."


def _on_debits(books: Books, services: bool) -> bool:
    """The business opted to pay VAT on its debits: said on its French invoices of
    services (goods always pay VAT on delivery, the option does not concern them)."""
    return books.tenant.country == "FR" and books.settings.vat_on_debits and services


def _operation(invoice: Invoice, kinds: set[str], rows: list[InvoiceLine]) -> tuple[bool, bool]:
    """(goods, services): the category set on the invoice, else the lines' products
    (a line without product is a service)."""
    if invoice.operation_category is not None:
        category = invoice.operation_category
        return category in ("goods", "mixed"), category in ("services", "mixed")
    services = "service" in kinds or any(r.product_id is None for r in rows)
    return "goods" in kinds, services


def _delivery(books: Books, invoice: Invoice, buyer: Party) -> Address | None:
    """Where the goods go on a French invoice, only when it is not the buyer's address."""
    if books.tenant.country != "FR" or not invoice.delivery_line1:
        return None
    where = Address(
        line1=invoice.delivery_line1,
        postcode=invoice.delivery_postcode or "",
        city=invoice.delivery_city or "",
        country=invoice.delivery_country or "FR",
    )
    home = buyer.address
    same = [fold(x) for x in (where.line1, where.postcode, where.city, where.country)] == [
        fold(x or "") for x in (home.line1, home.postcode, home.city, home.country)
    ]
    return None if same else where


def _billing_mode(books: Books, goods: bool, services: bool) -> str | None:
    if books.tenant.country != "FR":
        return None
    return "M1" if goods and services else "B1" if goods else "S1"


def _terms(invoice: Invoice) -> str:
    if invoice.payment_terms_days == 0:
        return "Paiement à réception de facture."
    return f"Paiement à {invoice.payment_terms_days} jours."


def invoice_document(
    session: Session, principal: Principal, clock: Clock, invoice_id: UUID
) -> PrintableDocument:
    principal.require(*READERS)
    books = open_books(session, principal, clock)
    invoice = require_invoice(session, books, invoice_id)
    partner = session.get(Partner, (books.tenant.id, invoice.partner_id))
    assert partner is not None
    rows = repo.invoice_lines(session, books.tenant.id, invoice.id)
    lines = _lines(session, books, rows)
    kinds = set(
        session.scalars(
            select(Product.kind).where(
                Product.tenant_id == books.tenant.id,
                Product.id.in_({r.product_id for r in rows if r.product_id}),
            )
        )
    )
    goods, services = _operation(invoice, kinds, rows)
    buyer = _buyer(partner)
    preceding = (
        repo.get_invoice(session, books.tenant.id, invoice.credited_invoice_id)
        if invoice.credited_invoice_id
        else None
    )
    paid = invoice.amount_settled if invoice.kind != "credit_note" else Decimal(0)
    return PrintableDocument(
        kind=KINDS[invoice.kind],
        number=invoice.number or "BROUILLON",
        issue_date=invoice.issue_date,
        currency=books.currency,
        seller=_seller(books),
        buyer=buyer,
        lines=lines,
        vat=_vat(session, books, rows),
        totals=Totals(
            net=invoice.net_total,
            tax=invoice.tax_total,
            gross=invoice.gross_total,
            paid=paid,
            due=invoice.gross_total - paid,
        ),
        country=books.tenant.country,
        due_date=invoice.due_date,
        payment_terms=_terms(invoice),
        payment_means="Virement bancaire" if books.settings.iban else None,
        iban=books.settings.iban,
        legal_mentions=list(books.settings.legal_mentions),
        notes=[n for n in [invoice.notes, invoice.reason and f"Motif : {invoice.reason}"] if n]
        + _notes(books, lines, goods, services),
        preceding_invoice=preceding.number if preceding else None,
        preceding_invoice_date=preceding.issue_date if preceding else None,
        buyer_reference=invoice.buyer_reference,
        business_process=_billing_mode(books, goods, services),
        delivery=_delivery(books, invoice, buyer),
        vat_on_debits=_on_debits(books, services),
    )


def quote_document(
    session: Session, principal: Principal, clock: Clock, quote_id: UUID
) -> PrintableDocument:
    principal.require(*READERS)
    books = open_books(session, principal, clock)
    quote = repo.get_quote(session, books.tenant.id, quote_id)
    if quote is None:
        raise QuoteNotFound()
    partner = session.get(Partner, (books.tenant.id, quote.partner_id))
    assert partner is not None
    rows = repo.quote_lines(session, books.tenant.id, quote.id)
    return PrintableDocument(
        kind=DocumentKind.QUOTE,
        number=quote.number,
        issue_date=quote.issue_date,
        currency=books.currency,
        seller=_seller(books),
        buyer=_buyer(partner),
        lines=_lines(session, books, rows),
        vat=_vat(session, books, rows),
        totals=Totals(
            net=quote.net_total,
            tax=quote.tax_total,
            gross=quote.gross_total,
            due=quote.gross_total,
        ),
        country=books.tenant.country,
        valid_until=quote.valid_until,
        notes=[quote.notes] if quote.notes else [],
        legal_mentions=[],
        version=quote.version,
    )
