"""Stock input and output shapes. Quantities and amounts travel as JSON strings ("12.5",
"1500.00"): exact, never a float. The services re-check everything (signs, decimals)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from domain.kit import inputs
from domain.kit.costs import Cost
from domain.kit.money import Currency
from domain.stock import repository as repo
from domain.stock.models import InventoryCount, InventoryCountLine, StockMove, Warehouse
from domain.stock.service import ExpiringLot, LevelRow, Valuation

# Quantities without trailing zeros ("2.5"); amounts in the currency's minor unit.
Quantity = Annotated[
    Decimal, PlainSerializer(lambda d: format(d.normalize(), "f"), return_type=str)
]
Amount = Annotated[Decimal, PlainSerializer(lambda d: format(d, "f"), return_type=str)]
MoveKind = Literal["in", "out", "transfer", "adjustment"]
ReservationOrigin = Literal["quote", "delivery", "manual"]


class _In(inputs.InputModel):
    model_config = ConfigDict(extra="forbid")


class WarehouseCreate(_In):
    code: str = Field(min_length=1, max_length=16, examples=["BOUT"])
    name: str = Field(min_length=1, max_length=100, examples=["Boutique du Plateau"])
    address: str | None = Field(default=None, max_length=500)


class WarehouseUpdate(_In):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    address: str | None = Field(default=None, max_length=500)
    is_active: bool | None = None


class SettingsUpdate(_In):
    allow_negative_stock: bool | None = None
    default_warehouse_id: UUID | None = None


class ReceiptIn(_In):
    """Goods in from a supplier. ``warehouse_id``: default warehouse when absent."""

    product_id: UUID
    quantity: inputs.Quantity = Field(examples=["12"])
    warehouse_id: UUID | None = None
    unit_cost: inputs.Amount | None = Field(default=None, examples=["12000"])
    lot_number: str | None = Field(default=None, max_length=64)
    expiry_date: date | None = None
    reference: str | None = Field(default=None, max_length=100, examples=["BL 4521"])


class IssueIn(_In):
    product_id: UUID
    quantity: inputs.Quantity
    reason: str = Field(min_length=1, max_length=200, examples=["Vente comptoir"])
    warehouse_id: UUID | None = None
    lot_id: UUID | None = None
    reference: str | None = Field(default=None, max_length=100)


class TransferIn(_In):
    product_id: UUID
    quantity: inputs.Quantity
    from_warehouse_id: UUID
    to_warehouse_id: UUID
    lot_id: UUID | None = None
    reference: str | None = Field(default=None, max_length=100)
    reason: str | None = Field(default=None, max_length=200)


class AdjustmentIn(_In):
    """Set the quantity on hand to what was counted (of one lot for lot-tracked goods)."""

    product_id: UUID
    counted_quantity: inputs.Quantity
    warehouse_id: UUID | None = None
    lot_number: str | None = Field(default=None, max_length=64)
    expiry_date: date | None = None
    reason: str | None = Field(default=None, max_length=200, examples=["Casse"])
    reference: str | None = Field(default=None, max_length=100)


class ReturnIn(_In):
    product_id: UUID
    quantity: inputs.Quantity
    reason: str = Field(min_length=1, max_length=200, examples=["Retour client"])
    warehouse_id: UUID | None = None
    lot_number: str | None = Field(default=None, max_length=64)
    reference: str | None = Field(default=None, max_length=100)
    credit_note_id: UUID | None = None


class ReservationIn(_In):
    product_id: UUID
    quantity: inputs.Quantity
    warehouse_id: UUID | None = None
    origin_type: ReservationOrigin = "manual"
    origin_id: UUID | None = None
    reference: str | None = Field(default=None, max_length=100)


class CountCreate(_In):
    warehouse_id: UUID | None = None
    product_ids: list[UUID] | None = None
    reference: str | None = Field(default=None, max_length=100, examples=["INV-2026-03"])


class CountLineIn(_In):
    product_id: UUID
    counted_quantity: inputs.Quantity
    lot_number: str | None = Field(default=None, max_length=64)


class WarehouseOut(BaseModel):
    id: UUID
    code: str
    name: str
    address: str | None
    is_active: bool
    is_default: bool

    @classmethod
    def of(cls, w: Warehouse, default_id: UUID | None) -> WarehouseOut:
        return cls(
            id=w.id,
            code=w.code,
            name=w.name,
            address=w.address,
            is_active=w.is_active,
            is_default=w.id == default_id,
        )


class SettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    allow_negative_stock: bool
    default_warehouse_id: UUID | None


class MoveOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    product_id: UUID
    lot_id: UUID | None
    quantity: Quantity
    kind: MoveKind
    from_location_id: UUID
    to_location_id: UUID
    unit_cost: Cost[Quantity]
    reference: str | None
    reason: str | None
    origin_type: str | None
    origin_id: UUID | None
    moved_at: datetime

    @classmethod
    def of(cls, move: StockMove) -> MoveOut:
        return cls.model_validate(move)


class LevelOut(BaseModel):
    product_id: UUID
    warehouse_id: UUID | None
    on_hand: Quantity
    reserved: Quantity
    available: Quantity

    @classmethod
    def of(cls, row: LevelRow) -> LevelOut:
        return cls(
            product_id=row.product_id,
            warehouse_id=row.warehouse_id,
            on_hand=row.on_hand,
            reserved=row.reserved,
            available=row.available,
        )


class DifferenceOut(BaseModel):
    product_id: UUID
    location_id: UUID
    lot_id: UUID | None
    stored_on_hand: Quantity
    computed_on_hand: Quantity
    stored_reserved: Quantity
    computed_reserved: Quantity

    @classmethod
    def of(cls, d: repo.LevelDifference) -> DifferenceOut:
        return cls.model_validate(d, from_attributes=True)


class ReservationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    product_id: UUID
    warehouse_id: UUID
    quantity: Quantity
    origin_type: str | None
    origin_id: UUID | None
    reference: str | None
    released_at: datetime | None


class ExpiringLotOut(BaseModel):
    lot_id: UUID
    number: str
    product_id: UUID
    product_name: str
    warehouse_id: UUID
    expiry_date: date
    days_left: int
    on_hand: Quantity

    @classmethod
    def of(cls, lot: ExpiringLot) -> ExpiringLotOut:
        return cls.model_validate(lot, from_attributes=True)


class ValuationLineOut(BaseModel):
    product_id: UUID
    sku: str | None
    name: str
    unit: str
    quantity: Quantity
    average_cost: Cost[Quantity]
    value: Cost[Amount]


class ValuationOut(BaseModel):
    currency: str
    warehouse_id: UUID | None
    lines: list[ValuationLineOut]
    total: Cost[Amount]

    @classmethod
    def of(cls, v: Valuation) -> ValuationOut:
        quantum = Currency(v.currency).quantum
        lines = [
            ValuationLineOut(
                product_id=x.product_id,
                sku=x.sku,
                name=x.name,
                unit=x.unit,
                quantity=x.quantity,
                average_cost=x.average_cost,
                value=x.value.quantize(quantum),
            )
            for x in v.lines
        ]
        return cls(
            currency=v.currency.value,
            warehouse_id=v.warehouse_id,
            lines=lines,
            total=v.total.quantize(quantum),
        )


class CountLineOut(BaseModel):
    product_id: UUID
    lot_id: UUID | None
    expected_quantity: Quantity
    counted_quantity: Quantity | None


class CountOut(BaseModel):
    id: UUID
    warehouse_id: UUID
    status: Literal["draft", "validated", "cancelled"]
    reference: str | None
    started_at: datetime
    validated_at: datetime | None
    lines: list[CountLineOut]

    @classmethod
    def of(cls, count: InventoryCount, lines: list[InventoryCountLine]) -> CountOut:
        return cls.model_validate(
            {
                "id": count.id,
                "warehouse_id": count.warehouse_id,
                "status": count.status,
                "reference": count.reference,
                "started_at": count.started_at,
                "validated_at": count.validated_at,
                "lines": [
                    CountLineOut(
                        product_id=x.product_id,
                        lot_id=x.lot_id,
                        expected_quantity=x.expected_quantity,
                        counted_quantity=x.counted_quantity,
                    )
                    for x in lines
                ],
            }
        )
