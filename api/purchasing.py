"""REST routes for purchasing and reorder: purchase orders and their receipts, supplier
terms, reorder rules, low stock, reorder suggestions and the stock-out forecast."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from api.costs import CostGuardedRoute
from api.deps import ContainerDep, PrincipalDep
from domain.finance.books import currency_of
from domain.kit import inputs
from domain.stock.purchasing import service as purchasing
from domain.stock.purchasing.models import PurchaseOrderLine, PurchaseReceipt, PurchaseReceiptLine
from domain.stock.purchasing.schemas import (
    CancelRequest,
    ForecastOut,
    PositionOut,
    PurchaseLineOut,
    PurchaseOrderCreate,
    PurchaseOrderOut,
    PurchaseOrderStatus,
    ReceiptCreate,
    ReceiptLineOut,
    ReceiptOut,
    ReorderRuleIn,
    ReorderRuleOut,
    SuggestionLineOut,
    SupplierSuggestionOut,
    SupplierTermsIn,
    SupplierTermsOut,
)

router = APIRouter(prefix="/api/v1", route_class=CostGuardedRoute)
TAG = "achats"


def _line_out(line: PurchaseOrderLine) -> PurchaseLineOut:
    return PurchaseLineOut.model_validate(
        {
            **{f: getattr(line, f) for f in PurchaseLineOut.model_fields if hasattr(line, f)},
            "remaining_quantity": max(line.quantity - line.received_quantity, 0),
        }
    )


def _order_out(view: purchasing.OrderView) -> PurchaseOrderOut:
    order = view.order
    fields = {f: getattr(order, f) for f in PurchaseOrderOut.model_fields if hasattr(order, f)}
    return PurchaseOrderOut.model_validate(
        {
            **fields,
            "supplier_name": view.supplier_name,
            "lines": [_line_out(line) for line in view.lines],
        }
    )


def _receipt_out(
    receipt: PurchaseReceipt, lines: list[PurchaseReceiptLine], number: str, order_status: str
) -> ReceiptOut:
    return ReceiptOut.model_validate(
        {
            "id": receipt.id,
            "order_id": receipt.order_id,
            "order_number": number,
            "order_status": order_status,
            "received_at": receipt.received_at,
            "reference": receipt.reference,
            "warnings": list(receipt.warnings),
            "lines": [ReceiptLineOut.model_validate(line) for line in lines],
        }
    )


# Purchase orders ------------------------------------------------------------------------


@router.get(
    "/purchase-orders", response_model=list[PurchaseOrderOut], tags=[TAG], summary="Commandes"
)
def list_orders(
    c: ContainerDep,
    principal: PrincipalDep,
    status_: Annotated[PurchaseOrderStatus | None, Query(alias="status")] = None,
    supplier_id: UUID | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: inputs.Offset = 0,
) -> list[PurchaseOrderOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        views = purchasing.list_purchase_orders(
            session, principal, status=status_, supplier_id=supplier_id, limit=limit, offset=offset
        )
        return [_order_out(v) for v in views]


@router.post(
    "/purchase-orders",
    response_model=PurchaseOrderOut,
    status_code=status.HTTP_201_CREATED,
    tags=[TAG],
    summary="Créer un bon de commande fournisseur (brouillon)",
)
def create_order(
    body: PurchaseOrderCreate, c: ContainerDep, principal: PrincipalDep
) -> PurchaseOrderOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        order = purchasing.create_purchase_order(session, principal, c.clock, body)
        return _order_out(purchasing.get_purchase_order(session, principal, order.id))


@router.post(
    "/purchase-orders/from-suggestions",
    response_model=list[PurchaseOrderOut],
    status_code=status.HTTP_201_CREATED,
    tags=[TAG],
    summary="Brouillons de commande depuis les suggestions (un par fournisseur et dépôt)",
)
def orders_from_suggestions(c: ContainerDep, principal: PrincipalDep) -> list[PurchaseOrderOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        orders = purchasing.create_orders_from_suggestions(session, principal, c.clock)
        return [_order_out(purchasing.get_purchase_order(session, principal, o.id)) for o in orders]


@router.get("/purchase-orders/{order_id}", response_model=PurchaseOrderOut, tags=[TAG])
def get_order(order_id: UUID, c: ContainerDep, principal: PrincipalDep) -> PurchaseOrderOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return _order_out(purchasing.get_purchase_order(session, principal, order_id))


@router.post(
    "/purchase-orders/{order_id}/send",
    response_model=PurchaseOrderOut,
    tags=[TAG],
    summary="Marquer le bon de commande comme envoyé",
)
def send_order(order_id: UUID, c: ContainerDep, principal: PrincipalDep) -> PurchaseOrderOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        purchasing.send_purchase_order(session, principal, c.clock, order_id)
        return _order_out(purchasing.get_purchase_order(session, principal, order_id))


@router.post("/purchase-orders/{order_id}/cancel", response_model=PurchaseOrderOut, tags=[TAG])
def cancel_order(
    order_id: UUID,
    c: ContainerDep,
    principal: PrincipalDep,
    body: CancelRequest | None = None,
) -> PurchaseOrderOut:
    reason = body.reason if body else None
    with c.db.unit_of_work(principal.tenant_id) as session:
        purchasing.cancel_purchase_order(session, principal, c.clock, order_id, reason)
        return _order_out(purchasing.get_purchase_order(session, principal, order_id))


@router.post(
    "/purchase-orders/{order_id}/receive",
    response_model=ReceiptOut,
    status_code=status.HTTP_201_CREATED,
    tags=[TAG],
    summary="Réceptionner tout ou partie d'un bon de commande",
)
def receive_order(
    order_id: UUID,
    c: ContainerDep,
    principal: PrincipalDep,
    body: ReceiptCreate | None = None,
) -> ReceiptOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        result = purchasing.receive_purchase_order(session, principal, c.clock, order_id, body)
        order = result.order
        return _receipt_out(result.receipt, result.lines, order.number, order.status)


@router.get("/purchase-orders/{order_id}/receipts", response_model=list[ReceiptOut], tags=[TAG])
def list_receipts(order_id: UUID, c: ContainerDep, principal: PrincipalDep) -> list[ReceiptOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        order = purchasing.get_purchase_order(session, principal, order_id).order
        return [
            _receipt_out(r, lines, order.number, order.status)
            for r, lines in purchasing.list_receipts(session, principal, order_id)
        ]


# Supplier terms -------------------------------------------------------------------------


@router.get("/products/{product_id}/suppliers", response_model=list[SupplierTermsOut], tags=[TAG])
def list_suppliers(
    product_id: UUID, c: ContainerDep, principal: PrincipalDep
) -> list[SupplierTermsOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        terms = purchasing.list_supplier_terms(session, principal, product_id)
        return [SupplierTermsOut.model_validate(t) for t in terms]


@router.put(
    "/products/{product_id}/suppliers",
    response_model=SupplierTermsOut,
    tags=[TAG],
    summary="Référencer un fournisseur pour un produit (ou modifier ses conditions)",
)
def set_supplier(
    product_id: UUID, body: SupplierTermsIn, c: ContainerDep, principal: PrincipalDep
) -> SupplierTermsOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        terms = purchasing.set_supplier_terms(session, principal, c.clock, product_id, body)
        return SupplierTermsOut.model_validate(terms)


@router.delete(
    "/products/{product_id}/suppliers/{supplier_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=[TAG],
)
def remove_supplier(
    product_id: UUID, supplier_id: UUID, c: ContainerDep, principal: PrincipalDep
) -> Response:
    with c.db.unit_of_work(principal.tenant_id) as session:
        purchasing.remove_supplier_terms(session, principal, product_id, supplier_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Reorder rules and replenishment --------------------------------------------------------


@router.get("/stock/reorder-rules", response_model=list[ReorderRuleOut], tags=[TAG])
def list_rules(
    c: ContainerDep,
    principal: PrincipalDep,
    product_id: UUID | None = None,
    warehouse_id: UUID | None = None,
) -> list[ReorderRuleOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        rules = purchasing.list_reorder_rules(
            session, principal, product_id=product_id, warehouse_id=warehouse_id
        )
        return [ReorderRuleOut.model_validate(r) for r in rules]


@router.put(
    "/stock/reorder-rules",
    response_model=ReorderRuleOut,
    tags=[TAG],
    summary="Fixer le stock minimum et maximum d'un produit dans un dépôt",
)
def set_rule(body: ReorderRuleIn, c: ContainerDep, principal: PrincipalDep) -> ReorderRuleOut:
    with c.db.unit_of_work(principal.tenant_id) as session:
        return ReorderRuleOut.model_validate(purchasing.set_reorder_rule(session, principal, body))


@router.delete("/stock/reorder-rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT, tags=[TAG])
def delete_rule(rule_id: UUID, c: ContainerDep, principal: PrincipalDep) -> Response:
    with c.db.unit_of_work(principal.tenant_id) as session:
        purchasing.delete_reorder_rule(session, principal, rule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/stock/reorder-suggestions",
    response_model=list[SupplierSuggestionOut],
    tags=[TAG],
    summary="Que commander, regroupé par fournisseur",
)
def reorder_suggestions(
    c: ContainerDep,
    principal: PrincipalDep,
    days: int = Query(default=purchasing.DEFAULT_WINDOW_DAYS, ge=1, le=365),
) -> list[SupplierSuggestionOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        groups = purchasing.reorder_suggestions(session, principal, c.clock, days=days)
        currency = currency_of(session, principal)
    return [
        SupplierSuggestionOut(
            **{k: v for k, v in asdict(g).items() if k != "lines"},
            currency=currency,
            lines=[
                SuggestionLineOut(
                    **asdict(line.position),
                    **{k: v for k, v in asdict(line).items() if k != "position"},
                )
                for line in g.lines
            ],
        )
        for g in groups
    ]


@router.get(
    "/stock/low-stock",
    response_model=list[PositionOut],
    tags=[TAG],
    summary="Produits sous leur stock minimum, par dépôt",
)
def low_stock(
    c: ContainerDep, principal: PrincipalDep, warehouse_id: UUID | None = None
) -> list[PositionOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        rows = purchasing.low_stock(session, principal, warehouse_id=warehouse_id)
    return [PositionOut(**asdict(r)) for r in rows]


@router.get(
    "/stock/forecast",
    response_model=list[ForecastOut],
    tags=[TAG],
    summary="Jours de couverture et date de rupture prévue",
)
def forecast(
    c: ContainerDep,
    principal: PrincipalDep,
    days: int = Query(default=purchasing.DEFAULT_WINDOW_DAYS, ge=1, le=365),
    product_id: UUID | None = None,
) -> list[ForecastOut]:
    with c.db.unit_of_work(principal.tenant_id) as session:
        rows = purchasing.forecast_stockout(
            session, principal, c.clock, days=days, product_id=product_id
        )
    return [ForecastOut(**asdict(r)) for r in rows]
