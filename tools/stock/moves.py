"""Stock on hand and the moves a person asks for: receive, issue, transfer, adjust."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.kit import inputs
from domain.kit.costs import Cost
from domain.stock import service as stock
from domain.stock.models import Warehouse
from domain.stock.service import ADJUSTERS, ISSUERS, RECEIVERS
from tools.base import Effect, ToolContext, ToolResult, tool
from tools.stock._common import (
    amount,
    currency_of,
    find_product,
    find_warehouse,
    money,
    of_product,
    quantity_text,
    warehouse_names,
)

ProductName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="Le produit tel qu'on le nomme : nom ou référence (« riz brisé », « RIZ-25 »).",
    ),
]
WarehouseName = Annotated[
    str | None,
    Field(
        default=None,
        max_length=100,
        description="L'entrepôt, par nom ou code (« Boutique », « PRINC ») ; "
        "par défaut l'entrepôt principal.",
    ),
]
Quantity = Annotated[
    inputs.Quantity, Field(gt=0, le=Decimal("1e12"), decimal_places=4, description="Quantité.")
]
Reference = Annotated[
    str | None,
    Field(default=None, max_length=100, description="Référence (bon de livraison, ticket…)."),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _warehouse(ctx: ToolContext, name: str | None, field: str = "warehouse") -> Warehouse:
    if name:
        return find_warehouse(ctx, name, field)
    return stock.default_warehouse(ctx.session, ctx.principal)


def _on_hand(ctx: ToolContext, product_id: UUID, warehouse: Warehouse) -> Decimal:
    return stock.stock_level(ctx.session, ctx.principal, product_id, warehouse.id).on_hand


# --- stock.stock_level --------------------------------------------------------------------


class StockLevelIn(_In):
    product: ProductName
    warehouse: WarehouseName


class WarehouseLevel(BaseModel):
    warehouse_id: str
    warehouse_name: str
    on_hand: Decimal
    available: Decimal


class StockLevelOut(ToolResult):
    product_id: str
    product_name: str
    unit: str
    is_stockable: bool
    warehouse_id: str | None
    warehouse_name: str | None
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    by_warehouse: list[WarehouseLevel]

    def render(self) -> str:
        if not self.is_stockable:
            return f"« {self.product_name} » n'est pas géré en stock."
        where = self.warehouse_name
        if where is None and len(self.by_warehouse) == 1:
            where = self.by_warehouse[0].warehouse_name
        place = f" ({where})" if where else ""
        if self.on_hand <= 0:
            negative = (
                f", stock négatif : {amount(self.on_hand, self.unit)}" if self.on_hand else ""
            )
            return f"{self.product_name} : rupture de stock{place}{negative}."
        text = f"Il reste {of_product(self.on_hand, self.unit, self.product_name)}"
        if where is None and len(self.by_warehouse) > 1:
            parts = [f"{quantity_text(w.on_hand)} ({w.warehouse_name})" for w in self.by_warehouse]
            text += " : " + ", ".join(parts)
        else:
            text += place
        if self.reserved > 0:
            text += (
                f", dont {quantity_text(self.reserved)} réservé"
                f"{'s' if self.reserved >= 2 else ''} : "
                f"{amount(self.available, self.unit)} disponible"
                f"{'s' if self.available >= 2 else ''}"
            )
        return text + "."


@tool("stock.stock_level", title="Voir le stock d'un produit", effect=Effect.READ)
def stock_level(ctx: ToolContext, args: StockLevelIn) -> StockLevelOut:
    """Quantité en stock d'un produit (sur place, réservée, disponible), dans un entrepôt
    ou dans tous.

    Exemples : « combien il reste de riz ? », « stock de l'huile à la boutique »,
    « on a encore des sacs de ciment ? », « niveau de stock RIZ-25 »
    """
    product = find_product(ctx, args.product)
    warehouse = find_warehouse(ctx, args.warehouse) if args.warehouse else None
    names = warehouse_names(ctx)
    level = stock.stock_level(
        ctx.session, ctx.principal, product.id, warehouse.id if warehouse else None
    )
    rows = stock.stock_levels(
        ctx.session,
        ctx.principal,
        product_ids=[product.id],
        warehouse_id=warehouse.id if warehouse else None,
    )
    return StockLevelOut(
        product_id=str(product.id),
        product_name=product.name,
        unit=product.unit,
        is_stockable=product.is_stockable,
        warehouse_id=str(warehouse.id) if warehouse else None,
        warehouse_name=warehouse.name if warehouse else None,
        on_hand=level.on_hand,
        reserved=level.reserved,
        available=level.available,
        by_warehouse=[
            WarehouseLevel(
                warehouse_id=str(r.warehouse_id),
                warehouse_name=names.get(r.warehouse_id, "?") if r.warehouse_id else "?",
                on_hand=r.on_hand,
                available=r.available,
            )
            for r in rows
            if r.on_hand != 0 or r.reserved != 0
        ],
    )


# --- receive / issue ----------------------------------------------------------------------


class MovementOut(ToolResult):
    move_ids: list[str]
    product_id: str
    product_name: str
    unit: str
    quantity: Decimal
    warehouse_id: str
    warehouse_name: str
    on_hand_after: Decimal
    reference: str | None = None

    def _ref(self) -> str:
        return f" (réf. {self.reference})" if self.reference else ""

    def _goods(self) -> str:
        return of_product(self.quantity, self.unit, self.product_name)


class ReceiveIn(_In):
    product: ProductName
    quantity: Quantity
    warehouse: WarehouseName
    unit_cost: Decimal | None = Field(
        default=None, ge=0, le=Decimal("1e12"), description="Coût unitaire d'achat HT."
    )
    reference: Reference
    lot_number: str | None = Field(
        default=None, max_length=64, description="Numéro de lot (produits suivis par lots)."
    )
    expiry_date: date | None = Field(default=None, description="Date de péremption du lot.")


class ReceiveOut(MovementOut):
    unit_cost: Cost[Decimal] = None
    # The cost the person said, echoed for them to confirm: it tells them nothing new, so
    # it is not hidden, unlike ``unit_cost`` (the average cost when they said none).
    stated_cost: Decimal | None = None
    currency: str

    def _cost(self) -> str:
        cost = self.unit_cost if self.unit_cost is not None else self.stated_cost
        return f", coût unitaire {money(cost, self.currency)}" if cost else ""

    def render(self) -> str:
        return (
            f"Entrée en stock : {self._goods()} dans {self.warehouse_name}{self._ref()}. "
            f"Stock : {amount(self.on_hand_after, self.unit)}."
        )

    def preview(self) -> str:
        return (
            f"Enregistrer l'entrée de {self._goods()} dans {self.warehouse_name}"
            f"{self._ref()}{self._cost()} ; le stock y passera à "
            f"{amount(self.on_hand_after, self.unit)}."
        )


@tool(
    "stock.receive",
    title="Entrer du stock",
    effect=Effect.WRITE,
    roles=RECEIVERS,
    creates="stock_move",
    acts_on=("purchase_order",),
)
def receive(ctx: ToolContext, args: ReceiveIn) -> ToolResult:
    """Enregistre une entrée de marchandise en stock (livraison d'un fournisseur hors bon
    de commande), dans l'entrepôt indiqué ou l'entrepôt principal. Un produit attendu sur
    un seul bon de commande envoyé est réceptionné sur ce bon (l'aperçu le dit), pour que
    la commande ne reste pas ouverte.

    Exemples : « j'ai reçu 20 sacs de riz », « entrée de 50 cartons d'huile à la boutique,
    BL 4521 », « ajoute 10 bidons d'huile au stock à 9 500 F l'unité »
    """
    from tools.stock import purchases  # the order side builds on this module's types

    product = find_product(ctx, args.product)
    awaited = purchases.order_awaiting(ctx, product.id)
    if awaited is not None and args.warehouse is None and args.unit_cost is None:
        line = purchases.ReceivedLine(
            product=product.name,
            quantity=args.quantity,
            lot_number=args.lot_number,
            expiry_date=args.expiry_date,
        )
        return purchases.receive_on_order(ctx, awaited, [line], args.reference)
    warehouse = _warehouse(ctx, args.warehouse)
    move = stock.receive(
        ctx.session,
        ctx.principal,
        ctx.clock,
        product_id=product.id,
        quantity=args.quantity,
        warehouse_id=warehouse.id,
        unit_cost=args.unit_cost,
        lot_number=args.lot_number,
        expiry_date=args.expiry_date,
        reference=args.reference,
    )
    return ReceiveOut(
        move_ids=[str(move.id)],
        product_id=str(product.id),
        product_name=product.name,
        unit=product.unit,
        quantity=move.quantity,
        warehouse_id=str(warehouse.id),
        warehouse_name=warehouse.name,
        on_hand_after=_on_hand(ctx, product.id, warehouse),
        reference=move.reference,
        unit_cost=move.unit_cost,
        stated_cost=args.unit_cost,
        currency=currency_of(ctx).value,
    )


class IssueIn(_In):
    product: ProductName
    quantity: Quantity
    reason: str = Field(
        min_length=1,
        max_length=200,
        description="Motif de la sortie (« vente comptoir », « casse », « usage interne »).",
    )
    warehouse: WarehouseName
    reference: Reference


class IssueOut(MovementOut):
    reason: str

    def render(self) -> str:
        return (
            f"Sortie de stock : {self._goods()} depuis {self.warehouse_name} "
            f"(motif : {self.reason}){self._ref()}. "
            f"Reste : {amount(self.on_hand_after, self.unit)}."
        )

    def preview(self) -> str:
        return (
            f"Sortir {self._goods()} de {self.warehouse_name} (motif : {self.reason})"
            f"{self._ref()} ; il en restera {amount(self.on_hand_after, self.unit)}."
        )


@tool(
    "stock.issue", title="Sortir du stock", effect=Effect.WRITE, roles=ISSUERS, creates="stock_move"
)
def issue(ctx: ToolContext, args: IssueIn) -> IssueOut:
    """Enregistre une sortie de stock avec son motif (vente au comptoir, casse, perte,
    usage interne), depuis l'entrepôt indiqué ou l'entrepôt principal.

    Exemples : « sors 3 sacs de riz, vente comptoir », « 2 cartons de lait cassés,
    retire-les du stock », « sortie de 5 bidons d'huile pour usage interne »
    """
    product = find_product(ctx, args.product)
    warehouse = _warehouse(ctx, args.warehouse)
    moves = stock.issue(
        ctx.session,
        ctx.principal,
        ctx.clock,
        product_id=product.id,
        quantity=args.quantity,
        warehouse_id=warehouse.id,
        reason=args.reason,
        reference=args.reference,
    )
    return IssueOut(
        move_ids=[str(m.id) for m in moves],
        product_id=str(product.id),
        product_name=product.name,
        unit=product.unit,
        quantity=sum((m.quantity for m in moves), Decimal(0)),
        warehouse_id=str(warehouse.id),
        warehouse_name=warehouse.name,
        on_hand_after=_on_hand(ctx, product.id, warehouse),
        reference=moves[0].reference,
        reason=moves[0].reason or args.reason,
    )


# --- transfer ------------------------------------------------------------------------------


class TransferIn(_In):
    product: ProductName
    quantity: Quantity
    to_warehouse: str = Field(
        min_length=1, max_length=100, description="L'entrepôt d'arrivée, par nom ou code."
    )
    from_warehouse: WarehouseName
    reason: str | None = Field(default=None, max_length=200, description="Motif du transfert.")
    reference: Reference


class TransferOut(ToolResult):
    move_ids: list[str]
    product_id: str
    product_name: str
    unit: str
    quantity: Decimal
    from_warehouse_id: str
    from_warehouse_name: str
    to_warehouse_id: str
    to_warehouse_name: str
    from_on_hand_after: Decimal
    to_on_hand_after: Decimal

    def _route(self) -> str:
        goods = of_product(self.quantity, self.unit, self.product_name)
        return f"{goods} de {self.from_warehouse_name} vers {self.to_warehouse_name}"

    def _after(self) -> str:
        return (
            f"{self.from_warehouse_name} : {amount(self.from_on_hand_after, self.unit)}, "
            f"{self.to_warehouse_name} : {amount(self.to_on_hand_after, self.unit)}"
        )

    def render(self) -> str:
        return f"Transfert effectué : {self._route()}. Stock — {self._after()}."

    def preview(self) -> str:
        return f"Transférer {self._route()}. Stock ensuite — {self._after()}."


@tool(
    "stock.transfer",
    title="Transférer du stock",
    effect=Effect.WRITE,
    roles=RECEIVERS,
    creates="stock_move",
)
def transfer(ctx: ToolContext, args: TransferIn) -> TransferOut:
    """Déplace de la marchandise d'un entrepôt à un autre (par défaut depuis l'entrepôt
    principal).

    Exemples : « transfère 10 sacs de riz à la boutique », « envoie 5 cartons d'huile du
    dépôt principal vers le magasin de Thiès », « passe 20 savons de PRINC à BOUT »
    """
    product = find_product(ctx, args.product)
    origin = _warehouse(ctx, args.from_warehouse, "from_warehouse")
    target = find_warehouse(ctx, args.to_warehouse, "to_warehouse")
    moves = stock.transfer(
        ctx.session,
        ctx.principal,
        ctx.clock,
        product_id=product.id,
        quantity=args.quantity,
        from_warehouse_id=origin.id,
        to_warehouse_id=target.id,
        reference=args.reference,
        reason=args.reason,
    )
    return TransferOut(
        move_ids=[str(m.id) for m in moves],
        product_id=str(product.id),
        product_name=product.name,
        unit=product.unit,
        quantity=sum((m.quantity for m in moves), Decimal(0)),
        from_warehouse_id=str(origin.id),
        from_warehouse_name=origin.name,
        to_warehouse_id=str(target.id),
        to_warehouse_name=target.name,
        from_on_hand_after=_on_hand(ctx, product.id, origin),
        to_on_hand_after=_on_hand(ctx, product.id, target),
    )


# --- adjust -------------------------------------------------------------------------------


class AdjustIn(_In):
    product: ProductName
    counted_quantity: Decimal = Field(
        ge=0,
        le=Decimal("1e12"),
        decimal_places=4,
        description="La quantité réellement comptée (le stock est mis à cette valeur).",
    )
    warehouse: WarehouseName
    reason: str | None = Field(
        default=None, max_length=200, description="Motif (« inventaire », « casse »…)."
    )
    lot_number: str | None = Field(
        default=None, max_length=64, description="Lot compté (produits suivis par lots)."
    )


class AdjustOut(ToolResult):
    move_id: str | None
    product_id: str
    product_name: str
    unit: str
    warehouse_id: str
    warehouse_name: str
    before: Decimal
    after: Decimal

    @property
    def difference(self) -> Decimal:
        return self.after - self.before

    def _gap(self) -> str:
        sign = "+" if self.difference > 0 else ""
        return f"{sign}{amount(self.difference, self.unit)}"

    def render(self) -> str:
        if self.move_id is None:
            return (
                f"Rien à corriger : le stock de {self.product_name} dans {self.warehouse_name} "
                f"est déjà de {amount(self.after, self.unit)}."
            )
        return (
            f"Stock de {self.product_name} dans {self.warehouse_name} corrigé : "
            f"{amount(self.after, self.unit)} (avant : {quantity_text(self.before)}, "
            f"écart {self._gap()})."
        )

    def preview(self) -> str:
        if self.move_id is None:
            return self.render()
        return (
            f"Corriger le stock de {self.product_name} dans {self.warehouse_name} : "
            f"{amount(self.after, self.unit)} au lieu de {quantity_text(self.before)} "
            f"(écart {self._gap()})."
        )


@tool(
    "stock.adjust",
    title="Corriger le stock",
    effect=Effect.WRITE,
    roles=ADJUSTERS,
    creates="stock_move",
)
def adjust(ctx: ToolContext, args: AdjustIn) -> AdjustOut:
    """Met le stock d'un produit à la quantité réellement comptée (inventaire, casse,
    erreur de saisie) ; l'écart est enregistré comme ajustement.

    Exemples : « j'ai compté 40 sacs de riz », « en vrai il reste 12 bidons d'huile à la
    boutique », « corrige le stock du ciment à 0, tout est cassé »
    """
    product = find_product(ctx, args.product)
    warehouse = _warehouse(ctx, args.warehouse)
    before = _on_hand(ctx, product.id, warehouse)
    move = stock.adjust(
        ctx.session,
        ctx.principal,
        ctx.clock,
        product_id=product.id,
        counted_quantity=args.counted_quantity,
        warehouse_id=warehouse.id,
        lot_number=args.lot_number,
        reason=args.reason,
    )
    return AdjustOut(
        move_id=str(move.id) if move else None,
        product_id=str(product.id),
        product_name=product.name,
        unit=product.unit,
        warehouse_id=str(warehouse.id),
        warehouse_name=warehouse.name,
        before=before,
        after=_on_hand(ctx, product.id, warehouse),
    )
