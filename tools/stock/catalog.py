"""The catalog seen from the stock: find a product, create one, change one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.finance.documents.labels import percent
from domain.kit import inputs
from domain.kit.costs import Cost, sees_costs
from domain.kit.errors import InvalidInput
from domain.kit.money import round_to_currency
from domain.sales import service as sales
from domain.sales.models import Product
from domain.sales.schemas import ProductCreate, ProductUpdate, plain
from domain.sales.service import WRITERS
from domain.stock import service as stock
from domain.stock.purchasing import service as purchasing
from domain.stock.purchasing.schemas import ReorderRuleIn
from tools.base import Effect, ToolContext, ToolResult, french_validation_message, tool
from tools.stock._common import amount, currency_of, find_product, money
from tools.stock.moves import ProductName

ProductKind = Literal["goods", "service"]
Price = inputs.Amount


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _validated(model: type[Any], **fields: Any) -> Any:
    """The service's input model, or the same French message as a tool's own input."""
    try:
        return model(**fields)
    except ValidationError as e:
        raise InvalidInput(french_validation_message(e)) from e


NO_PRICE = "sans prix de vente (prix convenu à chaque fois)"


def _price_text(price: Decimal | None, currency: str, unit: str | None = None) -> str:
    """« 15 000 F HT », « 15 000 F HT par sac », or the words for a product without a price."""
    if price is None:
        return NO_PRICE
    return f"{money(price, currency)} HT" + (f" par {unit}" if unit else "")


# --- stock.find_product -------------------------------------------------------------------


class FindProductIn(_In):
    query: str = Field(
        min_length=1, max_length=200, description="Nom (même approximatif) ou référence cherché."
    )
    limit: int = Field(default=10, ge=1, le=50, description="Nombre maximum de résultats.")


class ProductRow(BaseModel):
    product_id: str
    name: str
    sku: str | None
    unit: str
    sale_price: Decimal | None  # None: a price agreed each time
    vat_rate: Decimal
    is_stockable: bool
    on_hand: Decimal | None  # None: not managed in stock
    purchase_price: Cost[Decimal] = None  # « je l'achète combien le sac de riz ? »

    def line(self, currency: str) -> str:
        ref = f" ({self.sku})" if self.sku else ""
        stock_part = (
            f", {amount(self.on_hand, self.unit)} en stock" if self.on_hand is not None else ""
        )
        vat = f", TVA {percent(self.vat_rate)}"
        if self.purchase_price is not None:
            vat += f", prix d'achat {money(self.purchase_price, currency)}"
        return f"- {self.name}{ref} : {_price_text(self.sale_price, currency)}{vat}{stock_part}"


class FindProductOut(ToolResult):
    query: str
    currency: str
    products: list[ProductRow]

    def render(self) -> str:
        if not self.products:
            return f"Aucun produit ne correspond à « {self.query} »."
        count = len(self.products)
        head = f"{count} produit{'s' if count > 1 else ''} trouvé{'s' if count > 1 else ''} :"
        return "\n".join([head, *(p.line(self.currency) for p in self.products[:10])])

    def found_nothing(self) -> bool:
        return not self.products


@tool("stock.find_product", title="Chercher un produit", effect=Effect.READ)
def find_product_tool(ctx: ToolContext, args: FindProductIn) -> FindProductOut:
    """Cherche des produits du catalogue par nom (tolère fautes et accents) ou référence,
    avec leur prix, leur taux de TVA et leur stock.

    Exemples : « cherche le produit riz », « tu as quoi comme huile ? »,
    « trouve la référence RIZ-25 », « quels savons on vend ? »
    """
    matches = sales.search_products(ctx.session, ctx.principal, args.query, limit=args.limit)
    products = [sales.get_product(ctx.session, ctx.principal, m.id) for m in matches]
    ids = [p.id for p in products if p.is_stockable]
    held: dict[Any, Decimal] = {}
    if ids:
        for row in stock.stock_levels(ctx.session, ctx.principal, product_ids=ids):
            held[row.product_id] = held.get(row.product_id, Decimal(0)) + row.on_hand
    return FindProductOut(
        query=args.query,
        currency=currency_of(ctx).value,
        products=[
            ProductRow(
                product_id=str(p.id),
                name=p.name,
                sku=p.sku,
                unit=p.unit,
                sale_price=p.sale_price,
                vat_rate=p.vat_rate,
                is_stockable=p.is_stockable,
                on_hand=held.get(p.id, Decimal(0)) if p.is_stockable else None,
                purchase_price=p.purchase_price,
            )
            for p in products
        ],
    )


# --- create / update ----------------------------------------------------------------------


class ProductOut(ToolResult):
    product_id: str
    name: str
    sku: str | None
    unit: str
    kind: ProductKind
    sale_price: Decimal | None  # None: a price agreed each time
    purchase_price: Cost[Decimal]
    vat_rate: Decimal
    currency: str
    is_stockable: bool
    tracks_lots: bool

    def describe(self) -> str:
        ref = f" (réf. {self.sku})" if self.sku else ""
        rate = str(plain(self.vat_rate)).replace(".", ",")
        price = _price_text(self.sale_price, self.currency, self.unit)
        parts = [f"{self.name}{ref}, {price}"]
        parts.append(f"TVA {rate} %")
        if self.purchase_price is not None:
            parts.append(f"prix d'achat {money(self.purchase_price, self.currency)}")
        if self.kind == "service":
            parts.append("service")
        elif self.is_stockable:
            parts.append("géré en stock" + (" par lots" if self.tracks_lots else ""))
        else:
            parts.append("non géré en stock")
        return ", ".join(parts)


def _product_out(ctx: ToolContext, p: Product) -> dict[str, Any]:
    return {
        "product_id": str(p.id),
        "name": p.name,
        "sku": p.sku,
        "unit": p.unit,
        "kind": p.kind,
        "sale_price": p.sale_price,
        "purchase_price": p.purchase_price,
        "vat_rate": p.vat_rate,
        "currency": currency_of(ctx).value,
        "is_stockable": p.is_stockable,
        "tracks_lots": p.tracks_lots,
    }


class CreateProductIn(_In):
    name: str = Field(min_length=1, max_length=200, description="Nom du produit.")
    sale_price: Price | None = Field(
        default=None,
        ge=0,
        le=Decimal("1e12"),
        description="Prix de vente HT ; sans prix, il sera donné sur chaque devis ou facture.",
    )
    unit: str = Field(
        default="unité",
        max_length=32,
        description="Unité : n'importe quel mot d'unité (sac, bidon, pot, kg, heure, tas…).",
    )
    sku: str | None = Field(default=None, max_length=64, description="Référence interne.")
    kind: ProductKind = Field(default="goods", description="Marchandise ou service.")
    is_stockable: bool | None = Field(
        default=None, description="Géré en stock (par défaut : oui pour une marchandise)."
    )
    purchase_price: Price | None = Field(
        default=None, ge=0, le=Decimal("1e12"), description="Prix d'achat HT."
    )
    vat_rate: inputs.Rate | None = Field(
        default=None, ge=0, le=100, description="Taux de TVA en % (par défaut le taux normal)."
    )
    barcode: str | None = Field(default=None, max_length=64, description="Code-barres.")
    category: str | None = Field(default=None, max_length=100, description="Catégorie.")
    tracks_lots: bool = Field(default=False, description="Suivi par lots (péremption).")
    min_stock: Decimal | None = Field(
        default=None,
        ge=0,
        le=Decimal("1e12"),
        description="Stock minimum (seuil d'alerte) de l'entrepôt principal, dans l'unité.",
    )
    max_stock: Decimal | None = Field(
        default=None, ge=0, le=Decimal("1e12"), description="Stock maximum visé."
    )


class CreateProductOut(ProductOut):
    bounds: list[str] = Field(default_factory=list)  # the stock minimum / maximum set

    def _said(self) -> str:
        return self.describe() + "".join(f", {b}" for b in self.bounds)

    def render(self) -> str:
        return f"Produit créé : {self._said()}."

    def preview(self) -> str:
        return f"Créer le produit {self._said()}."


@tool(
    "stock.create_product",
    title="Créer un produit",
    effect=Effect.WRITE,
    roles=WRITERS,
    creates="product",
)
def create_product(ctx: ToolContext, args: CreateProductIn) -> CreateProductOut:
    """Ajoute un produit au catalogue ; une marchandise est gérée en stock sauf avis
    contraire. L'unité est libre (sac, bidon, pot, seau, botte, tas…). Sans prix de vente,
    le produit n'a pas de prix propre : chaque devis ou facture en donne un.

    Exemples : « crée le produit Riz brisé 25 kg à 15 000 F le sac », « nouvel article :
    huile Dinor 5 L, prix 6 500, achat 5 200, réf HUI-5 », « ajoute le service livraison à
    2 000 F », « crée le service dépannage, prix à convenir »
    """
    stockable = args.kind == "goods" if args.is_stockable is None else args.is_stockable
    data = _validated(
        ProductCreate,
        **args.model_dump(exclude={"is_stockable", "min_stock", "max_stock"}),
        is_stockable=stockable,
    )
    product = sales.create_product(ctx.session, ctx.principal, data)
    bounds = []
    if stockable and (args.min_stock is not None or args.max_stock is not None):
        _set_stock_bounds(ctx, product, args.min_stock, args.max_stock)
        rule = purchasing.list_reorder_rules(ctx.session, ctx.principal, product_id=product.id)[0]
        bounds = [
            f"stock minimum {amount(rule.min_quantity, product.unit)}",
            f"stock maximum {amount(rule.max_quantity, product.unit)}",
        ]
    return CreateProductOut(**_product_out(ctx, product), bounds=bounds)


_COST_FIELDS = frozenset({"purchase_price"})
_CHANGE_LABELS = {
    "name": "nom",
    "sku": "référence",
    "unit": "unité",
    "sale_price": "prix de vente",
    "purchase_price": "prix d'achat",
    "vat_rate": "TVA",
    "barcode": "code-barres",
    "category": "catégorie",
    "is_stockable": "géré en stock",
    "tracks_lots": "suivi par lots",
    "is_active": "actif",
}


class UpdateProductIn(_In):
    product: ProductName
    name: str | None = Field(default=None, min_length=1, max_length=200, description="Nouveau nom.")
    sku: str | None = Field(default=None, max_length=64, description="Nouvelle référence.")
    unit: str | None = Field(default=None, max_length=32, description="Nouvelle unité.")
    sale_price: Price | None = Field(
        default=None, ge=0, le=Decimal("1e12"), description="Nouveau prix de vente HT."
    )
    sale_price_change: Decimal | None = Field(
        default=None,
        gt=-100,
        le=1000,
        description="Hausse (positive) ou baisse (négative) du prix de vente, en % "
        "(« le riz augmente de 10 % »).",
    )
    sale_price_incl_tax: Price | None = Field(
        default=None,
        ge=0,
        le=Decimal("1e12"),
        description="Nouveau prix de vente TTC, quand il est dit TTC (« passe à 45 € TTC ») : "
        "le prix HT en est tiré au taux de TVA du produit.",
    )
    purchase_price: Price | None = Field(
        default=None, ge=0, le=Decimal("1e12"), description="Nouveau prix d'achat HT."
    )
    vat_rate: inputs.Rate | None = Field(
        default=None, ge=0, le=100, description="Nouveau taux de TVA."
    )
    barcode: str | None = Field(default=None, max_length=64, description="Nouveau code-barres.")
    category: str | None = Field(default=None, max_length=100, description="Nouvelle catégorie.")
    is_stockable: bool | None = Field(default=None, description="Gérer en stock ou non.")
    tracks_lots: bool | None = Field(default=None, description="Suivre par lots ou non.")
    is_active: bool | None = Field(default=None, description="Faux pour archiver le produit.")
    min_stock: Decimal | None = Field(
        default=None,
        ge=0,
        le=Decimal("1e12"),
        description="Stock minimum (seuil d'alerte et de réapprovisionnement) de l'entrepôt "
        "principal, dans l'unité du produit.",
    )
    max_stock: Decimal | None = Field(
        default=None,
        ge=0,
        le=Decimal("1e12"),
        description="Stock maximum visé au réapprovisionnement (par défaut : deux fois le "
        "minimum).",
    )

    @model_validator(mode="after")
    def _something_changes(self) -> UpdateProductIn:
        if (
            not self.changes()
            and self.sale_price_change is None
            and self.sale_price_incl_tax is None
            and self.min_stock is None
            and self.max_stock is None
        ):
            raise ValueError("indiquez ce qui change (prix, nom, référence, unité, stock minimum…)")
        return self

    def changes(self) -> dict[str, Any]:
        """What changes on the product itself (the stock bounds are a reorder rule)."""
        dumped = self.model_dump(
            exclude={
                "product",
                "min_stock",
                "max_stock",
                "sale_price_change",
                "sale_price_incl_tax",
            }
        )
        return {k: v for k, v in dumped.items() if v is not None}


class UpdateProductOut(ProductOut):
    changes: list[str]

    def _list(self) -> str:
        return " ; ".join(self.changes) if self.changes else "aucun changement"

    def render(self) -> str:
        return f"Produit {self.name} modifié : {self._list()}."

    def preview(self) -> str:
        return f"Modifier le produit {self.name} : {self._list()}."


def _shown(field: str, value: Any, currency: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if field in ("sale_price", "purchase_price"):
        return money(value, currency)
    if field == "vat_rate":
        return str(plain(value)).replace(".", ",") + " %"
    return str(value)


def _change_line(field: str, old: Any, new: Any, currency: str, *, costs: bool) -> str:
    """« prix de vente : 15 000 F → 16 000 F »; for a role that may not see costs, a cost
    change shows only the new amount, the one the person gave (the old one is cost data)."""
    if field in _COST_FIELDS and not costs:
        return f"{_CHANGE_LABELS[field]} → {_shown(field, new, currency)}"
    return (
        f"{_CHANGE_LABELS[field]} : {_shown(field, old, currency)} → {_shown(field, new, currency)}"
    )


@tool(
    "stock.update_product",
    title="Modifier un produit",
    effect=Effect.WRITE,
    roles=WRITERS,
)
def update_product(ctx: ToolContext, args: UpdateProductIn) -> UpdateProductOut:
    """Change un produit existant : prix de vente ou d'achat, nom, référence, unité, TVA,
    code-barres, gestion du stock, archivage, stock minimum et maximum (règle de
    réapprovisionnement de l'entrepôt principal).

    Exemples : « le riz passe à 16 000 F », « change le prix d'achat de l'huile à 5 400 »,
    « renomme Savon en Savon Marseille 400 g », « l'article RIZ-25 n'est plus géré en stock »,
    « mets le stock minimum du riz à 20 sacs »
    """
    product = find_product(ctx, args.product)
    currency = currency_of(ctx).value
    if args.sale_price_change is not None and args.sale_price is None:
        args = args.model_copy(update={"sale_price": _changed_price(ctx, product, args)})
    if args.sale_price_incl_tax is not None and args.sale_price is None:
        rate = args.vat_rate if args.vat_rate is not None else product.vat_rate
        excl = args.sale_price_incl_tax * 100 / (100 + rate)
        args = args.model_copy(update={"sale_price": round_to_currency(excl, currency_of(ctx))})
    before = {field: getattr(product, field) for field in args.changes()}
    updated = product
    if args.changes():
        data = _validated(ProductUpdate, **args.changes())
        updated = sales.update_product(ctx.session, ctx.principal, product.id, data)
    lines = [
        _change_line(f, old, getattr(updated, f), currency, costs=sees_costs(ctx.principal))
        for f, old in before.items()
        if getattr(updated, f) != old
    ]
    if args.min_stock is not None or args.max_stock is not None:
        lines.extend(_set_stock_bounds(ctx, updated, args.min_stock, args.max_stock))
    return UpdateProductOut(**_product_out(ctx, updated), changes=lines)


def _changed_price(ctx: ToolContext, product: Product, args: UpdateProductIn) -> Decimal:
    """The sale price raised or lowered by the percentage said, rounded to the currency's
    minor unit (« le ciment augmente de 10 % »: 4 500 F → 4 950 F)."""
    if product.sale_price is None:
        raise InvalidInput(f"{product.name} n'a pas de prix de vente : quel prix faut-il mettre ?")
    change = args.sale_price_change or Decimal(0)
    return round_to_currency(product.sale_price * (100 + change) / 100, currency_of(ctx))


def _set_stock_bounds(
    ctx: ToolContext, product: Product, low: Decimal | None, high: Decimal | None
) -> list[str]:
    """Set the reorder rule of the main warehouse: the minimum said (else the current one,
    else 0) and the maximum said (else the current one when still above the minimum, else
    twice the minimum). Returns the changes as shown to the person."""
    warehouse = stock.default_warehouse(ctx.session, ctx.principal)
    rules = purchasing.list_reorder_rules(
        ctx.session, ctx.principal, product_id=product.id, warehouse_id=warehouse.id
    )
    old_low = rules[0].min_quantity if rules else None
    old_high = rules[0].max_quantity if rules else None
    new_low = low if low is not None else (old_low if old_low is not None else Decimal(0))
    if high is not None:
        new_high = high
    elif old_high is not None and old_high >= new_low and old_high > 0:
        new_high = old_high
    else:
        new_high = new_low * 2
    purchasing.set_reorder_rule(
        ctx.session,
        ctx.principal,
        ReorderRuleIn(product_id=product.id, min_quantity=new_low, max_quantity=new_high),
    )

    def shown(value: Decimal | None) -> str:
        return "—" if value is None else amount(value, product.unit)

    lines = []
    if old_low is None or new_low != old_low:
        lines.append(f"stock minimum ({warehouse.name}) : {shown(old_low)} → {shown(new_low)}")
    if old_high is None or new_high != old_high:
        lines.append(f"stock maximum ({warehouse.name}) : {shown(old_high)} → {shown(new_high)}")
    return lines
