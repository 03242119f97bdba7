"""Taking in a received e-invoice as a draft supplier bill.

The file is read and checked first (``einvoice``: schema, EN 16931 totals); then, in the
caller's one transaction: the supplier is found (SIREN, then VAT number, then name) or
created from the file, the original file is stored as a document attached to the supplier,
and a draft bill is created whose totals equal the file's — or nothing is written. A file
addressed to another buyer becomes a draft with a warning; nothing is ever posted here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from decimal import Decimal
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.audit import service as audit
from domain.documents.models import Document, DocumentBlob
from domain.finance.books import Books, open_books
from domain.finance.calc import line_net
from domain.finance.payables import repository as repo
from domain.finance.payables import scan_reading
from domain.finance.payables.bills import WRITERS, create_bill, record_credit_note
from domain.finance.payables.einvoice import (
    EInvoiceRefused,
    ItemLine,
    NotStructured,
    PartyInfo,
    ReceivedInvoice,
    TaxRow,
    check_totals,
    read_einvoice,
)
from domain.finance.payables.models import SupplierBill
from domain.finance.payables.scan_reading import ScanReader
from domain.finance.payables.schemas import BillCreate, BillLineIn, CreditNoteIn
from domain.finance.vat import active_rates, format_rate
from domain.kit.clock import Clock
from domain.kit.errors import InvalidInput
from domain.kit.ids import uuid7
from domain.kit.principal import Principal
from domain.sales import service as sales
from domain.sales.models import Partner
from domain.sales.schemas import AddressIn, PartnerCreate

READER_ROLES = ["manager", "accountant"]


@dataclass(frozen=True)
class ImportedBill:
    bill: SupplierBill
    supplier: Partner | None  # None: a scan, supplier not known yet
    invoice: ReceivedInvoice | None  # None: a scan, no structured invoice
    warnings: list[str]


def _refuse(reason: str) -> EInvoiceRefused:
    return EInvoiceRefused(f"Facture électronique refusée : {reason}", field="file")


def _clean(value: str | None) -> str | None:
    return value.replace(" ", "").upper() if value else None


def _find_supplier(session: Session, books: Books, seller: PartyInfo) -> Partner | None:
    tenant_id = books.tenant.id
    candidates = [
        (Partner.siren, seller.siren),
        (func.upper(func.replace(Partner.vat_number, " ", "")), _clean(seller.vat_number)),
        (func.lower(Partner.name), seller.name.strip().lower()),
    ]
    for column, value in candidates:
        if not value:
            continue
        found = session.scalars(
            select(Partner)
            .where(Partner.tenant_id == tenant_id, column == value, Partner.is_active)
            .order_by(Partner.is_supplier.desc(), Partner.created_at)
        ).first()
        if found is not None:
            return found
    return None


def _new_supplier(
    session: Session, principal: Principal, seller: PartyInfo, warnings: list[str]
) -> Partner:
    address = AddressIn(
        line1=seller.address, postcode=seller.postcode, city=seller.city, country=seller.country
    )
    base = {"name": seller.name[:200], "roles": ["supplier"], "address": address}
    try:
        data = PartnerCreate.model_validate(
            {**base, "siren": seller.siren, "vat_number": seller.vat_number}
        )
        partner = sales.create_partner(session, principal, data)
    except InvalidInput:
        partner = sales.create_partner(session, principal, PartnerCreate.model_validate(base))
        warnings.append("Identifiants du fournisseur (SIREN, TVA) non repris : à vérifier.")
    warnings.append(f"Fournisseur « {partner.name} » créé d'après la facture : vérifiez sa fiche.")
    return partner


def _supplier(session: Session, books: Books, seller: PartyInfo, warnings: list[str]) -> Partner:
    found = _find_supplier(session, books, seller)
    if found is None:
        return _new_supplier(session, books.principal, seller, warnings)
    if not found.is_supplier:
        found.is_supplier = True
        warnings.append(f"« {found.name} » est désormais aussi fournisseur.")
    return found


def _buyer_warnings(books: Books, buyer: PartyInfo) -> list[str]:
    tenant = books.tenant
    mine = {_clean(tenant.siren), _clean(tenant.vat_number)} - {None}
    theirs = {_clean(buyer.siren), _clean(buyer.vat_number)} - {None}
    if mine and theirs and not mine & theirs:
        who = buyer.name or "un autre acheteur"
        ids = ", ".join(sorted(x for x in theirs if x))
        return [f"Facture adressée à {who} ({ids}), pas à votre entreprise : à vérifier."]
    return []


ZERO_RATED = {"AE", "K", "G", "O", "Z", "E"}
PRICE_PLACES = Decimal("0.0001")


def _rows(inv: ReceivedInvoice, rates: list[Decimal], quantum: Decimal) -> list[TaxRow]:
    """The VAT breakdown; a MINIMUM file has none: the one rate its totals fit, if any."""
    if inv.tax_rows:
        return inv.tax_rows
    for rate in sorted(rates, reverse=True):
        if (inv.tax_basis * rate / 100).quantize(quantum) == inv.tax_total.quantize(quantum):
            return [TaxRow("S" if rate else "E", rate, inv.tax_basis, inv.tax_total)]
    raise _refuse(
        "la facture (profil MINIMUM) ne détaille pas sa TVA et ses totaux ne correspondent à "
        "aucun de vos taux : saisissez-la à la main."
    )


def _rate(row_rate: Decimal, category: str, rates: list[Decimal]) -> Decimal:
    if row_rate == 0 and category in ZERO_RATED:
        return Decimal(0)
    if row_rate not in rates:
        allowed = ", ".join(format_rate(r) for r in sorted(rates, reverse=True))
        raise _refuse(
            f"taux de TVA {format_rate(row_rate)} inconnu de votre entreprise "
            f"(taux possibles : {allowed})."
        )
    return row_rate


def _itemized(inv: ReceivedInvoice, rows: list[TaxRow], books: Books) -> bool:
    """Whether the file's own lines rebuild its VAT bases (no document-level allowance or
    charge, positive quantities and prices)."""
    if not inv.lines or inv.allowances or inv.charges:
        return False
    if any(x.quantity <= 0 or x.net_price < 0 or x.net_amount < 0 for x in inv.lines):
        return False
    for row in rows:
        mine = [x for x in inv.lines if (x.category, x.rate) == (row.category, row.rate)]
        if sum((x.net_amount for x in mine), Decimal(0)) != row.base:
            return False
    return True


def _item(x: ItemLine, rate: Decimal, books: Books) -> BillLineIn:
    price = x.net_price
    exact = price == price.quantize(PRICE_PLACES)
    if exact and line_net(x.quantity, price, Decimal(0), books.currency) == x.net_amount:
        return BillLineIn(
            description=x.description[:500], quantity=x.quantity, unit_price=price, vat_rate=rate
        )
    quantity, each = format(x.quantity.normalize(), "f"), format(price.normalize(), "f")
    text = f"{x.description} ({quantity} × {each})"
    return BillLineIn(
        description=text[:500], quantity=Decimal(1), unit_price=x.net_amount, vat_rate=rate
    )


def bill_lines(inv: ReceivedInvoice, books: Books, rates: list[Decimal]) -> list[BillLineIn]:
    rows = _rows(inv, rates, books.currency.quantum)
    mapped = {(r.category, r.rate): _rate(r.rate, r.category, rates) for r in rows}
    if _itemized(inv, rows, books):
        return [_item(x, mapped[(x.category, x.rate)], books) for x in inv.lines]
    lines = []
    for r in rows:
        if r.base < 0:
            raise _refuse("base de TVA négative : enregistrez plutôt un avoir.")
        label = f"Facture {inv.number} — base TVA {format(r.rate.normalize(), 'f')} %"
        lines.append(
            BillLineIn(description=label, unit_price=r.base, vat_rate=mapped[(r.category, r.rate)])
        )
    return lines


def _store(
    session: Session,
    principal: Principal,
    data: bytes,
    filename: str,
    inv: ReceivedInvoice,
    supplier: Partner,
) -> Document:
    """The original file, kept as a document attached to the supplier."""
    pdf = data.lstrip()[:5] == b"%PDF-"
    document = Document(
        tenant_id=principal.tenant_id,
        id=uuid7(),
        title=f"Facture {supplier.name} {inv.number}"[:200],
        filename=filename[:255],
        kind="pdf" if pdf else "text",
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        chunk_count=0,
        access_roles=list(READER_ROLES),
        attached_type="supplier",
        attached_id=supplier.id,
        uploaded_by=principal.user_id,
        version=1,
        meta={"einvoice": inv.syntax, "profile": inv.profile},
    )
    session.add(document)
    session.flush()
    session.add(DocumentBlob(tenant_id=principal.tenant_id, id=document.id, data=data))
    return document


def _check(books: Books, inv: ReceivedInvoice) -> None:
    if inv.currency.upper() != books.currency.value:
        raise _refuse(
            f"elle est en {inv.currency}, or les comptes de l'entreprise sont en "
            f"{books.currency.value} : saisissez-la à la main avec le montant converti."
        )
    check_totals(inv, books.currency.quantum)


def import_einvoice(
    session: Session,
    principal: Principal,
    clock: Clock,
    data: bytes,
    *,
    filename: str,
    document_id: UUID | None = None,
    reader: ScanReader | None = None,
) -> ImportedBill:
    """A draft bill from a received Factur-X PDF, CII or UBL file, or a French refusal with
    nothing written (the caller's transaction rolls back on any error). ``document_id``: the
    file is already a stored document (uploaded, received by WhatsApp): the bill points at
    it instead of storing a copy. A PDF without a structured invoice is an empty draft, or,
    with a ``reader`` (a language model), a draft proposed from its text
    (``scan_reading``)."""
    principal.require(*WRITERS)
    try:
        inv = read_einvoice(data)
    except NotStructured:
        scanned = _import_scan(session, principal, clock, data, filename, document_id)
        if reader is None:
            return scanned
        return _proposed(session, principal, clock, scanned, (data, reader))
    books = open_books(session, principal, clock)
    _check(books, inv)
    rates = [r.rate for r in active_rates(session, books.tenant.id)]
    lines = bill_lines(inv, books, rates)
    source = (data, filename, document_id)
    if inv.is_credit_note:
        return _import_credit_note(session, books, clock, inv, lines, source)
    return _import_bill(session, books, clock, inv, lines, source)


def _import_bill(
    session: Session,
    books: Books,
    clock: Clock,
    inv: ReceivedInvoice,
    lines: list[BillLineIn],
    source: tuple[bytes, str, UUID | None],
) -> ImportedBill:
    """The received invoice as a draft bill whose totals equal the file's."""
    principal = books.principal
    data, filename, document_id = source
    warnings = _buyer_warnings(books, inv.buyer)
    if any(r.category == "AE" for r in inv.tax_rows):
        warnings.append("Autoliquidation : la TVA de cet achat est à déclarer par vous.")
    supplier = _supplier(session, books, inv.seller, warnings)
    due = inv.due_date if inv.due_date and inv.due_date >= inv.issue_date else None
    bill = create_bill(
        session,
        principal,
        clock,
        BillCreate(
            supplier_id=supplier.id,
            supplier_number=inv.number,
            issue_date=inv.issue_date,
            due_date=due,
            lines=lines,
        ),
        source="einvoice",
        warnings=warnings,
    )
    totals = (bill.net_total, bill.tax_total, bill.gross_total)
    if totals != (inv.tax_basis, inv.tax_total, inv.grand_total):
        raise _refuse("ses totaux ne se retrouvent pas ligne à ligne : saisissez-la à la main.")
    bill.document_id = document_id or _store(session, principal, data, filename, inv, supplier).id
    session.flush()
    audit.record(
        session,
        principal,
        "supplier_bill.import",
        target_type="supplier_bill",
        target_id=bill.id,
        after={"syntax": inv.syntax, "profile": inv.profile, "number": inv.number},
    )
    return ImportedBill(bill=bill, supplier=supplier, invoice=inv, warnings=warnings)


def _proposed(
    session: Session,
    principal: Principal,
    clock: Clock,
    scanned: ImportedBill,
    read: tuple[bytes, ScanReader],
) -> ImportedBill:
    """The scanned draft filled from the reader's reading when it holds together; else
    the empty draft, its warnings saying why."""
    bill = scanned.bill
    said = scan_reading.propose(session, principal, clock, bill, *read)
    if said != [scan_reading.PROPOSED]:
        bill.warnings = [SCAN_WARNING, *said]
        session.flush()
        return replace(scanned, warnings=list(bill.warnings))
    supplier = session.get(Partner, (bill.tenant_id, bill.supplier_id))
    return replace(scanned, supplier=supplier, warnings=said)


SCAN_WARNING = (
    "Facture scannée (PDF sans facture structurée) : rien n'a été lu dans le fichier. "
    "Complétez le fournisseur, le numéro, les dates et les lignes avant de la comptabiliser."
)


def _store_scan(session: Session, principal: Principal, data: bytes, filename: str) -> UUID:
    """The scanned PDF, kept as a document (attached to nobody until the bill is completed)."""
    document = Document(
        tenant_id=principal.tenant_id,
        id=uuid7(),
        title=f"Facture fournisseur scannée ({filename})"[:200],
        filename=filename[:255],
        kind="pdf",
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        chunk_count=0,
        access_roles=list(READER_ROLES),
        uploaded_by=principal.user_id,
        version=1,
        meta={"scan": True},
    )
    session.add(document)
    session.flush()
    session.add(DocumentBlob(tenant_id=principal.tenant_id, id=document.id, data=data))
    return document.id


def _import_scan(
    session: Session,
    principal: Principal,
    clock: Clock,
    data: bytes,
    filename: str,
    document_id: UUID | None,
) -> ImportedBill:
    """A PDF without structured invoice: kept as a document, attached to an empty draft for
    the user to complete — nothing is read from it nor guessed (its dates are the day it
    came in until someone enters the invoice's own)."""
    books = open_books(session, principal, clock)
    document_id = document_id or _store_scan(session, principal, data, filename)
    bill = SupplierBill(
        tenant_id=books.tenant.id,
        id=uuid7(),
        kind="bill",
        status="draft",
        issue_date=books.today(),
        due_date=books.today(),
        currency=books.currency.value,
        source="scan",
        document_id=document_id,
        warnings=[SCAN_WARNING],
        created_by=principal.user_id,
    )
    session.add(bill)
    session.flush()
    audit.record(
        session,
        principal,
        "supplier_bill.import_scan",
        target_type="supplier_bill",
        target_id=bill.id,
        after={"document_id": str(document_id), "filename": filename},
    )
    return ImportedBill(bill=bill, supplier=None, invoice=None, warnings=[SCAN_WARNING])


def _credited_bill(session: Session, books: Books, inv: ReceivedInvoice) -> tuple[Partner, UUID]:
    """The supplier and the posted bill a received credit note corrects (BT-25), or a
    refusal: a credit note is only ever recorded against the bill it names."""
    supplier = _find_supplier(session, books, inv.seller)
    what = f"l'avoir n° {inv.number} de {inv.seller.name}"
    if supplier is None:
        raise _refuse(f"{what} vient d'un fournisseur inconnu : importez d'abord sa facture.")
    if not inv.preceding:
        raise _refuse(f"{what} ne dit pas quelle facture il corrige (BT-25).")
    wanted = inv.preceding.strip().upper()
    found = [
        b
        for b in repo.list_bills(session, books.tenant.id, supplier_id=supplier.id, limit=1000)
        if b.kind == "bill" and b.reference.upper() == wanted and b.status != "cancelled"
    ]
    if not found or found[0].status == "draft":
        state = "n'est pas comptabilisée" if found else "n'est pas enregistrée"
        raise _refuse(
            f"{what} porte sur la facture n° {inv.preceding}, qui {state} : "
            "comptabilisez d'abord la facture."
        )
    return supplier, found[0].id


def _import_credit_note(
    session: Session,
    books: Books,
    clock: Clock,
    inv: ReceivedInvoice,
    lines: list[BillLineIn],
    source: tuple[bytes, str, UUID | None],
) -> ImportedBill:
    """A received credit note recorded (and posted, as every supplier credit note is)
    against the bill it names, on that bill's supplier; addressed to another buyer, it is
    refused: a posted document is never a guess."""
    principal = books.principal
    if _buyer_warnings(books, inv.buyer):
        raise _refuse(f"l'avoir n° {inv.number} est adressé à un autre acheteur.")
    supplier, bill_id = _credited_bill(session, books, inv)
    data, filename, document_id = source
    stored = document_id or _store(session, principal, data, filename, inv, supplier).id
    note = record_credit_note(
        session,
        principal,
        clock,
        bill_id,
        CreditNoteIn(
            supplier_number=inv.number,
            issue_date=inv.issue_date,
            lines=lines,
            reason=f"Avoir reçu ({inv.syntax})",
        ),
        source="einvoice",
        document_id=stored,
    )
    if (note.net_total, note.tax_total, note.gross_total) != (
        inv.tax_basis,
        inv.tax_total,
        inv.grand_total,
    ):
        raise _refuse("ses totaux ne se retrouvent pas ligne à ligne : saisissez-le à la main.")
    audit.record(
        session,
        principal,
        "supplier_credit_note.import",
        target_type="supplier_bill",
        target_id=note.id,
        after={"syntax": inv.syntax, "number": inv.number, "credits": inv.preceding},
    )
    return ImportedBill(bill=note, supplier=supplier, invoice=inv, warnings=[])


def latest_document(
    session: Session, principal: Principal, name: str | None
) -> tuple[UUID, str, bytes] | None:
    """(id, file name, bytes) of the most recent PDF or XML document whose title or file
    name contains ``name`` (any, when ``name`` is None) — what « importe la facture que je
    viens d'envoyer » designates."""
    query = (
        select(Document.id, Document.filename, DocumentBlob.data)
        .join(
            DocumentBlob,
            (DocumentBlob.tenant_id == Document.tenant_id) & (DocumentBlob.id == Document.id),
        )
        .where(Document.tenant_id == principal.tenant_id, Document.kind.in_(("pdf", "text")))
        .order_by(Document.created_at.desc())
        .limit(1)
    )
    if name:
        pattern = f"%{name.strip()}%"
        query = query.where(Document.title.ilike(pattern) | Document.filename.ilike(pattern))
    row = session.execute(query).first()
    return (row[0], row[1], bytes(row[2])) if row else None
