"""What the stock tools share: finding a product, a warehouse, a supplier or a purchase
order from what a person says, and French quantities and amounts."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.finance.books import open_books
from domain.kit.lexicon import words
from domain.kit.money import Currency, Money
from domain.kit.resolution import typed_number
from domain.kit.text import fold as fold_text
from domain.sales import service as sales
from domain.sales.models import Partner, Product
from domain.stock import service as stock
from domain.stock.models import Warehouse
from domain.stock.purchasing import repository as purchasing_repo
from domain.stock.purchasing import service as purchasing
from domain.stock.purchasing.models import PurchaseOrder
from domain.stock.purchasing.orders import NUMBER_PATTERN
from tools.base import AskBack, ToolContext, resolving

# Units written the same in the plural (symbols, and words already ending in s or x).
_INVARIABLE_UNITS = {"kg", "g", "t", "cl", "ml", "l", "m", "km", "m²", "m³", "h"}
# Words a person puts before a warehouse's own name (« l'entrepôt de la boutique »).
_WAREHOUSE_WORDS = {"entrepot", "depot", "magasin", "stock", "le", "la", "les", "l", "de", "du"}


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: how names are compared."""
    return " ".join(re.sub(r"[^\w²³]+", " ", fold_text(text)).split())


def quantity_text(value: Decimal) -> str:
    """``12.5000`` → ``12,5``; ``3.0000`` → ``3``; thousands with a narrow no-break space."""
    sign = "-" if value < 0 else ""
    value = abs(value).normalize() if value != 0 else Decimal(0)
    whole, _, decimals = format(value, "f").partition(".")
    text = f"{int(whole):,}".replace(",", "\u202f")
    return sign + text + ("," + decimals if decimals else "")


def unit_text(unit: str, value: Decimal) -> str:
    """The unit agreeing with the quantity: « 1 sac », « 2 sacs », « 3 kg »."""
    if abs(value) < 2 or unit in _INVARIABLE_UNITS or unit.endswith(("s", "x")):
        return unit
    return unit + "s"


def amount(value: Decimal, unit: str) -> str:
    """« 42 sacs », « 1,5 kg », « 1 pièce »."""
    return f"{quantity_text(value)} {unit_text(unit, value)}"


def of_product(value: Decimal, unit: str, name: str) -> str:
    """« 42 sacs de Riz brisé 25 kg » (« d'Huile » before a vowel)."""
    link = "d'" if fold(name)[:1] in set("aeiouyh") else "de "
    return f"{amount(value, unit)} {link}{name}"


def money(value: Decimal, currency: Currency | str) -> str:
    return Money(value, currency).format_fr()


def cost_money(value: Decimal | None, currency: Currency | str) -> str:
    """A cost as the person reads it, or « — » when their role may not see costs."""
    return "—" if value is None else money(value, currency)


def currency_of(ctx: ToolContext) -> Currency:
    return sales.tenant_currency(ctx.session, ctx.principal)


def today(ctx: ToolContext) -> date:
    """The tenant's local date (Dakar, Paris) from the turn's clock."""
    return open_books(ctx.session, ctx.principal, ctx.clock).today()


def find_product(
    ctx: ToolContext,
    query: str,
    field: str = "product",
    *,
    among: Collection[UUID] | None = None,
) -> Product:
    """The product a person names (SKU, or name as said: « sacs de riz », « le bidon de 5
    litres », « ciman »), among ``among`` when given; a question back about ``field`` when
    several match or none (the domain's ``resolve_product``)."""
    with resolving(field):
        return sales.resolve_product(ctx.session, ctx.principal, query, among=among)


def find_supplier(ctx: ToolContext, query: str, field: str = "supplier") -> Partner:
    """The supplier a person names (« Grands Moulins »), or a question back about ``field``."""
    with resolving(field):
        return sales.resolve_supplier(ctx.session, ctx.principal, query)


def _warehouse_candidates(warehouses: list[Warehouse], query: str) -> list[Warehouse]:
    code = query.strip().upper()
    by_code = [w for w in warehouses if w.code == code]
    if by_code:
        return by_code
    wanted = fold(query)
    exact = [w for w in warehouses if fold(w.name) == wanted]
    if exact:
        return exact
    words = [w for w in wanted.split() if w not in _WAREHOUSE_WORDS] or wanted.split()
    return [w for w in warehouses if all(word in fold(w.name).split() for word in words)]


_GENERIC_PLACES = words("generic_places")
_OWN = {"le", "la", "l", "les", "notre", "nos", "ma", "mon", "mes", "au", "a", "dans"}


def _the_premises(query: str) -> bool:
    """« la boutique », « notre magasin »: the premises said by a place word alone."""
    said = re.findall(r"[a-z]+", fold(query))
    return bool(said) and bool(set(said) & _GENERIC_PLACES) and set(said) <= _GENERIC_PLACES | _OWN


def find_warehouse(ctx: ToolContext, query: str, field: str = "warehouse") -> Warehouse:
    """The active warehouse a person names, by code (« PRINC ») or name (« la boutique »)."""
    warehouses = stock.list_warehouses(ctx.session, ctx.principal, active=True)
    found = _warehouse_candidates(warehouses, query)
    if not found and len(warehouses) == 1 and _the_premises(query):
        return warehouses[0]  # « la boutique » of a business with one place: that place
    if len(found) == 1:
        return found[0]
    if found:
        names = [w.name for w in found]
        raise AskBack(
            f"Plusieurs entrepôts correspondent : {' ou '.join(names)} ?",
            field=field,
            options=names,
        )
    names = [w.name for w in warehouses]
    raise AskBack(
        f"Aucun entrepôt ne correspond à « {query.strip()} ». Entrepôts : {', '.join(names)}.",
        field=field,
        options=names,
    )


def optional_warehouse(
    ctx: ToolContext, query: str | None, field: str = "warehouse"
) -> UUID | None:
    return find_warehouse(ctx, query, field).id if query else None


def warehouse_names(ctx: ToolContext) -> dict[UUID, str]:
    """Every warehouse's name by id, archived ones included (history shows them)."""
    return {w.id: w.name for w in stock.list_warehouses(ctx.session, ctx.principal, active=None)}


def find_order(ctx: ToolContext, number: str, field: str = "order") -> PurchaseOrder:
    """The purchase order of that number, as typed (« BC-2026-00004 », « bc 2026 4 »,
    « 2026-4 »), looked up by equality (read access checked as the service does)."""
    ctx.principal.require(*purchasing.READERS)
    typed = typed_number(number)
    wanted = typed.formatted([NUMBER_PATTERN]) if typed is not None else []
    if not wanted:
        raise AskBack(f"« {number.strip()} » n'est pas un numéro de bon de commande.", field=field)
    order = purchasing_repo.find_order_by_number(ctx.session, ctx.principal.tenant_id, wanted[0])
    if order is None:
        raise AskBack(f"Aucun bon de commande ne porte le numéro « {wanted[0]} ».", field=field)
    return order
