"""What a printed invoice, credit note or quote says: a snapshot built by the finance
services from the database, rendered to PDF and to Factur-X CII XML without any query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.kit.money import Currency


class DocumentKind(StrEnum):
    INVOICE = "invoice"  # UNTDID 1001 code 380
    DEPOSIT_INVOICE = "deposit_invoice"  # 386 (prepayment invoice)
    CREDIT_NOTE = "credit_note"  # 381
    QUOTE = "quote"  # not an invoice: PDF only, no Factur-X


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    postcode: str
    city: str
    country: str  # ISO 3166-1 alpha-2: "FR", "SN"
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    address: Address
    siren: str | None = None  # FR legal registration (9 digits)
    siret: str | None = None  # FR establishment (14 digits)
    vat_number: str | None = None  # "FR" + 11 chars
    ninea: str | None = None  # SN tax id
    email: str | None = None
    phone: str | None = None  # E.164
    legal_form: str | None = None  # "SARL", "SAS"… (seller only)
    share_capital: str | None = None  # "10 000 €" (seller only, FR mention)
    registry: str | None = None  # "RCS Paris" / "RCCM SN-DKR-2020-B-1234"


@dataclass(frozen=True, slots=True)
class Line:
    position: int
    description: str
    quantity: Decimal
    unit: str  # UN/ECE Rec 20 code: "C62" (unit), "HUR" (hour), "KGM", "DAY", "XBG" (bag)…
    unit_price: Decimal  # net of VAT, before discount
    discount_percent: Decimal  # 0–100
    net_amount: Decimal  # quantity × unit_price × (1 − discount), rounded to the currency
    vat_rate: Decimal  # 20, 5.5, 18, 0…
    vat_category: str  # UNTDID 5305: "S" standard/reduced, "E" exempt, "Z" zero…
    sku: str | None = None
    unit_name: str | None = None  # the French label the line was counted in (« bidon »)


@dataclass(frozen=True, slots=True)
class VatBreakdown:
    rate: Decimal
    category: str
    base: Decimal  # sum of the lines' net amounts at this rate
    tax: Decimal  # base × rate, rounded once per rate
    exemption_reason: str | None = None  # required for category "E"


@dataclass(frozen=True, slots=True)
class Totals:
    net: Decimal  # sum of line net amounts (BT-106 = BT-109 with no document allowances)
    tax: Decimal  # sum of breakdown taxes (BT-110)
    gross: Decimal  # net + tax (BT-112)
    paid: Decimal = Decimal(0)  # prepaid amount (BT-113)
    due: Decimal = Decimal(0)  # gross − paid (BT-115)


@dataclass(frozen=True, slots=True)
class PrintableDocument:
    kind: DocumentKind
    number: str  # "F-2026-00042"; a draft quote may carry "BROUILLON"
    issue_date: date
    currency: Currency
    seller: Party
    buyer: Party
    lines: list[Line]
    vat: list[VatBreakdown]
    totals: Totals
    country: str  # seller's country: "FR" gets French mentions, "SN" the amount in words
    due_date: date | None = None  # invoices
    valid_until: date | None = None  # quotes
    payment_terms: str | None = None  # "Paiement à 30 jours"
    payment_means: str | None = None  # "Virement", with IBAN if known
    iban: str | None = None
    legal_mentions: list[str] = field(default_factory=list)  # printed at the foot
    notes: list[str] = field(default_factory=list)
    preceding_invoice: str | None = None  # credit note → the invoice it reverses (BT-25)
    preceding_invoice_date: date | None = None
    buyer_reference: str | None = None  # BT-10
    version: int | None = None  # quotes
    # BT-23, French e-invoicing billing mode: B1 goods, S1 services, M1 mixed (BR-FR-08).
    business_process: str | None = None
    # BG-15: where the goods are delivered, only when it is not the buyer's address.
    delivery: Address | None = None
    # France: VAT paid on debits (BT-8 code 5), the option the business chose.
    vat_on_debits: bool = False
