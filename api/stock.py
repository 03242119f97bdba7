"""REST routes for stock: warehouses, levels, receipts, issues, transfers, adjustments,
returns, reservations, moves, lots, valuation, inventory counts. Routes only: the stock
services check roles and validate; one unit of work per request."""

from __future__ import annotations

from enum import Enum
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from api.costs import CostGuardedRoute
from api.deps import ContainerDep, PrincipalDep
from domain.kit import inputs
from domain.stock import service as stock
from domain.stock.schemas import (
    AdjustmentIn,
    CountCreate,
    CountLineIn,
    CountOut,
    DifferenceOut,
    ExpiringLotOut,
    IssueIn,
    LevelOut,
    MoveKind,
    MoveOut,
    ReceiptIn,
    ReservationIn,
    ReservationOut,
    ReturnIn,
    SettingsOut,
    SettingsUpdate,
    TransferIn,
    ValuationOut,
    WarehouseCreate,
    WarehouseOut,
    WarehouseUpdate,
)

router = APIRouter(prefix="/api/v1", route_class=CostGuardedRoute)
TAGS: list[str | Enum] = ["stock"]
CREATED = status.HTTP_201_CREATED


# Warehouses and settings ----------------------------------------------------------------


@router.get("/stock/warehouses", response_model=list[WarehouseOut], tags=TAGS, summary="Dépôts")
def list_warehouses(
    c: ContainerDep, principal: PrincipalDep, include_archived: bool = False
) -> list[WarehouseOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        default = stock.get_settings(session, principal).default_warehouse_id
        found = stock.list_warehouses(session, principal, active=None if include_archived else True)
        return [WarehouseOut.of(w, default) for w in found]


@router.post("/stock/warehouses", response_model=WarehouseOut, status_code=CREATED, tags=TAGS)
def create_warehouse(
    body: WarehouseCreate, c: ContainerDep, principal: PrincipalDep
) -> WarehouseOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        warehouse = stock.create_warehouse(session, principal, **body.model_dump())
        return WarehouseOut.of(
            warehouse, stock.get_settings(session, principal).default_warehouse_id
        )


@router.patch("/stock/warehouses/{warehouse_id}", response_model=WarehouseOut, tags=TAGS)
def update_warehouse(
    warehouse_id: UUID, body: WarehouseUpdate, c: ContainerDep, principal: PrincipalDep
) -> WarehouseOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        warehouse = stock.update_warehouse(
            session, principal, warehouse_id, **body.model_dump(exclude_unset=True)
        )
        return WarehouseOut.of(
            warehouse, stock.get_settings(session, principal).default_warehouse_id
        )


@router.get("/stock/settings", response_model=SettingsOut, tags=TAGS)
def get_settings(c: ContainerDep, principal: PrincipalDep) -> SettingsOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return SettingsOut.model_validate(stock.get_settings(session, principal))


@router.patch("/stock/settings", response_model=SettingsOut, tags=TAGS)
def update_settings(body: SettingsUpdate, c: ContainerDep, principal: PrincipalDep) -> SettingsOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        settings = stock.update_settings(session, principal, **body.model_dump(exclude_unset=True))
        return SettingsOut.model_validate(settings)


# Levels -----------------------------------------------------------------------------------


LEVELS_PAGE_MAX = 1000


@router.get("/stock/levels", response_model=list[LevelOut], tags=TAGS, summary="Niveaux de stock")
def stock_levels(
    c: ContainerDep,
    principal: PrincipalDep,
    product_id: UUID | None = None,
    warehouse_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=LEVELS_PAGE_MAX)] = LEVELS_PAGE_MAX,
    offset: inputs.Offset = 0,
) -> list[LevelOut]:
    """Per product and warehouse: on hand, reserved, available, by product. With a
    ``product_id``, always an answer (zeros when there is no stock); otherwise pages of at
    most ``limit`` rows (ask again with ``offset`` while a page comes back full)."""
    with c.db.unit_of_work(principal.tenant_id) as session:
        if product_id is not None:
            total = stock.stock_level(session, principal, product_id, warehouse_id)
            rows = stock.stock_levels(
                session, principal, product_ids=[product_id], warehouse_id=warehouse_id
            ) or [total]
        else:
            rows = stock.stock_levels(
                session, principal, warehouse_id=warehouse_id, limit=limit, offset=offset
            )
        return [LevelOut.of(r) for r in rows]


@router.get("/stock/levels/verify", response_model=list[DifferenceOut], tags=TAGS)
def verify_levels(c: ContainerDep, principal: PrincipalDep) -> list[DifferenceOut]:
    """Levels that differ from what the moves say (an empty list: all consistent)."""
    with c.db.unit_of_work(principal.tenant_id) as session:
        return [DifferenceOut.of(d) for d in stock.verify_levels(session, principal)]


# Moves ------------------------------------------------------------------------------------


@router.post("/stock/receipts", response_model=MoveOut, status_code=CREATED, tags=TAGS)
def receive(body: ReceiptIn, c: ContainerDep, principal: PrincipalDep) -> MoveOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return MoveOut.of(stock.receive(session, principal, c.clock, **body.model_dump()))


