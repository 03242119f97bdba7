"""A draft proposed from a scanned bill's text, when a reader (a language model) is given.

A PDF without a structured invoice is stored and attached to an empty draft
(``importing._import_scan``). When the business has a model configured, the PDF's text is
read by it and its proposal fills the draft — supplier found among the business's
suppliers, the supplier's number, dates, lines — **only when the proposal holds together**:
its lines, priced by the same rules as any bill, give the totals it states. Whatever does
not hold is said in a warning and left for the person to enter. The bill stays a draft: a
person checks it and posts it; nothing read by a model is ever posted on its own.
"""

from __future__ import annotations

import io
import logging
from datetime import date
from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session

from domain.finance.payables import bills
from domain.finance.payables.models import SupplierBill
from domain.finance.payables.schemas import BillCreate, BillLineIn
from domain.kit.clock import Clock
from domain.kit.errors import DomainError
from domain.kit.principal import Principal
from domain.sales import service as sales

log = logging.getLogger(__name__)

MAX_TEXT = 12_000  # characters of the PDF's text a reader is given
PROPOSED = (
    "Brouillon proposé par le modèle de langage à partir du texte du PDF : vérifiez le "
    "fournisseur, le numéro, les dates et chaque ligne avant de la comptabiliser."
)


class ReadLine(BaseModel):
    description: str = Field(min_length=1, max_length=500)
    quantity: Decimal = Field(gt=0)
    unit_price: Decimal = Field(ge=0, description="Prix unitaire hors taxe")
    vat_rate: Decimal = Field(ge=0, le=100)


class BillReading(BaseModel):
    """What a reader proposes for a scanned bill (amounts excluding tax per line)."""

    supplier_name: str = Field(min_length=1, max_length=200)
    supplier_number: str = Field(min_length=1, max_length=60)
    issue_date: date
    due_date: date | None = None
    lines: list[ReadLine] = Field(min_length=1, max_length=200)
    total_excl_tax: Decimal
    total: Decimal


class ScanReader(Protocol):
    def read(self, text: str) -> BillReading | None:
        """The bill the text describes, or None when it does not read as one."""
        ...


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF (empty for an image-only scan), at most ``MAX_TEXT``."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() or "" for page in reader.pages[:5])
    except (PyPdfError, ValueError, OSError):
        return ""
    return text.strip()[:MAX_TEXT]


def propose(
    session: Session,
    principal: Principal,
    clock: Clock,
    bill: SupplierBill,
    data: bytes,
    reader: ScanReader,
) -> list[str]:
    """Fill the scanned draft ``bill`` from ``reader``'s reading of the PDF ``data`` when
    it holds together; the warnings to show either way (the bill's own are updated)."""
    text = pdf_text(data)
    if not text:
        return ["Le PDF ne contient pas de texte lisible (une image) : rien n'a été proposé."]
    try:
        reading = reader.read(text)
    except (DomainError, ValidationError) as exc:  # model down, or an answer out of shape
        log.warning("scan reading failed: %s", exc)
        return ["Le modèle de langage n'a pas pu lire ce PDF : rien n'a été proposé."]
    if reading is None:
        return ["Le modèle de langage n'a pas reconnu de facture dans ce PDF."]
    return _fill(session, principal, clock, bill, reading)


def _fill(
    session: Session, principal: Principal, clock: Clock, bill: SupplierBill, reading: BillReading
) -> list[str]:
    try:
        supplier = sales.resolve_supplier(session, principal, reading.supplier_name)
    except DomainError:
        return [
            f"Fournisseur lu : « {reading.supplier_name} », introuvable parmi vos fournisseurs "
            "(ou plusieurs possibles) : rien n'a été proposé."
        ]
    lines = [
        BillLineIn(
            description=x.description,
            quantity=x.quantity,
            unit_price=x.unit_price,
            vat_rate=x.vat_rate,
        )
        for x in reading.lines
    ]
    data = BillCreate(
        supplier_id=supplier.id,
        supplier_number=reading.supplier_number,
        issue_date=reading.issue_date,
        due_date=reading.due_date,
        lines=lines,
    )
    try:
        with session.begin_nested():
            filled = bills.complete_bill(session, principal, clock, bill.id, data)
            if (filled.net_total, filled.gross_total) != (reading.total_excl_tax, reading.total):
                raise _Inconsistent(filled.net_total, filled.gross_total)
    except _Inconsistent as exc:
        return [
            f"Le modèle a lu des lignes dont les totaux ({exc.net} HT, {exc.gross} TTC) ne "
            f"donnent pas ceux de la facture ({reading.total_excl_tax} HT, {reading.total} "
            "TTC) : rien n'a été proposé."
        ]
    except DomainError as exc:
        return [f"Proposition du modèle refusée : {exc.message} Rien n'a été proposé."]
    bill.warnings = [PROPOSED]
    session.flush()
    return [PROPOSED]


class _Inconsistent(Exception):
    def __init__(self, net: Decimal, gross: Decimal) -> None:
        super().__init__(f"{net} / {gross}")
        self.net, self.gross = net, gross
