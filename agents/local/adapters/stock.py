"""Stock and purchasing: from a French message to the arguments of the ``stock.*`` tools.

Products are read from the quantity's item (« 20 sacs de riz » → "riz", with a size that
follows it: « de Riz brisé 25 kg »), a SKU (« RIZ-25 »), or the name after « de », « du »…
(« combien il reste de riz ? »). Warehouses come after « à », « dans », « vers »; suppliers
after « chez », « à », « auprès de »; purchase orders are the « BC-… » numbers the slot
parser found. Nothing is guessed: what the message does not say is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from agents.local.adapters.base import Adapter
from agents.local.mentions import name_after, words_after
from agents.local.slots.text import fold
from agents.local.slots.types import Quantity, Utterance
from domain.kit.errors import InvalidInput
from domain.sales.units import normalize_unit

# Sizes that belong to a product's name when no item follows them (« Huile 5 L »).
_MEASURES = {"kg", "g", "litre", "l", "cl", "ml", "m", "cm", "tonne"}
# Words that are never a product, a warehouse or a supplier on their own.
_NOT_ENTITIES = {
    "stock", "stocks", "rupture", "ruptures", "achat", "vente", "prix", "produit", "produits",
    "article", "articles", "jours", "jour", "semaine", "marchandise", "commande", "inventaire",
    "fournisseur", "court", "minimum", "reste", "quoi",
    "sac", "sacs", "carton", "cartons", "bidon", "bidons", "boite", "boites", "paquet",
    "paquets", "bouteille", "bouteilles", "litre", "litres", "kilo", "kilos", "piece",
    "pieces", "unite", "unites", "palette", "palettes",
}  # fmt: skip
# Trailing words of a quantity's item that are not part of the product's name.
_TRAILING = {
    "seulement", "uniquement", "aussi", "encore", "casse", "cassee", "casses", "cassees",
    "perime", "perimee", "perimes", "perimees", "abime", "abimes", "abimee", "abimees",
    "endommage", "endommages", "vole", "voles", "perdu", "perdus", "offert", "offerts",
}  # fmt: skip
_REASONS = (
    (("casse", "cass"), "casse"),
    (("perime",), "produit périmé"),
    (("abime", "endommage"), "marchandise abîmée"),
    (("vol", "vole"), "vol"),
    (("perdu", "perte"), "perte"),
    (("usage interne", "consommation interne"), "usage interne"),
    (("don", "offert", "cadeau"), "don"),
    (("vente", "vendu", "comptoir"), "vente comptoir"),
)
_SKU = re.compile(r"(?<![\w-])(?!BC-|F-|D-|AV-)([A-Z][A-Z0-9]*-[A-Z0-9][A-Z0-9-]*)(?![\w-])")
_REFERENCE = re.compile(
    r"(?i)(?<!\w)((?:BL|bon de livraison|facture fournisseur|r[ée]f(?:[ée]rence)?\.?)"
    r"\s*(?:n[°o]\s*)?:?\s*[A-Z0-9][\w/-]*)"
)
_WAREHOUSE_TO = ("vers", "dans", "à", "au", "a")
_WAREHOUSE_FROM = ("depuis", "de", "du")
_WAREHOUSE_AT = ("dans", "à", "au", "a")
_SUPPLIER = ("chez", "fournisseur", "auprès de", "aupres de", "à", "au", "a")
_PRODUCT = ("de", "du", "des", "comme", "le", "la", "les", "l'")
_ITEM_END = re.compile(r"(?i)\s+(?:vers|dans|à|au|aux|chez|aupr[èe]s|pour|depuis|en|et)(?:\s|$)")
_GENERIC_PLACES = {"magasin", "depot", "entrepot", "boutique"}
_CODE_TAIL = re.compile(r"\s+(?:de|du|depuis|à|a|vers)\s+[A-Z][A-Z0-9_-]+$")
_FILLER_VERBS = {"passe", "coute", "vaut", "est", "va", "tient", "fait", "devient", "change"}


# --- reading helpers ---------------------------------------------------------------------


def _names_after(utt: Utterance, markers: tuple[str, ...]) -> Iterator[str]:
    """Every name ``name_after`` finds, one after the other through the message."""
    offset = 0
    while offset < len(utt.text):
        sub = Utterance(text=utt.text[offset:], folded=utt.folded[offset:])
        name = name_after(sub, markers)
        if name is None:
            return
        yield name
        offset += sub.text.find(name) + len(name)


def _entity(names: Iterator[str]) -> str | None:
    for name in names:
        words = [w for w in fold(name).split() if w not in _FILLER_VERBS]
        if words and not set(words) <= _NOT_ENTITIES:
            return " ".join(name.split()[: len(words)]) if len(words) < len(name.split()) else name
    return None


def _trim_item(item: str) -> str:
    item = _CODE_TAIL.sub("", item)  # « 20 savons de PRINC »: PRINC is a warehouse code
    item = _ITEM_END.split(item, maxsplit=1)[0]
    words = item.split()
    while len(words) > 1 and fold(words[-1]) in _TRAILING:
        words.pop()
    return " ".join(words)


def _goods(utt: Utterance) -> list[tuple[Quantity, str | None]]:
    """Quantities counted in the message with the product each names (a size that directly
    follows the product, « Riz brisé 25 kg », is part of its name, not a quantity)."""
    out: list[tuple[Quantity, str | None]] = []
    skip: set[int] = set()
    qs = utt.quantities
    for i, q in enumerate(qs):
        if i in skip:
            continue
        item = _trim_item(q.item) if q.item else None
        follower = qs[i + 1] if i + 1 < len(qs) else None
        if (
            item
            and follower is not None
            and follower.item is None
            and follower.unit in _MEASURES
            and not utt.text[q.end : follower.start].strip()
            and fold(item) == fold(q.item or "")
        ):
            item = f"{item} {follower.text}"
            skip.add(i + 1)
        elif item is None and q.unit in _MEASURES and i > 0 and out:
            continue  # « … 25 kg » already read with the product before it
        out.append((q, item))
    return out


def _sku(utt: Utterance) -> str | None:
    match = _SKU.search(utt.text)
    return match.group(1) if match else None


def _product(utt: Utterance) -> str | None:
    sku = _sku(utt)
    if sku:
        return sku
    named = [item for _, item in _goods(utt) if item]
    if named:
        return named[0]
    return _entity(_names_after(utt, ("produit", "article"))) or _entity(
        _names_after(utt, _PRODUCT)
    )


def _quantity(utt: Utterance) -> Decimal | None:
    goods = _goods(utt)
    if goods:
        return goods[0][0].value
    return utt.numbers[0] if utt.numbers else None


def _places(utt: Utterance, markers: tuple[str, ...]) -> Iterator[str]:
    """Names after ``markers``; « le magasin de Thiès » keeps its « de Thiès »."""
    for name in _names_after(utt, markers):
        if fold(name) in _GENERIC_PLACES:
            at = utt.text.find(name) + len(name)
            link = re.match(r"\s+(?:d'|de la |de |du )", utt.folded[at:])
            if link:
                rest = Utterance(text=utt.text[at:], folded=utt.folded[at:])
                place = name_after(rest, ("de", "du", "de la"))
                if place:
                    linking = utt.text[at : at + link.end()].strip()
                    yield f"{name} {linking} {place}".replace("' ", "'")
                    continue
        yield name


def _warehouse(utt: Utterance, markers: tuple[str, ...] = _WAREHOUSE_AT) -> str | None:
    return _entity(_places(utt, markers))


def _reference(utt: Utterance) -> str | None:
    match = _REFERENCE.search(utt.text)
    return match.group(1).strip() if match else None


def _order(utt: Utterance) -> str | None:
    return next((n for n in utt.document_numbers if n.upper().startswith("BC-")), None)


def _reason(utt: Utterance) -> str | None:
    said = words_after(utt, ("motif", "parce que", "raison", "car"))
    if said:
        return said
    tail = utt.text.rsplit(",", 1)[1].strip(" .!") if "," in utt.text else ""
    if tail and not any(c.isdigit() for c in tail) and len(tail.split()) <= 5:
        folded_tail = fold(tail)
        if not folded_tail.startswith(("retire", "enleve", "sors", "sort")):
            return tail
    folded = f" {utt.folded} "
    for words, reason in _REASONS:
        if any(re.search(rf"\b{re.escape(w)}", folded) for w in words):
            return reason
    return None


def _clean(args: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if v not in (None, "", [])}


def _with_quantity(field: str) -> Any:
    """« non, 4 sacs », « non, 4 », « plutôt 4 sacs de sucre »: a new quantity (and product
    when one is named) replaces the previous ones; other fields the message says too."""

    def correct(previous: dict[str, Any], utt: Utterance, extract: Any) -> dict[str, Any]:
        said = extract(utt)
        if field not in said:
            quantity = _quantity(utt)
            if quantity is not None:
                said[field] = quantity
        return {**previous, **said}

    return correct


# --- extractors, one per tool --------------------------------------------------------------


def extract_find_product(utt: Utterance) -> dict[str, Any]:
    return _clean({"query": _product(utt)})


def _amounts(utt: Utterance) -> tuple[Decimal | None, Decimal | None]:
    """(sale price, purchase price): an amount after « achat » is the purchase price."""
    sale = purchase = None
    for a in utt.amounts:
        before = utt.folded[max(0, a.start - 25) : a.start]
        if "achat" in before and "vente" not in before.rsplit("achat", 1)[-1]:
            purchase = purchase or a.value
        else:
            sale = sale or a.value
    return sale, purchase


_NAME_END = re.compile(
    r"\s+(?:à|a|au prix de|pour|prix|vendu|achat)\s+(?=\d)|[,;:]|\s+(?:prix|achat|r[ée]f)\b",
    re.IGNORECASE,
)
_UNIT_AFTER = re.compile(r"(?:le|la|l'|par|l')\s*([a-zéèêûîôàç]+)", re.IGNORECASE)


def _new_product_name(utt: Utterance) -> str | None:
    rest = words_after(utt, ("nouveau produit", "nouvel article", "produit", "article", "service"))
    if not rest:
        return None
    name = _NAME_END.split(rest, maxsplit=1)[0].strip(" .")
    return name or None


def _unit(utt: Utterance) -> str | None:
    for a in utt.amounts:
        match = _UNIT_AFTER.match(utt.text[a.end :].lstrip())
        if match:
            try:
                return normalize_unit(match.group(1))
            except InvalidInput:  # « le » followed by a word that is no unit
                continue
    return None


def extract_create_product(utt: Utterance) -> dict[str, Any]:
    sale, purchase = _amounts(utt)
    sku = _sku(utt)
    kind = "service" if re.search(r"\bservice\b", utt.folded) else None
    return _clean(
        {
            "name": _new_product_name(utt),
            "sale_price": sale,
            "purchase_price": purchase,
            "sku": sku,
            "unit": _unit(utt),
            "kind": kind,
        }
    )


_RENAME = re.compile(r"(?i)renomm\w*\s+(.+?)\s+en\s+(.+?)\s*[.!]?$")


def extract_update_product(utt: Utterance) -> dict[str, Any]:
    rename = _RENAME.search(utt.text)
    if rename:
        return {"product": rename.group(1).strip(), "name": rename.group(2).strip()}
    sale, purchase = _amounts(utt)
    args: dict[str, Any] = {"product": _product(utt), "sale_price": sale}
    if purchase is not None:
        args["purchase_price"] = purchase
    folded = utt.folded
    if re.search(r"\b(plus|pas|ne)\b.*\bgere\w* en stock", folded):
        args["is_stockable"] = False
    elif re.search(r"\bgere\w* en stock|\bgerer (le|son) stock", folded):
        args["is_stockable"] = True
    if re.search(r"\barchiv|ne (se )?vend plus\b", folded):
        args["is_active"] = False
    return _clean(args)


def extract_stock_level(utt: Utterance) -> dict[str, Any]:
    return _clean({"product": _product(utt), "warehouse": _warehouse(utt)})


def extract_receive(utt: Utterance) -> dict[str, Any]:
    return _clean(
        {
            "product": _product(utt),
            "quantity": _quantity(utt),
            "warehouse": _warehouse(utt),
            "unit_cost": utt.amounts[0].value if utt.amounts else None,
            "reference": _reference(utt),
        }
    )


def extract_issue(utt: Utterance) -> dict[str, Any]:
    return _clean(
        {
            "product": _product(utt),
            "quantity": _quantity(utt),
            "reason": _reason(utt),
            "warehouse": _warehouse(utt, ("dans", "depuis", "à", "au", "a")),
            "reference": _reference(utt),
        }
    )


def extract_transfer(utt: Utterance) -> dict[str, Any]:
    to = _warehouse(utt, _WAREHOUSE_TO)
    origin = None
    for name in _names_after(utt, _WAREHOUSE_FROM):
        words = set(fold(name).split())
        if words & {"depot", "entrepot", "magasin", "boutique"} or name.isupper():
            origin = _entity(iter([name]))
            break
    if origin is None:
        origin = _entity(_names_after(utt, ("depuis",)))
    return _clean(
        {
            "product": _product(utt),
            "quantity": _quantity(utt),
            "to_warehouse": to,
            "from_warehouse": origin if origin != to else None,
        }
    )


def extract_adjust(utt: Utterance) -> dict[str, Any]:
    return _clean(
        {
            "product": _product(utt),
            "counted_quantity": _quantity(utt),
            "warehouse": _warehouse(utt),
            "reason": words_after(utt, ("motif", "parce que", "car")),
        }
    )


_REPORT_PLACE = (*_WAREHOUSE_AT, "de", "du")


def extract_low_stock(utt: Utterance) -> dict[str, Any]:
    return _clean({"warehouse": _warehouse(utt, _REPORT_PLACE)})


def extract_reorder_suggestions(utt: Utterance) -> dict[str, Any]:
    del utt
    return {}


def extract_forecast_stockout(utt: Utterance) -> dict[str, Any]:
    return _clean({"product": _product(utt)})


def extract_valuation(utt: Utterance) -> dict[str, Any]:
    return _clean({"warehouse": _warehouse(utt, _REPORT_PLACE)})


def _order_lines(utt: Utterance) -> list[dict[str, Any]]:
    goods = _goods(utt)
    lines = []
    for i, (q, item) in enumerate(goods):
        if not item:
            continue
        end = goods[i + 1][0].start if i + 1 < len(goods) else len(utt.text)
        price = next((a.value for a in utt.amounts if q.end <= a.start < end), None)
        lines.append(_clean({"product": item, "quantity": q.value, "unit_price": price}))
    return lines


def extract_create_purchase_order(utt: Utterance) -> dict[str, Any]:
    supplier = _entity(_names_after(utt, _SUPPLIER))
    return _clean({"supplier": supplier, "lines": _order_lines(utt)})


def correct_purchase_order(previous: dict[str, Any], utt: Utterance) -> dict[str, Any]:
    """« non, 60 sacs » changes the single line; « non, 60 sacs de riz » the riz line;
    « et 10 sacs de sucre » adds a line; a supplier said replaces the supplier."""
    lines = [dict(x) for x in previous.get("lines", [])]
    for q, item in _goods(utt):
        same = [x for x in lines if item and fold(x["product"]) == fold(item)]
        if same:
            same[0]["quantity"] = q.value
        elif item:
            lines.append({"product": item, "quantity": q.value})
        elif len(lines) == 1:
            lines[0]["quantity"] = q.value
    supplier = _entity(_names_after(utt, _SUPPLIER))
    result = {**previous, "lines": lines}
    if supplier:
        result["supplier"] = supplier
    return result


def extract_send_purchase_order(utt: Utterance) -> dict[str, Any]:
    return _clean({"order": _order(utt)})


def extract_receive_purchase_order(utt: Utterance) -> dict[str, Any]:
    lines = [{"product": item, "quantity": q.value} for q, item in _goods(utt) if item is not None]
    return _clean({"order": _order(utt), "lines": lines, "reference": _reference(utt)})


def _corrector(field: str, extract: Any) -> Any:
    fix = _with_quantity(field)
    return lambda previous, utt: fix(previous, utt, extract)


PRODUCT_Q = "Pour quel produit ?"
ADAPTERS: list[Adapter] = [
    Adapter("stock.find_product", extract_find_product, {"query": "Quel produit cherchez-vous ?"}),
    Adapter(
        "stock.create_product",
        extract_create_product,
        {"name": "Quel est le nom du produit ?", "sale_price": "À quel prix de vente (HT) ?"},
    ),
    Adapter("stock.update_product", extract_update_product, {"product": "Quel produit ?"}),
    Adapter("stock.stock_level", extract_stock_level, {"product": PRODUCT_Q}),
    Adapter(
        "stock.receive",
        extract_receive,
        {"product": "Quel produit est entré ?", "quantity": "Combien en avez-vous reçu ?"},
        _corrector("quantity", extract_receive),
    ),
    Adapter(
        "stock.issue",
        extract_issue,
        {
            "product": "Quel produit sort du stock ?",
            "quantity": "Quelle quantité ?",
            "reason": "Pour quel motif (vente, casse, usage interne…) ?",
        },
        _corrector("quantity", extract_issue),
    ),
    Adapter(
        "stock.transfer",
        extract_transfer,
        {
            "product": "Quel produit faut-il transférer ?",
            "quantity": "Quelle quantité ?",
            "to_warehouse": "Vers quel entrepôt ?",
        },
        _corrector("quantity", extract_transfer),
    ),
    Adapter(
        "stock.adjust",
        extract_adjust,
        {"product": PRODUCT_Q, "counted_quantity": "Combien en avez-vous compté ?"},
        _corrector("counted_quantity", extract_adjust),
    ),
    Adapter("stock.low_stock", extract_low_stock),
    Adapter("stock.reorder_suggestions", extract_reorder_suggestions),
    Adapter("stock.forecast_stockout", extract_forecast_stockout),
    Adapter(
        "stock.create_purchase_order",
        extract_create_purchase_order,
        {"supplier": "Chez quel fournisseur ?", "lines": "Quels produits et quelles quantités ?"},
        correct_purchase_order,
    ),
    Adapter(
        "stock.send_purchase_order",
        extract_send_purchase_order,
        {"order": "Quel bon de commande (numéro BC-…) ?"},
    ),
    Adapter(
        "stock.receive_purchase_order",
        extract_receive_purchase_order,
        {"order": "Quel bon de commande est arrivé (numéro BC-…) ?"},
    ),
    Adapter("stock.valuation", extract_valuation),
]
