"""Exports built from the books: invoices as CSV or Excel, the FEC for French tenants."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.finance import repository as repo
from domain.finance.books import open_books
from domain.finance.documents.exports import InvoiceRow, invoices_csv, invoices_xlsx
from domain.finance.documents.fec import FecLine, fec_filename, write_fec
from domain.finance.models import Invoice, JournalEntry, JournalLine
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.principal import Principal, Role
from domain.sales.models import Partner

READERS = (Role.MANAGER, Role.ACCOUNTANT)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _invoice_rows(session: Session, tenant_id: object, start: date, end: date) -> list[InvoiceRow]:
    rows = session.execute(
        select(Invoice, Partner.name, Partner.vat_number)
        .join(
            Partner, (Partner.tenant_id == Invoice.tenant_id) & (Partner.id == Invoice.partner_id)
        )
        .where(
            Invoice.tenant_id == tenant_id,
            Invoice.number.is_not(None),
            Invoice.issue_date.between(start, end),
        )
        .order_by(Invoice.issue_date, Invoice.number)
    )
    return [
        InvoiceRow(
            number=invoice.number or "",
            kind=invoice.kind,
            status=invoice.status,
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            customer=name,
            customer_vat=vat,
            currency=invoice.currency,
            net=invoice.net_total,
            tax=invoice.tax_total,
            gross=invoice.gross_total,
            paid=invoice.amount_settled,
            balance=invoice.gross_total - invoice.amount_settled,
        )
        for invoice, name, vat in rows
    ]


def invoices_export(
    session: Session,
    principal: Principal,
    clock: Clock,
    *,
    start: date,
    end: date,
    fmt: Literal["csv", "xlsx"],
) -> tuple[bytes, str, str]:
    """(content, media type, file name) of the posted invoices and credit notes issued
    between ``start`` and ``end``."""
    principal.require(*READERS)
    if end < start:
        raise InvalidInput("La date de fin précède la date de début.")
    rows = _invoice_rows(session, principal.tenant_id, start, end)
    name = f"factures-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return invoices_csv(rows), "text/csv; charset=utf-8", name
    return invoices_xlsx(rows), XLSX, name


def _fec_lines(session: Session, tenant_id: UUID, year: int, tz: ZoneInfo) -> Iterator[FecLine]:
    rows = session.execute(
        repo.ledger_lines(tenant_id, date(year, 1, 1), date(year, 12, 31))
        # The FEC lists entries in the order they were validated.
        .order_by(JournalEntry.validated_at, JournalEntry.number, JournalLine.position)
    )
    for line, entry, journal, account, aux_code, aux_name in rows:
        yield FecLine(
            journal_code=journal.code,
            journal_lib=journal.name,
            ecriture_num=entry.number,
            ecriture_date=entry.entry_date,
            compte_num=account.number,
            compte_lib=account.label,
            comp_aux_num=aux_code,
            comp_aux_lib=aux_name,
            piece_ref=entry.piece_ref,
            piece_date=entry.piece_date,
            ecriture_lib=line.label,
            debit=line.debit,
            credit=line.credit,
            ecriture_let=None,
            date_let=None,
            valid_date=entry.validated_at.astimezone(tz).date(),
            montant_devise=None,
            idevise=None,
        )


def fec_export(
    session: Session, principal: Principal, clock: Clock, *, year: int
) -> tuple[bytes, str]:
    """The FEC of a calendar fiscal year: (content, file name ``<SIREN>FEC<YYYYMMDD>.txt``)."""
    principal.require(*READERS)
    books = open_books(session, principal, clock)
    if books.tenant.country != "FR" or not books.tenant.siren:
        raise InvalidInput(
            "Le FEC est une obligation fiscale française : il faut une entreprise française "
            "avec son SIREN."
        )
    if not 2000 <= year <= books.today().year:
        raise InvalidInput(f"Exercice invalide : {year}.")
    tz = ZoneInfo(books.tenant.timezone)
    content = write_fec(_fec_lines(session, books.tenant.id, year, tz))
    return content, fec_filename(books.tenant.siren, date(year, 12, 31))
