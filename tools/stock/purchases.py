"""Purchase orders from what a person says: create one for a supplier, mark it sent,
receive what arrived (all of it, or part)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.finance.documents.labels import french_date
from domain.kit import inputs
from domain.kit.costs import Cost
from domain.sales import service as sales
from domain.sales.errors import ProductNotFound
from domain.sales.models import Product
from domain.stock import service as stock
from domain.stock.purchasing import service as purchasing
from domain.stock.purchasing.errors import MissingPurchasePrice
from domain.stock.purchasing.models import PurchaseOrder
from domain.stock.purchasing.orders import OrderView
from domain.stock.purchasing.schemas import (
    PurchaseLineIn,
    PurchaseOrderCreate,
    ReceiptCreate,
    ReceiptLineIn,
)
from tools.base import AskBack, Effect, ToolContext, ToolResult, resolving, tool
from tools.stock._common import (
    cost_money,
    find_order,
    find_product,
    find_supplier,
    find_warehouse,
    money,
    of_product,
)
from tools.stock.moves import ProductName, Quantity, Reference, WarehouseName

OrderNumber = Field(
    min_length=1,
    max_length=40,
    description="Numéro du bon de commande (« BC-2026-00004 »).",
)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderLine(BaseModel):
    description: str
    quantity: Decimal
    unit: str
    unit_price: Cost[Decimal]
    net_amount: Cost[Decimal]
    received_quantity: Decimal


class OrderOut(ToolResult):
    order_id: str
    number: str
    status: str
    supplier_name: str
    warehouse_name: str
    currency: str
    expected_date: date | None
    lines: list[OrderLine]
    net_total: Cost[Decimal]
    tax_total: Cost[Decimal]
    gross_total: Cost[Decimal]

    def _lines(self) -> str:
        return ", ".join(
            of_product(x.quantity, x.unit, x.description)
            + ("" if x.unit_price is None else f" à {money(x.unit_price, self.currency)}")
            for x in self.lines
        )

    def _totals(self) -> str:
        return (
            f"Total HT {cost_money(self.net_total, self.currency)}, TVA "
            f"{cost_money(self.tax_total, self.currency)}, "
            f"TTC {cost_money(self.gross_total, self.currency)}"
        )


def _order_out(ctx: ToolContext, view: OrderView, cls: type[OrderOut]) -> OrderOut:
    order = view.order
    warehouse = stock.get_warehouse(ctx.session, ctx.principal, order.warehouse_id)
    return cls(
        order_id=str(order.id),
        number=order.number,
        status=order.status,
        supplier_name=view.supplier_name,
        warehouse_name=warehouse.name,
        currency=order.currency,
        expected_date=order.expected_date,
        lines=[
            OrderLine(
                description=x.description,
                quantity=x.quantity,
                unit=x.unit,
                unit_price=x.unit_price,
                net_amount=x.net_amount,
                received_quantity=x.received_quantity,
            )
            for x in view.lines
        ],
        net_total=order.net_total,
        tax_total=order.tax_total,
        gross_total=order.gross_total,
    )


# --- stock.create_purchase_order ----------------------------------------------------------


_PRICE_TEXT = re.compile(r"\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?")


def _price_from_text(value: Any) -> Any:
    """A price answered in words (« 7 500 F le carton », « 5,20 € ») read as its number;
    anything else is left to the usual validation."""
    if not isinstance(value, str):
        return value
    match = _PRICE_TEXT.search(value)
    if match is None:
        return value
    number = match.group(0)
    if "," in number:
        number = re.sub(r"[ \u00a0\u202f.]", "", number).replace(",", ".")
    else:
        number = re.sub(r"[ \u00a0\u202f]", "", number)
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number):
            number = number.replace(".", "")  # « 7.500 »: thousands
    try:
        return Decimal(number)
    except InvalidOperation:
        return value


class PurchaseLine(_In):
    product: ProductName
    quantity: Quantity | None = Field(
        default=None,
        description="Quantité ; sans quantité, celle que propose le réapprovisionnement.",
    )
    unit_price: inputs.Amount | None = Field(
        default=None,
        ge=0,
        le=Decimal("1e12"),
        description="Prix unitaire HT ; par défaut le prix du fournisseur ou le prix d'achat.",
    )

    @field_validator("unit_price", mode="before")
    @classmethod
    def _said_price(cls, value: Any) -> Any:
        return _price_from_text(value)


class CreatePurchaseOrderIn(_In):
    supplier: str = Field(
        min_length=1, max_length=200, description="Le fournisseur, par son nom ou son code."
    )
    lines: list[PurchaseLine] = Field(
        min_length=1, max_length=50, description="Les produits commandés et leurs quantités."
    )
    warehouse: WarehouseName
    expected_date: date | None = Field(default=None, description="Date de livraison attendue.")
    notes: str | None = Field(default=None, max_length=2000, description="Remarques.")


class CreatePurchaseOrderOut(OrderOut):
    def render(self) -> str:
        return (
            f"Bon de commande {self.number} créé en brouillon pour {self.supplier_name} "
            f"(livraison : {self.warehouse_name}) : {self._lines()}. {self._totals()}."
        )

    def preview(self) -> str:
        return (
            f"Créer un bon de commande brouillon pour {self.supplier_name} (livraison : "
            f"{self.warehouse_name}) : {self._lines()}. {self._totals()}."
        )


@tool(
    "stock.create_purchase_order",
    title="Créer un bon de commande",
    effect=Effect.WRITE,
    roles=purchasing.BUYERS,
    creates="purchase_order",
)
def create_purchase_order(ctx: ToolContext, args: CreatePurchaseOrderIn) -> CreatePurchaseOrderOut:
    """Prépare un bon de commande fournisseur (brouillon numéroté BC-…), au prix du
    fournisseur ou au prix d'achat du produit sauf prix indiqué.

    Exemples : « commande 50 sacs de riz chez Grands Moulins », « fais un bon de commande
    à Sedima : 20 cartons de poulet à 18 000 », « commande fournisseur SOCOCIM, 100 sacs de
    ciment »
    """
    supplier = find_supplier(ctx, args.supplier)
    products = [
        find_product(ctx, line.product, f"lines.{i}.product") for i, line in enumerate(args.lines)
    ]
    suggested = _suggested_quantities(ctx, supplier.id, args.lines)
    lines = []
    for i, (line, product) in enumerate(zip(args.lines, products, strict=True)):
        quantity = line.quantity if line.quantity is not None else suggested.get(product.id)
        if quantity is None:
            raise AskBack(
                f"Combien de {product.name} faut-il commander ?", field=f"lines.{i}.quantity"
            )
        lines.append(
            PurchaseLineIn(product_id=product.id, quantity=quantity, unit_price=line.unit_price)
        )
    warehouse = find_warehouse(ctx, args.warehouse) if args.warehouse else None
    try:
        order = purchasing.create_purchase_order(
            ctx.session,
            ctx.principal,
            ctx.clock,
            PurchaseOrderCreate(
                supplier_id=supplier.id,
                warehouse_id=warehouse.id if warehouse else None,
                lines=lines,
                expected_date=args.expected_date,
                notes=args.notes,
            ),
        )
    except MissingPurchasePrice as e:
        raise AskBack(
            f"{e.message} Quel est le prix unitaire HT ?",
            field=f"lines.{_unpriced_line(args.lines, products)}.unit_price",
        ) from e
    view = purchasing.get_purchase_order(ctx.session, ctx.principal, order.id)
    result = _order_out(ctx, view, CreatePurchaseOrderOut)
    assert isinstance(result, CreatePurchaseOrderOut)
    return result


def _suggested_quantities(
    ctx: ToolContext, supplier_id: UUID, lines: list[PurchaseLine]
) -> dict[UUID, Decimal]:
    """The quantity the reorder suggestions propose per product (this supplier's first),
    read only when a line has no quantity (« passe la commande de farine proposée »)."""
    if all(line.quantity is not None for line in lines):
        return {}
    groups = purchasing.reorder_suggestions(ctx.session, ctx.principal, ctx.clock)
    groups = sorted(groups, key=lambda g: g.supplier_id != supplier_id)
    found: dict[UUID, Decimal] = {}
    for group in groups:
        for x in group.lines:
            found.setdefault(x.position.product_id, x.quantity)
    return found


def _unpriced_line(lines: list[PurchaseLine], products: list[Product]) -> int:
    """The first line without a price said nor a purchase price in the catalog."""
    for i, (line, product) in enumerate(zip(lines, products, strict=True)):
        if line.unit_price is None and product.purchase_price is None:
            return i
    return 0


# --- stock.send_purchase_order ------------------------------------------------------------


class SendPurchaseOrderIn(_In):
    order: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="Numéro du bon de commande (« BC-2026-00004 ») ; sans numéro, le dernier "
        "bon de commande en brouillon.",
    )
    supplier: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Sans numéro : le fournisseur dont le bon en brouillon est envoyé.",
    )


class SendPurchaseOrderOut(OrderOut):
    def _expected(self) -> str:
        return (
            f" ; livraison attendue le {french_date(self.expected_date)}"
            if self.expected_date
            else ""
        )

    def render(self) -> str:
        return (
            f"Bon de commande {self.number} marqué envoyé à {self.supplier_name}"
            f"{self._expected()}. {self._totals()}."
        )

    def preview(self) -> str:
        return (
            f"Marquer le bon de commande {self.number} ({self.supplier_name} : {self._lines()}) "
            f"comme envoyé{self._expected()}."
        )


@tool(
    "stock.send_purchase_order",
    title="Marquer un bon de commande envoyé",
    effect=Effect.WRITE,
    roles=purchasing.BUYERS,
    acts_on=("purchase_order",),
)
def send_purchase_order(ctx: ToolContext, args: SendPurchaseOrderIn) -> SendPurchaseOrderOut:
    """Marque un bon de commande brouillon comme envoyé au fournisseur (il peut ensuite
    être réceptionné) ; la date de livraison attendue suit le délai du fournisseur.

    Exemples : « envoie le bon de commande BC-2026-00004 », « c'est commandé, marque
    BC-2026-00012 envoyé », « valide la commande BC-2026-00003 »
    """
    order = find_order(ctx, args.order) if args.order else _latest_draft(ctx, args.supplier)
    purchasing.send_purchase_order(ctx.session, ctx.principal, ctx.clock, order.id)
    view = purchasing.get_purchase_order(ctx.session, ctx.principal, order.id)
    result = _order_out(ctx, view, SendPurchaseOrderOut)
    assert isinstance(result, SendPurchaseOrderOut)
    return result


def _latest_draft(ctx: ToolContext, said: str | None) -> PurchaseOrder:
    """« envoie-le au fournisseur » just after creating it: the newest draft order (of the
    supplier named, « le bon de commande de Sedima »)."""
    supplier = find_supplier(ctx, said, "supplier").id if said else None
    drafts = purchasing.list_purchase_orders(
        ctx.session, ctx.principal, status="draft", supplier_id=supplier, limit=1
    )
    if not drafts:
        raise AskBack("Quel bon de commande faut-il envoyer (numéro BC-…) ?", field="order")
    return drafts[0].order


# --- stock.receive_purchase_order ---------------------------------------------------------


def _order_to_receive(ctx: ToolContext, said: str) -> PurchaseOrder:
    """The order of that number, or the pending (sent, partly received) order of the
    supplier a person names instead (« la commande de Sedima est arrivée »)."""
    if any(c.isdigit() for c in said):
        return find_order(ctx, said)
    supplier = find_supplier(ctx, said, "order")
    pending = [
        view.order
        for status in ("sent", "partially_received")
        for view in purchasing.list_purchase_orders(
            ctx.session, ctx.principal, status=status, supplier_id=supplier.id
        )
    ]
    if len(pending) == 1:
        return pending[0]
    if not pending:
        raise AskBack(
            f"Aucune commande envoyée à {supplier.name} n'attend de livraison. "
            "Quel bon de commande (numéro BC-…) ?",
            field="order",
        )
    numbers = [o.number for o in pending]
    raise AskBack(
        f"Plusieurs commandes de {supplier.name} sont attendues : {' ou '.join(numbers)} ?",
        field="order",
        options=numbers,
    )


class ReceivedLine(_In):
    product: ProductName | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Le produit arrivé ; sans produit, le seul produit du bon de commande "
        "(« 20 sacs sur les 50 »).",
    )
    quantity: Quantity
    lot_number: str | None = Field(default=None, max_length=64, description="Numéro de lot.")
    expiry_date: date | None = Field(default=None, description="Date de péremption du lot.")


class ReceivePurchaseOrderIn(_In):
    order: str = Field(
        min_length=1,
        max_length=200,
        description="Numéro du bon de commande (« BC-2026-00004 »), ou le fournisseur dont la "
        "commande envoyée arrive (« la commande de Sedima »).",
    )
    lines: list[ReceivedLine] | None = Field(
        default=None,
        max_length=50,
        description="Ce qui est arrivé ; vide : tout ce qui reste à recevoir.",
    )
    reference: Reference


class ArrivedLine(BaseModel):
    name: str
    quantity: Decimal
    unit: str


class ReceivePurchaseOrderOut(ToolResult):
    receipt_id: str
    order_id: str
    number: str
    status: str
    supplier_name: str
    received: list[ArrivedLine]
    remaining: list[ArrivedLine]
    warnings: list[str]

    def _goods(self, lines: list[ArrivedLine]) -> str:
        return ", ".join(of_product(x.quantity, x.unit, x.name) for x in lines)

    def _rest(self, complete: str) -> str:
        if not self.remaining:
            return complete
        return f"Reste à recevoir : {self._goods(self.remaining)}."

    def render(self) -> str:
        text = (
            f"Réception enregistrée sur {self.number} ({self.supplier_name}) : "
            f"{self._goods(self.received)}. {self._rest('Commande entièrement reçue.')}"
        )
        return "\n".join([text, *self.warnings])

    def preview(self) -> str:
        text = (
            f"Réceptionner sur {self.number} ({self.supplier_name}) : "
            f"{self._goods(self.received)} (entrée en stock). "
            f"{self._rest('La commande sera entièrement reçue.')}"
        )
        return "\n".join([text, *(f"Attention : {w}" for w in self.warnings)])


def _product_on_order(ctx: ToolContext, view: OrderView, name: str | None, field: str) -> UUID:
    """The product of the order's lines a person names (« les barres de fer » for « Fer à
    béton 10 mm »), else the one the whole catalog designates; unnamed, the order's only
    product."""
    on_order = {x.product_id for x in view.lines}
    if name is None:
        if len(on_order) == 1:
            return next(iter(on_order))
        raise AskBack(f"Quel produit du bon {view.order.number} est arrivé ?", field=field)
    with resolving(field):
        try:
            return sales.resolve_product(ctx.session, ctx.principal, name, among=on_order).id
        except ProductNotFound:
            pass
    return find_product(ctx, name, field).id


@tool(
    "stock.receive_purchase_order",
    title="Réceptionner un bon de commande",
    effect=Effect.WRITE,
    roles=purchasing.RECEIVERS,
    creates="stock_move",
    acts_on=("purchase_order",),
)
def receive_purchase_order(
    ctx: ToolContext, args: ReceivePurchaseOrderIn
) -> ReceivePurchaseOrderOut:
    """Enregistre la livraison d'un bon de commande envoyé — tout ce qui reste, ou une
    partie par produit — et entre la marchandise en stock.

    Exemples : « la commande BC-2026-00004 est arrivée », « réceptionne BC-2026-00004 : 30
    sacs de riz seulement », « on a reçu la livraison du bon BC-2026-00007, BL 8812 »
    """
    order = _order_to_receive(ctx, args.order)
    return receive_on_order(ctx, order, args.lines or [], args.reference)


def order_awaiting(ctx: ToolContext, product_id: UUID) -> PurchaseOrder | None:
    """The one sent order still waiting for this product, if exactly one is."""
    views = purchasing.list_purchase_orders(
        ctx.session, ctx.principal, statuses=("sent", "partially_received"), with_lines=True
    )
    waiting = [
        view.order
        for view in views
        if any(x.product_id == product_id and x.received_quantity < x.quantity for x in view.lines)
    ]
    return waiting[0] if len(waiting) == 1 else None


def receive_on_order(
    ctx: ToolContext, order: PurchaseOrder, said: list[ReceivedLine], reference: str | None
) -> ReceivePurchaseOrderOut:
    """Receive on ``order`` what was said (all that remains when nothing was)."""
    view = purchasing.get_purchase_order(ctx.session, ctx.principal, order.id)
    lines = [
        ReceiptLineIn(
            product_id=_product_on_order(ctx, view, x.product, f"lines.{i}.product"),
            quantity=x.quantity,
            lot_number=x.lot_number,
            expiry_date=x.expiry_date,
        )
        for i, x in enumerate(said)
    ]
    result = purchasing.receive_purchase_order(
        ctx.session,
        ctx.principal,
        ctx.clock,
        order.id,
        ReceiptCreate(lines=lines, reference=reference),
    )
    after = purchasing.get_purchase_order(ctx.session, ctx.principal, order.id)
    by_line = {x.id: x for x in after.lines}
    return ReceivePurchaseOrderOut(
        receipt_id=str(result.receipt.id),
        order_id=str(order.id),
        number=order.number,
        status=result.order.status,
        supplier_name=after.supplier_name,
        received=[
            ArrivedLine(
                name=by_line[r.order_line_id].description,
                quantity=r.quantity,
                unit=by_line[r.order_line_id].unit,
            )
            for r in result.lines
        ],
        remaining=[
            ArrivedLine(name=x.description, quantity=x.quantity - x.received_quantity, unit=x.unit)
            for x in after.lines
            if x.received_quantity < x.quantity and result.order.status != "cancelled"
        ],
        warnings=list(result.warnings),
    )
