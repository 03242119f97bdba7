"""Finance input and output shapes, validated before anything is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from domain.kit import inputs
from domain.kit.errors import InvalidInput
from domain.kit.money import Currency

# Money and quantities travel as JSON strings ("1234.50"): exact, never a float. Amounts
# are shown with their currency's minor unit (see ``InCurrency``); quantities, prices and
# rates without trailing zeros ("2.5", "12.125").
Amount = Annotated[Decimal, PlainSerializer(lambda d: format(d, "f"), return_type=str)]
Number = Annotated[Decimal, PlainSerializer(lambda d: format(d.normalize(), "f"), return_type=str)]


class InCurrency(BaseModel):
    """An output whose ``Amount`` fields are brought to its currency's minor unit."""

    currency: str

    @model_validator(mode="after")
    def _to_minor_unit(self) -> InCurrency:
        quantum = Currency(self.currency).quantum
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            if isinstance(value, Decimal) and info.metadata and name != "currency":
                setattr(self, name, value.quantize(quantum))
        return self


PaymentMethod = Literal["cash", "bank_transfer", "card", "cheque", "wave", "orange_money"]
Frequency = Literal["monthly", "quarterly", "yearly"]
QuoteStatus = Literal["draft", "sent", "accepted", "refused", "expired"]
InvoiceStatus = Literal["draft", "posted", "partially_paid", "paid", "cancelled"]

PAYMENT_METHOD_LABELS = {
    "cash": "Espèces",
    "bank_transfer": "Virement bancaire",
    "card": "Carte bancaire",
    "cheque": "Chèque",
    "wave": "Wave",
    "orange_money": "Orange Money",
}


class LineIn(inputs.InputModel):
    """A product line (its name, unit, price and VAT come from the catalog unless given) or
    a free-text line (description, unit price and VAT rate required)."""

    product_id: UUID | None = None
    description: str | None = Field(default=None, max_length=500)
    quantity: inputs.Quantity
    unit: str | None = None
    unit_price: inputs.Amount | None = None
    discount_percent: inputs.Rate = Decimal(0)
    vat_rate: inputs.Rate | None = None

    @field_validator("quantity")
    @classmethod
    def _positive_quantity(cls, value: Decimal) -> Decimal:
        if not value.is_finite() or value <= 0:
            raise InvalidInput("La quantité doit être strictement positive.", field="quantity")
        return value

    @field_validator("unit_price")
    @classmethod
    def _price(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and (not value.is_finite() or value < 0):
            raise InvalidInput("Le prix unitaire ne peut pas être négatif.", field="unit_price")
        return value

    @field_validator("discount_percent")
    @classmethod
    def _discount(cls, value: Decimal) -> Decimal:
        if not value.is_finite() or not 0 <= value <= 100:
            raise InvalidInput(
                "La remise est un pourcentage entre 0 et 100.", field="discount_percent"
            )
        return value


class DocumentIn(inputs.InputModel):
    partner_id: UUID
    lines: list[LineIn] = Field(default_factory=list, max_length=500)
    currency: str | None = None  # must be the tenant's when given
    notes: str | None = Field(default=None, max_length=2000)


class DeliveryAddressIn(inputs.InputModel):
    """Where the goods go, when it is not the customer's own address (a French mention)."""

    line1: str = Field(min_length=1, max_length=200)
    postcode: str = Field(min_length=1, max_length=16)
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(default="FR", pattern=r"^[A-Z]{2}$")


OperationCategory = Literal["goods", "services", "mixed"]


class InvoiceCreate(DocumentIn):
    kind: Literal["invoice", "deposit"] = "invoice"
    payment_terms_days: int | None = Field(default=None, ge=0, le=365)
    buyer_reference: str | None = Field(default=None, max_length=100)
    deduct_deposits: list[UUID] = Field(default_factory=list)
    # The category of the operation (a French mention); derived from the lines when None.
    operation_category: OperationCategory | None = None
    delivery_address: DeliveryAddressIn | None = None


class InvoiceUpdate(inputs.InputModel):
    lines: list[LineIn] | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=365)
    notes: str | None = Field(default=None, max_length=2000)
    buyer_reference: str | None = Field(default=None, max_length=100)


class QuoteCreate(DocumentIn):
    valid_days: int | None = Field(default=None, ge=1, le=365)


class DepositRequest(inputs.InputModel):
    percent: inputs.Rate = Field(gt=0, le=100)


class AllocationIn(inputs.InputModel):
    invoice_id: UUID
    amount: inputs.Amount


class PaymentCreate(inputs.InputModel):
    """Money received. Without allocations it settles the named invoice, or the partner's
    oldest open invoices first; anything left is kept as the customer's credit."""

    partner_id: UUID | None = None
    invoice_id: UUID | None = None
    amount: inputs.Amount
    currency: str | None = None
    method: PaymentMethod
    received_on: date | None = None
    reference: str | None = Field(default=None, max_length=100)
    allocations: list[AllocationIn] | None = None

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if not value.is_finite() or value <= 0:
            raise InvalidInput("Le montant du paiement doit être positif.", field="amount")
        return value


class CreditLineIn(inputs.InputModel):
    line_id: UUID
    quantity: inputs.Quantity

    @field_validator("quantity")
    @classmethod
    def _positive_quantity(cls, value: Decimal) -> Decimal:
        if not value.is_finite() or value <= 0:
            raise InvalidInput("La quantité doit être strictement positive.", field="quantity")
        return value


class CreditNoteCreate(inputs.InputModel):
    """All of a posted invoice (no ``lines``) or some of its lines and quantities."""

    reason: str = Field(min_length=3, max_length=300)
    lines: list[CreditLineIn] | None = None


class RecurringCreate(DocumentIn):
    label: str = Field(min_length=2, max_length=200)
    frequency: Frequency
    start_date: date
    end_date: date | None = None
    auto_post: bool = False


class LineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    position: int
    product_id: UUID | None
    description: str
    quantity: Number
    unit: str
    unit_price: Number
    discount_percent: Number
    vat_rate: Number
    net_amount: Number


class InvoiceOut(InCurrency):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    kind: str
    number: str | None
    status: str
    partner_id: UUID
    issue_date: date
    due_date: date | None
    currency: str
    net_total: Amount
    tax_total: Amount
    gross_total: Amount
    amount_settled: Amount
    balance: Amount
    is_overdue: bool
    credited_invoice_id: UUID | None
    quote_id: UUID | None
    lines: list[LineOut] = Field(default_factory=list)


class QuoteOut(InCurrency):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    number: str
    version: int
    is_current: bool
    status: str
    partner_id: UUID
    issue_date: date
    valid_until: date
    currency: str
    net_total: Amount
    tax_total: Amount
    gross_total: Amount
    invoice_id: UUID | None
    lines: list[LineOut] = Field(default_factory=list)


class PaymentOut(InCurrency):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    number: str
    partner_id: UUID
    received_on: date
    amount: Amount
    currency: str
    method: str
    reference: str | None
    amount_allocated: Amount
    unallocated: Amount
