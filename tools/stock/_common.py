"""What the stock tools share: finding a product, a warehouse, a supplier or a purchase
order from what a person says, and French quantities and amounts."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from difflib import SequenceMatcher
from uuid import UUID

from domain.finance.books import open_books
from domain.kit.money import Currency, Money
from domain.kit.text import fold as fold_text
from domain.sales import service as sales
from domain.sales.errors import ProductNotFound
from domain.sales.models import Partner, Product
from domain.stock import service as stock
from domain.stock.models import Warehouse
from domain.stock.purchasing import repository as purchasing_repo
from domain.stock.purchasing import service as purchasing
from domain.stock.purchasing.errors import PurchaseOrderNotFound
from domain.stock.purchasing.models import PurchaseOrder
from tools.base import AskBack, ToolContext, resolving

# Units written the same in the plural (symbols, and words already ending in s or x).
_INVARIABLE_UNITS = {"kg", "g", "t", "cl", "ml", "l", "m", "km", "m²", "m³", "h"}
# Words a person puts before a warehouse's own name (« l'entrepôt de la boutique »).
_WAREHOUSE_WORDS = {"entrepot", "depot", "magasin", "stock", "le", "la", "les", "l", "de", "du"}
_ORDER_NUMBER = re.compile(r"(?:bc\W*)?(\d{4})\W+(\d{1,5})$", re.IGNORECASE)


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


def find_product(ctx: ToolContext, query: str, field: str = "product") -> Product:
    """The product a person names (name, SKU), or a question back about ``field``.

    When the catalog search finds nothing, the words of the query are matched against the
    catalog's names the way a person describes a product: articles and containers left out
    (« le bidon de 5 litres » → 5 L, « les barres de fer » → fer), units in words read as
    their symbols (litres → L, kilos → kg), a word's start or a typo accepted (« ciman »).
    One product found is the answer; several make the usual question back."""
    with resolving(field):
        try:
            return sales.resolve_product(ctx.session, ctx.principal, query)
        except ProductNotFound:
            found = described_products(ctx, query)
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                names = [p.name for p in found[:5]]
                raise AskBack(
                    f"Plusieurs produits correspondent : {' ou '.join(names)} ?",
                    field=field,
                    options=names,
                ) from None
            raise


# Words that describe how a product is packed or pointed at, not which product it is.
_DESCRIPTION_WORDS = {
    "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "mon", "ma", "mes", "ce",
    "cet", "cette", "ces", "celui", "celle", "en", "a", "au", "aux", "avec", "pour", "et",
    "sac", "carton", "bidon", "boite", "bouteille", "paquet", "pot", "barre", "casier", "pack",
    "sachet", "palette", "caisse", "rouleau", "piece", "unite", "tablette", "canette",
    "flacon", "seau", "fut", "bocal", "plaquette", "botte", "lot", "modele", "format",
    "taille", "produit", "article", "ref", "reference",
}  # fmt: skip
_UNIT_WORDS = {
    "litre": "l", "lt": "l", "kilo": "kg", "kilogramme": "kg", "gramme": "g", "gr": "g",
    "centilitre": "cl", "millilitre": "ml", "metre": "m", "tonne": "t",
}  # fmt: skip
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+", re.UNICODE)
_CATALOG_LIMIT = 2000  # a small business's catalog; beyond it the fallback reads no further


def _description_words(text: str, *, meaningful: bool = False) -> list[str]:
    """Folded words and numbers (« 42,5 » kept whole), plurals made singular, units in
    words as their symbols; ``meaningful``: without articles and containers."""
    words = []
    for token in _TOKEN.findall(fold_text(text)):
        token = token.replace(",", ".")
        if meaningful and token in _DESCRIPTION_WORDS:
            continue
        if len(token) > 3 and token.endswith(("s", "x")) and not token[:-1].isdigit():
            token = token[:-1]  # plural
            if meaningful and token in _DESCRIPTION_WORDS:
                continue
        words.append(_UNIT_WORDS.get(token, token))
    return words


def _word_found(word: str, names: list[str]) -> bool:
    for name in names:
        if name == word:
            return True
        if word.isdigit() or name.isdigit():
            continue
        if len(word) >= 4 and name.startswith(word):
            return True
        if len(word) >= 4 and word[0] == name[0]:
            # a typo: « ciman » for ciment, « confitur » for confiture
            needed = 0.8 if len(word) == 4 else 0.72
            if SequenceMatcher(None, word, name).ratio() >= needed:
                return True
    return False


def describes(description: str, name: str) -> bool:
    """Whether every meaningful word of ``description`` is in ``name`` (see find_product)."""
    wanted = _description_words(description, meaningful=True)
    names = _description_words(name)
    return bool(wanted) and all(_word_found(w, names) for w in wanted)


def described_products(ctx: ToolContext, description: str) -> list[Product]:
    """Active products whose name has every meaningful word of ``description``."""
    wanted = _description_words(description, meaningful=True)
    if not wanted:
        return []
    found: list[Product] = []
    offset = 0
    while offset < _CATALOG_LIMIT:
        page = sales.list_products(ctx.session, ctx.principal, limit=200, offset=offset)
        for product in page.items:
            names = _description_words(f"{product.name} {product.sku or ''}")
            if all(_word_found(w, names) for w in wanted):
                found.append(product)
        offset += len(page.items)
        if not page.items or offset >= page.total:
            break
    return found


def find_supplier(ctx: ToolContext, query: str, field: str = "supplier") -> Partner:
    with resolving(field):
        return sales.resolve_partner(ctx.session, ctx.principal, query, role="supplier")


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


def find_warehouse(ctx: ToolContext, query: str, field: str = "warehouse") -> Warehouse:
    """The active warehouse a person names, by code (« PRINC ») or name (« la boutique »)."""
    warehouses = stock.list_warehouses(ctx.session, ctx.principal, active=True)
    found = _warehouse_candidates(warehouses, query)
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


def order_number(text: str) -> str:
    """« BC-2026-00004 », « bc 2026 4 », « 2026-4 » → ``BC-2026-00004``."""
    match = _ORDER_NUMBER.search(text.strip())
    if match is None:
        return text.strip().upper()
    return f"BC-{match.group(1)}-{int(match.group(2)):05d}"


def find_order(ctx: ToolContext, number: str, field: str = "order") -> PurchaseOrder:
    """The purchase order of that number (read access checked as the service does)."""
    ctx.principal.require(*purchasing.READERS)
    wanted = order_number(number)
    with resolving(field):
        order = purchasing_repo.find_order_by_number(ctx.session, ctx.principal.tenant_id, wanted)
        if order is None:
            raise PurchaseOrderNotFound(f"Aucun bon de commande ne porte le numéro « {wanted} ».")
    return order
