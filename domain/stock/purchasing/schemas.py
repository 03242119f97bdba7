"""Purchasing input and output shapes, validated before anything is written."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.finance.schemas import Amount, InCurrency, Number
from domain.kit import inputs
from domain.kit.costs import Cost
from domain.kit.errors import InvalidInput
from domain.stock.purchasing.errors import InvalidReorderRule

PurchaseOrderStatus = Literal["draft", "sent", "partially_received", "received", "cancelled"]
QUANTITY_PLACES = Decimal("0.0001")


def _positive(value: Decimal, field: str, label: str) -> Decimal:
    if not value.is_finite() or value <= 0:
        raise InvalidInput(f"{label} doit être strictement positive.", field=field)
    if value != value.quantize(QUANTITY_PLACES):
        raise InvalidInput(f"{label} : 4 décimales au plus.", field=field)
    return value


def _price(value: Decimal | None) -> Decimal | None:
    if value is not None and (not value.is_finite() or value < 0):
        raise InvalidInput("Le prix d'achat ne peut pas être négatif.", field="price")
    if value is not None and value != value.quantize(QUANTITY_PLACES):
        raise InvalidInput("Prix d'achat trop précis (4 décimales au plus).", field="price")
    return value


class SupplierTermsIn(inputs.InputModel):
    """What a supplier asks for a product. ``price`` excl. VAT (default: purchase price)."""

    supplier_id: UUID
    supplier_sku: str | None = Field(default=None, max_length=64)
    price: inputs.Amount | None = Field(default=None, examples=["12000", "4.35"])
    lead_time_days: int | None = Field(default=None, ge=0, le=365)
    min_order_quantity: inputs.Quantity = Field(default=Decimal(1), examples=["1", "10"])
    is_preferred: bool = False

    _price = field_validator("price")(_price)

    @field_validator("min_order_quantity")
    @classmethod
    def _moq(cls, value: Decimal) -> Decimal:
        return _positive(value, "min_order_quantity", "La quantité minimale de commande")


class ReorderRuleIn(inputs.InputModel):
    """Keep ``product_id`` between min and max in a warehouse (default: the main one)."""

    product_id: UUID
    warehouse_id: UUID | None = None
    min_quantity: inputs.Quantity = Field(examples=["20"])
    max_quantity: inputs.Quantity = Field(examples=["100"])

    @model_validator(mode="after")
    def _bounds(self) -> ReorderRuleIn:
        low, high = self.min_quantity, self.max_quantity
        if not (low.is_finite() and high.is_finite()) or low < 0:
            raise InvalidReorderRule(
                "Le stock minimum doit être positif ou nul.", field="min_quantity"
            )
        if high < low:
            raise InvalidReorderRule(
                "Le stock maximum doit être supérieur ou égal au minimum.", field="max_quantity"
            )
        return self


class PurchaseLineIn(inputs.InputModel):
    """A product to order; price from the supplier's terms, else the purchase price."""

    product_id: UUID
    quantity: inputs.Quantity = Field(examples=["50"])
    unit_price: inputs.Amount | None = Field(default=None, examples=["12000"])
    vat_rate: inputs.Rate | None = Field(default=None, examples=["18", "20"])
    description: str | None = Field(default=None, max_length=500)

    _price = field_validator("unit_price")(_price)

    @field_validator("quantity")
    @classmethod
    def _quantity(cls, value: Decimal) -> Decimal:
        return _positive(value, "quantity", "La quantité")


class PurchaseOrderCreate(inputs.InputModel):
    supplier_id: UUID
    warehouse_id: UUID | None = None  # default: the tenant's default warehouse
    lines: list[PurchaseLineIn] = Field(min_length=1, max_length=500)
    expected_date: date | None = None  # default when sent: today + lead time
    notes: str | None = Field(default=None, max_length=2000)
    currency: str | None = None  # must be the tenant's when given


class ReceiptLineIn(inputs.InputModel):
    """What arrived for one order line (by ``line_id``, or by ``product_id``)."""

    line_id: UUID | None = None
    product_id: UUID | None = None
    quantity: inputs.Quantity
    lot_number: str | None = Field(default=None, max_length=64)
    expiry_date: date | None = None

    @field_validator("quantity")
    @classmethod
    def _quantity(cls, value: Decimal) -> Decimal:
        return _positive(value, "quantity", "La quantité reçue")

    @model_validator(mode="after")
    def _target(self) -> ReceiptLineIn:
        if self.line_id is None and self.product_id is None:
            raise InvalidInput("Indiquez la ligne ou le produit reçu.", field="line_id")
        return self


class ReceiptCreate(inputs.InputModel):
    """A delivery. No ``lines``: everything still to receive arrived."""

    lines: list[ReceiptLineIn] = Field(default_factory=list, max_length=500)
    reference: str | None = Field(default=None, max_length=100, examples=["BL-4411"])


# Outputs --------------------------------------------------------------------------------


class SupplierTermsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    product_id: UUID
    supplier_id: UUID
    supplier_sku: str | None
    price: Cost[Number]
    lead_time_days: int | None
    min_order_quantity: Number
    is_preferred: bool


class ReorderRuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    product_id: UUID
    warehouse_id: UUID
    min_quantity: Number
    max_quantity: Number


class PurchaseLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    position: int
    product_id: UUID
    description: str
    quantity: Number
    unit: str
    unit_price: Cost[Number]
    vat_rate: Number
    net_amount: Cost[Number]
    received_quantity: Number
    remaining_quantity: Number


class PurchaseOrderOut(InCurrency):
    id: UUID
    number: str
    supplier_id: UUID
    supplier_name: str
    warehouse_id: UUID
    status: PurchaseOrderStatus
    order_date: date
    expected_date: date | None
    net_total: Cost[Amount]
    tax_total: Cost[Amount]
    gross_total: Cost[Amount]
    notes: str | None
    lines: list[PurchaseLineOut] = Field(default_factory=list)


class ReceiptLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    order_line_id: UUID
    product_id: UUID
    quantity: Number
    lot_number: str | None
    expiry_date: date | None


class ReceiptOut(BaseModel):
    id: UUID
    order_id: UUID
    order_number: str
    order_status: PurchaseOrderStatus
    received_at: datetime
    reference: str | None
    warnings: list[str]
    lines: list[ReceiptLineOut]


class PositionOut(BaseModel):
    """A product in a warehouse against its reorder rule."""

    product_id: UUID
    product_name: str
    sku: str | None
    unit: str
    warehouse_id: UUID
    warehouse_code: str
    warehouse_name: str
    min_quantity: Number
    max_quantity: Number
    available: Number
    incoming: Number


class SuggestionLineOut(PositionOut):
    quantity: Number
    unit_price: Cost[Number]
    min_order_quantity: Number
    lead_time_days: int
    daily_sales: Number
    stockout_date: date | None
    order_by: date
    expected_date: date


class SupplierSuggestionOut(InCurrency):
    supplier_id: UUID | None
    supplier_name: str | None
    lead_time_days: int
    order_by: date
    expected_date: date
    estimated_total: Cost[Amount]
    lines: list[SuggestionLineOut]


class ForecastOut(BaseModel):
    product_id: UUID
    product_name: str
    sku: str | None
    unit: str
    available: Number
    sold: Number
    daily_average: Number
    days_of_cover: Number | None
    stockout_date: date | None


class CancelRequest(inputs.InputModel):
    reason: str | None = Field(default=None, max_length=300)
