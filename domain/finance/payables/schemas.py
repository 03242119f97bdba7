"""Payables input and output shapes, validated before anything is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field, field_validator

from domain.finance.schemas import Amount, InCurrency, Number
from domain.kit import inputs
from domain.kit.errors import InvalidInput

SupplierPaymentMethod = Literal["bank_transfer", "cheque", "cash", "card", "wave", "orange_money"]
BillStatus = Literal["draft", "posted", "partially_paid", "paid", "cancelled"]

SUPPLIER_PAYMENT_LABELS = {
    "bank_transfer": "Virement",
    "cheque": "Chèque",
    "cash": "Espèces",
    "card": "Carte bancaire",
    "wave": "Wave",
    "orange_money": "Orange Money",
}
BILL_STATUS_LABELS = {
    "draft": "en brouillon",
    "posted": "comptabilisée",
    "partially_paid": "partiellement payée",
    "paid": "payée",
    "cancelled": "annulée",
}


class BillLineIn(inputs.InputModel):
    """A line of a supplier bill. A product line takes its name, purchase price and VAT from
    the catalog unless given; ``order_line_id`` ties it to a purchase order line (three-way
    match); ``account`` is the expense (6x) or fixed-asset (2x) account, chosen from the
    product's kind when absent."""

    product_id: UUID | None = None
    order_line_id: UUID | None = None
    description: str | None = Field(default=None, max_length=500)
    quantity: inputs.Quantity = Decimal(1)
    unit_price: inputs.Amount | None = None
    vat_rate: inputs.Rate | None = None
    account: str | None = Field(default=None, max_length=12, pattern=r"^[0-9]{2,12}$")

    @field_validator("quantity")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if not value.is_finite() or value <= 0:
            raise InvalidInput("La quantité doit être strictement positive.", field="quantity")
        return value

    @field_validator("unit_price")
    @classmethod
    def _price(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value < 0:
            raise InvalidInput("Le prix unitaire ne peut pas être négatif.", field="unit_price")
        return value


class BillCreate(inputs.InputModel):
    """A supplier bill as received. Without lines but with a purchase order, the lines are
    what was received and not billed yet, at the order's prices."""

    supplier_id: UUID
    supplier_number: str = Field(min_length=1, max_length=60)
    issue_date: date | None = None
    due_date: date | None = None
    currency: str | None = None
    purchase_order_id: UUID | None = None
    lines: list[BillLineIn] = Field(default_factory=list, max_length=500)
    notes: str | None = Field(default=None, max_length=2000)


class CreditNoteIn(inputs.InputModel):
    """A supplier credit note against a posted bill: the given lines, or the whole bill."""

    supplier_number: str = Field(min_length=1, max_length=60)
    issue_date: date | None = None
    lines: list[BillLineIn] = Field(default_factory=list, max_length=500)
    reason: str | None = Field(default=None, max_length=300)


class PostBillIn(inputs.InputModel):
    accept_differences: bool = False


class SupplierAllocationIn(inputs.InputModel):
    bill_id: UUID
    amount: inputs.Amount


class SupplierPaymentCreate(inputs.InputModel):
    """Money paid to a supplier. Without allocations it settles the named bill, or the
    supplier's oldest open bills first; anything left is an advance to the supplier."""

    supplier_id: UUID | None = None
    bill_id: UUID | None = None
    amount: inputs.Amount
    currency: str | None = None
    method: SupplierPaymentMethod
    paid_on: date | None = None
    reference: str | None = Field(default=None, max_length=100)
    allocations: list[SupplierAllocationIn] | None = None


class BillLineOut(BaseModel):
    position: int
    product_id: UUID | None
    order_line_id: UUID | None
    description: str
    quantity: Number
    unit_price: Number
    vat_rate: Number
    net_amount: Amount
    account: str


class BillOut(InCurrency):
    id: UUID
    kind: str
    status: BillStatus
    number: str | None
    supplier_id: UUID | None  # None on a scanned draft not completed yet
    supplier: str
    supplier_number: str | None
    issue_date: date
    due_date: date
    total_excl_tax: Amount
    tax: Amount
    total: Amount
    amount_settled: Amount
    balance: Amount
    purchase_order_id: UUID | None
    credited_bill_id: UUID | None
    document_id: UUID | None
    source: str
    warnings: list[str]
    lines: list[BillLineOut]


class SupplierPaymentOut(InCurrency):
    id: UUID
    number: str
    supplier_id: UUID
    supplier: str
    paid_on: date
    amount: Amount
    amount_allocated: Amount
    method: SupplierPaymentMethod
    reference: str | None


class MatchLineOut(BaseModel):
    description: str
    ordered: Number
    received: Number
    billed_before: Number
    billed: Number
    order_price: Number
    bill_price: Number
    differences: list[str]


class MatchOut(BaseModel):
    purchase_order_id: UUID | None
    order_number: str | None
    matches: bool
    lines: list[MatchLineOut]
    differences: list[str]


class AgedSupplierOut(InCurrency):
    supplier_id: UUID
    supplier: str
    not_due: Amount
    days_1_30: Amount
    days_31_60: Amount
    days_61_90: Amount
    over_90: Amount
    total: Amount


class AgedPayablesOut(InCurrency):
    as_of: date
    suppliers: list[AgedSupplierOut]
    total: Amount


class SupplierBalanceOut(InCurrency):
    supplier_id: UUID
    supplier: str
    open_bills: Amount
    advances: Amount
    credit_notes: Amount
    balance: Amount
    ledger_balance: Amount
    overdue: Amount
    next_due_date: date | None


class VatSourceOut(BaseModel):
    document: str
    entry: str | None
    base: Amount
    tax: Amount


class VatBoxOut(BaseModel):
    code: str
    label: str
    base: Amount | None
    tax: Amount
    sources: list[VatSourceOut]


class VatReturnOut(InCurrency):
    country: str
    form: str
    start: date
    end: date
    boxes: list[VatBoxOut]
    collected: Amount
    deductible: Amount
    due: Amount
    ledger_collected: Amount
    ledger_deductible: Amount
    differences: list[str]