@router.post("/stock/issues", response_model=list[MoveOut], status_code=CREATED, tags=TAGS)
def issue(body: IssueIn, c: ContainerDep, principal: PrincipalDep) -> list[MoveOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        moves = stock.issue(session, principal, c.clock, **body.model_dump())
        return [MoveOut.of(m) for m in moves]


@router.post("/stock/transfers", response_model=list[MoveOut], status_code=CREATED, tags=TAGS)
def transfer(body: TransferIn, c: ContainerDep, principal: PrincipalDep) -> list[MoveOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        moves = stock.transfer(session, principal, c.clock, **body.model_dump())
        return [MoveOut.of(m) for m in moves]


@router.post("/stock/adjustments", response_model=MoveOut | None, tags=TAGS)
def adjust(body: AdjustmentIn, c: ContainerDep, principal: PrincipalDep) -> MoveOut | None:
    """The adjustment move, or ``null`` when the count equals the quantity on hand."""
    with c.db.unit_of_work(principal.tenant_id) as session:
        move = stock.adjust(session, principal, c.clock, **body.model_dump())
        return MoveOut.of(move) if move else None


@router.post("/stock/returns", response_model=MoveOut, status_code=CREATED, tags=TAGS)
def return_from_customer(body: ReturnIn, c: ContainerDep, principal: PrincipalDep) -> MoveOut:
    fields = body.model_dump(exclude={"credit_note_id"})
    if body.credit_note_id is not None:
        fields |= {"origin_type": "credit_note", "origin_id": body.credit_note_id}
    with c.db.unit_of_work(principal.tenant_id) as session:
        return MoveOut.of(stock.return_from_customer(session, principal, c.clock, **fields))


@router.get("/stock/moves", response_model=list[MoveOut], tags=TAGS, summary="Mouvements")
def list_moves(
    c: ContainerDep,
    principal: PrincipalDep,
    product_id: UUID | None = None,
    warehouse_id: UUID | None = None,
    kind: MoveKind | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: inputs.Offset = 0,
) -> list[MoveOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        moves = stock.list_moves(
            session,
            principal,
            product_id=product_id,
            warehouse_id=warehouse_id,
            kind=kind,
            limit=limit,
            offset=offset,
        )
        return [MoveOut.of(m) for m in moves]


# Reservations -----------------------------------------------------------------------------


@router.post("/stock/reservations", response_model=ReservationOut, status_code=CREATED, tags=TAGS)
def reserve(body: ReservationIn, c: ContainerDep, principal: PrincipalDep) -> ReservationOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        reservation = stock.reserve(session, principal, c.clock, **body.model_dump())
        return ReservationOut.model_validate(reservation)


@router.post(
    "/stock/reservations/{reservation_id}/release", response_model=ReservationOut, tags=TAGS
)
def release(reservation_id: UUID, c: ContainerDep, principal: PrincipalDep) -> ReservationOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return ReservationOut.model_validate(
            stock.release(session, principal, c.clock, reservation_id)
        )


# Lots and valuation -----------------------------------------------------------------------


@router.get("/stock/lots/expiring", response_model=list[ExpiringLotOut], tags=TAGS)
def expiring_lots(
    c: ContainerDep,
    principal: PrincipalDep,
    within_days: int = Query(default=30, ge=0, le=3650),
    warehouse_id: UUID | None = None,
) -> list[ExpiringLotOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        lots = stock.expiring_lots(
            session, principal, c.clock, within_days=within_days, warehouse_id=warehouse_id
        )
        return [ExpiringLotOut.of(lot) for lot in lots]


@router.get("/stock/valuation", response_model=ValuationOut, tags=TAGS, summary="Valorisation")
def valuation(
    c: ContainerDep, principal: PrincipalDep, warehouse_id: UUID | None = None
) -> ValuationOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return ValuationOut.of(stock.valuation(session, principal, warehouse_id))


# Inventory counts -------------------------------------------------------------------------


@router.post("/stock/counts", response_model=CountOut, status_code=CREATED, tags=TAGS)
def start_count(body: CountCreate, c: ContainerDep, principal: PrincipalDep) -> CountOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        sheet = stock.start_count(session, principal, c.clock, **body.model_dump())
        return CountOut.of(sheet.count, sheet.lines)


@router.get("/stock/counts", response_model=list[CountOut], tags=TAGS)
def list_counts(
    c: ContainerDep, principal: PrincipalDep, warehouse_id: UUID | None = None
) -> list[CountOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        found = stock.list_counts(session, principal, warehouse_id=warehouse_id)
        return [CountOut.of(count, []) for count in found]


@router.get("/stock/counts/{count_id}", response_model=CountOut, tags=TAGS)
def get_count(count_id: UUID, c: ContainerDep, principal: PrincipalDep) -> CountOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        sheet = stock.get_count(session, principal, count_id)
        return CountOut.of(sheet.count, sheet.lines)


@router.put("/stock/counts/{count_id}/lines", response_model=CountOut, tags=TAGS)
def record_count(
    count_id: UUID, body: CountLineIn, c: ContainerDep, principal: PrincipalDep
) -> CountOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        stock.record_count(session, principal, c.clock, count_id, **body.model_dump())
        sheet = stock.get_count(session, principal, count_id)
        return CountOut.of(sheet.count, sheet.lines)


@router.post("/stock/counts/{count_id}/validate", response_model=list[MoveOut], tags=TAGS)
def validate_count(count_id: UUID, c: ContainerDep, principal: PrincipalDep) -> list[MoveOut]:
    """Validate: one adjustment move per counted difference."""
    with c.db.unit_of_work(principal.tenant_id) as session:
        return [MoveOut.of(m) for m in stock.validate_count(session, principal, c.clock, count_id)]


@router.post("/stock/counts/{count_id}/cancel", response_model=CountOut, tags=TAGS)
def cancel_count(count_id: UUID, c: ContainerDep, principal: PrincipalDep) -> CountOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        count = stock.cancel_count(session, principal, c.clock, count_id)
        return CountOut.of(count, [])
