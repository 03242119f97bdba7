"""What the stock tells: products under their minimum, what to reorder, when each product
runs out, and what the stock is worth."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.finance.documents.labels import french_date
from domain.kit.costs import Cost
from domain.stock import service as stock
from domain.stock.purchasing import service as purchasing
from domain.stock.service import VALUERS
from tools.base import Effect, ToolContext, ToolResult, tool
from tools.stock._common import (
    amount,
    cost_money,
    currency_of,
    find_product,
    find_warehouse,
    money,
    today,
)
from tools.stock.moves import WarehouseName

Limit = Field(default=10, ge=1, le=50, description="Nombre maximum de lignes.")
Days = Field(default=30, ge=1, le=365, description="Jours de ventes observés pour la moyenne (30).")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


# --- stock.low_stock ----------------------------------------------------------------------


class LowStockIn(_In):
    warehouse: WarehouseName
    limit: int = Limit


class LowStockRow(BaseModel):
    product_id: str
    product_name: str
    unit: str
    warehouse_id: str
    warehouse_name: str
    available: Decimal
    min_quantity: Decimal
    incoming: Decimal

    def line(self) -> str:
        coming = f", {amount(self.incoming, self.unit)} en commande" if self.incoming else ""
        return (
            f"- {self.product_name} ({self.warehouse_name}) : {amount(self.available, self.unit)}"
            f" pour un minimum de {amount(self.min_quantity, self.unit)}{coming}"
        )


class LowStockOut(ToolResult):
    total: int
    rows: list[LowStockRow]

    def render(self) -> str:
        if not self.rows:
            return "Aucun produit sous son stock minimum."
        head = f"{_plural(self.total, 'produit')} sous le stock minimum :"
        more = (
            [f"… et {self.total - len(self.rows)} autres."] if self.total > len(self.rows) else []
        )
        return "\n".join([head, *(r.line() for r in self.rows), *more])


@tool(
    "stock.low_stock",
    title="Voir les produits en stock bas",
    effect=Effect.READ,
    roles=purchasing.READERS,
)
def low_stock(ctx: ToolContext, args: LowStockIn) -> LowStockOut:
    """Liste les produits dont le stock disponible est sous le minimum fixé, par entrepôt,
    les plus en manque d'abord.

    Exemples : « qu'est-ce qui manque en stock ? », « les produits en rupture »,
    « stock bas à la boutique », « quels articles sont sous le minimum ? »
    """
    warehouse = find_warehouse(ctx, args.warehouse) if args.warehouse else None
    positions = purchasing.low_stock(
        ctx.session, ctx.principal, warehouse_id=warehouse.id if warehouse else None
    )
    return LowStockOut(
        total=len(positions),
        rows=[
            LowStockRow(
                product_id=str(p.product_id),
                product_name=p.product_name,
                unit=p.unit,
                warehouse_id=str(p.warehouse_id),
                warehouse_name=p.warehouse_name,
                available=p.available,
                min_quantity=p.min_quantity,
                incoming=p.incoming,
            )
            for p in positions[: args.limit]
        ],
    )


# --- stock.reorder_suggestions ------------------------------------------------------------


class ReorderIn(_In):
    product: str | None = Field(
        default=None,
        max_length=200,
        description="Un produit (« faut-il racheter du ciment ? ») ; sinon tous les produits.",
    )
    days: int = Days
    limit: int = Limit


class SuggestedLine(BaseModel):
    product_id: str
    product_name: str
    unit: str
    warehouse_name: str
    quantity: Decimal


class SupplierGroup(BaseModel):
    supplier_id: str | None
    supplier_name: str | None
    order_by: date
    expected_date: date
    estimated_total: Cost[Decimal]
    lines: list[SuggestedLine]

    def line(self, currency: str, day: date) -> str:
        who = self.supplier_name or "Sans fournisseur"
        goods = ", ".join(
            f"{amount(x.quantity, x.unit)} {x.product_name} ({x.warehouse_name})"
            for x in self.lines
        )
        when = (
            "dès que possible" if self.order_by <= day else f"avant le {french_date(self.order_by)}"
        )
        total = (
            f", environ {money(self.estimated_total, currency)} HT" if self.estimated_total else ""
        )
        return f"- {who} — à commander {when}{total} : {goods}"


class HeldProduct(BaseModel):
    """The one product asked about, when nothing is to be reordered for it."""

    name: str
    unit: str
    on_hand: Decimal
    min_quantity: Decimal | None


class ReorderOut(ToolResult):
    currency: str
    today: date
    groups: list[SupplierGroup]
    asked: HeldProduct | None = None

    def render(self) -> str:
        if not self.groups and self.asked is not None:
            held = f"{self.asked.name} : {amount(self.asked.on_hand, self.asked.unit)} en stock"
            if self.asked.min_quantity is None:
                return f"{held}, sans stock minimum fixé : aucun réapprovisionnement prévu."
            low = amount(self.asked.min_quantity, self.asked.unit)
            if self.asked.on_hand < self.asked.min_quantity:  # what is ordered already covers it
                return f"{held}, sous le minimum ({low}), mais les commandes en cours le couvrent."
            return f"{held}, au-dessus du minimum ({low}) : pas besoin d'en racheter."
        if not self.groups:
            return "Rien à recommander : tous les stocks sont au-dessus de leur minimum."
        count = sum(len(g.lines) for g in self.groups)
        head = f"À recommander ({_plural(count, 'produit')}) :"
        return "\n".join([head, *(g.line(self.currency, self.today) for g in self.groups)])


@tool(
    "stock.reorder_suggestions",
    title="Proposer les réapprovisionnements",
    effect=Effect.READ,
    roles=purchasing.READERS,
)
def reorder_suggestions(ctx: ToolContext, args: ReorderIn) -> ReorderOut:
    """Propose quoi commander, et à quel fournisseur, pour remonter les produits sous leur
    minimum (commandes déjà en cours déduites), avec la date limite de commande.

    Exemples : « qu'est-ce que je dois commander ? », « propose-moi un réapprovisionnement »,
    « il faut recommander quoi cette semaine ? »
    """
    groups = purchasing.reorder_suggestions(ctx.session, ctx.principal, ctx.clock, days=args.days)
    product = find_product(ctx, args.product, "product") if args.product else None
    chosen: list[SupplierGroup] = []
    left = args.limit
    for g in groups:
        if left <= 0:
            break
        kept = [x for x in g.lines if product is None or x.position.product_id == product.id]
        if not kept:
            continue
        lines = [
            SuggestedLine(
                product_id=str(x.position.product_id),
                product_name=x.position.product_name,
                unit=x.position.unit,
                warehouse_name=x.position.warehouse_name,
                quantity=x.quantity,
            )
            for x in kept[:left]
        ]
        left -= len(lines)
        chosen.append(
            SupplierGroup(
                supplier_id=str(g.supplier_id) if g.supplier_id else None,
                supplier_name=g.supplier_name,
                order_by=g.order_by,
                expected_date=g.expected_date,
                estimated_total=g.estimated_total
                if product is None
                else sum((x.quantity * (x.unit_price or 0) for x in kept), Decimal(0)),
                lines=lines,
            )
        )
    asked = None
    if product is not None and not chosen:
        levels = stock.stock_levels(ctx.session, ctx.principal, product_ids=[product.id])
        rules = purchasing.list_reorder_rules(ctx.session, ctx.principal, product_id=product.id)
        asked = HeldProduct(
            name=product.name,
            unit=product.unit,
            on_hand=sum((x.on_hand for x in levels), Decimal(0)),
            min_quantity=sum((r.min_quantity for r in rules), Decimal(0)) if rules else None,
        )
    return ReorderOut(currency=currency_of(ctx).value, today=today(ctx), groups=chosen, asked=asked)


# --- stock.forecast_stockout --------------------------------------------------------------


class ForecastIn(_In):
    product: str | None = Field(
        default=None,
        max_length=200,
        description="Un produit (nom ou référence) ; sinon les ruptures les plus proches.",
    )
    days: int = Days
    limit: int = Limit


class ForecastRow(BaseModel):
    product_id: str
    product_name: str
    unit: str
    available: Decimal
    daily_average: Decimal
    days_of_cover: Decimal | None
    stockout_date: date | None

    def line(self, window: int) -> str:
        head = f"{self.product_name} : {amount(self.available, self.unit)}"
        if self.stockout_date is None:
            return f"{head}, aucune vente sur les {window} derniers jours : pas de rupture prévue"
        pace = f"environ {amount(self.daily_average, self.unit)} par jour"
        if self.available <= 0:
            return f"{head}, déjà en rupture ({pace})"
        cover = ""
        if self.days_of_cover is not None:
            days = int(self.days_of_cover.to_integral_value())
            cover = f" (dans {days} jour{'s' if days > 1 else ''} environ)" if days >= 1 else ""
        return f"{head}, {pace} : rupture vers le {french_date(self.stockout_date)}{cover}"


class ForecastOut(ToolResult):
    days: int
    single: bool
    rows: list[ForecastRow]

    def render(self) -> str:
        if self.single:
            return (
                (self.rows[0].line(self.days) + ".") if self.rows else "Produit non géré en stock."
            )
        dated = [r for r in self.rows if r.stockout_date is not None]
        if not dated:
            return f"Aucune rupture prévue (ventes des {self.days} derniers jours)."
        head = f"Prochaines ruptures (ventes des {self.days} derniers jours) :"
        return "\n".join([head, *(f"- {r.line(self.days)}" for r in dated)])


@tool(
    "stock.forecast_stockout",
    title="Prévoir les ruptures de stock",
    effect=Effect.READ,
    roles=purchasing.READERS,
)
def forecast_stockout(ctx: ToolContext, args: ForecastIn) -> ForecastOut:
    """Prévoit quand chaque produit sera en rupture au rythme des ventes récentes (ou un
    seul produit), les ruptures les plus proches d'abord.

    Exemples : « quand est-ce que je serai à court de riz ? », « prévisions de rupture »,
    « le ciment va tenir combien de jours ? », « qu'est-ce qui va manquer bientôt ? »
    """
    product = find_product(ctx, args.product) if args.product else None
    forecasts = purchasing.forecast_stockout(
        ctx.session,
        ctx.principal,
        ctx.clock,
        days=args.days,
        product_id=product.id if product else None,
    )
    return ForecastOut(
        days=args.days,
        single=product is not None,
        rows=[
            ForecastRow(
                product_id=str(f.product_id),
                product_name=f.product_name,
                unit=f.unit,
                available=f.available,
                daily_average=f.daily_average,
                days_of_cover=f.days_of_cover,
                stockout_date=f.stockout_date,
            )
            for f in forecasts[: args.limit]
        ],
    )


# --- stock.valuation ----------------------------------------------------------------------


class ValuationIn(_In):
    warehouse: WarehouseName
    limit: int = Limit


class ValuationRow(BaseModel):
    product_id: str
    name: str
    unit: str
    quantity: Decimal
    average_cost: Cost[Decimal]
    value: Cost[Decimal]


class ValuationOut(ToolResult):
    currency: str
    warehouse_name: str | None
    total: Cost[Decimal]
    count: int
    top: list[ValuationRow]  # the largest values first

    def render(self) -> str:
        where = f" ({self.warehouse_name})" if self.warehouse_name else ""
        head = (
            f"Valeur du stock{where} : {cost_money(self.total, self.currency)} "
            f"({_plural(self.count, 'produit')}, au coût moyen pondéré)."
        )
        if not self.top:
            return head
        rows = [
            f"- {r.name} : {amount(r.quantity, r.unit)} × "
            f"{cost_money(r.average_cost, self.currency)} = {cost_money(r.value, self.currency)}"
            for r in self.top
        ]
        return "\n".join([head, "Principaux :", *rows])


@tool("stock.valuation", title="Valoriser le stock", effect=Effect.READ, roles=VALUERS)
def valuation(ctx: ToolContext, args: ValuationIn) -> ValuationOut:
    """Valeur du stock au coût moyen pondéré, au total et par produit (les plus grosses
    valeurs d'abord), pour un entrepôt ou tous.

    Exemples : « combien vaut mon stock ? », « valorisation du stock de la boutique »,
    « valeur totale de la marchandise »
    """
    warehouse = find_warehouse(ctx, args.warehouse) if args.warehouse else None
    result = stock.valuation(ctx.session, ctx.principal, warehouse.id if warehouse else None)
    top = sorted(result.lines, key=lambda x: (-x.value, x.name))[: args.limit]
    return ValuationOut(
        currency=result.currency.value,
        warehouse_name=warehouse.name if warehouse else None,
        total=result.total,
        count=len(result.lines),
        top=[
            ValuationRow(
                product_id=str(x.product_id),
                name=x.name,
                unit=x.unit,
                quantity=x.quantity,
                average_cost=x.average_cost,
                value=x.value,
            )
            for x in top
        ],
    )
