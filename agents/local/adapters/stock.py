"""Stock and purchasing: from a French message to the arguments of the ``stock.*`` tools.

Products are read from the quantity's item (« 20 sacs de riz », « de Riz brisé 25 kg »), a
SKU (« RIZ-25 ») or the name after « de », « du »…; warehouses after « à », « dans »,
« vers »; suppliers after « chez », « à »…; purchase orders are « BC-… » numbers. Nothing
is guessed: what the message does not say is left out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from agents.local.adapters.base import (
    Adapter,
    Correct,
    Extract,
    after,
    before,
    given,
    line_named,
    names_after,
    overlaps,
)
from agents.local.coverage import SIZE_UNITS, STILL_DUE, named_kinds
from agents.local.mentions import name_after, qualified_item, words_after
from agents.local.router import IntentRouter, Routing
from agents.local.slots import parse_quantities
from agents.local.slots.text import fold
from agents.local.slots.types import Quantity, Utterance
from domain.kit.lexicon import pairs, phrases, phrasing, phrasings_of, words
from domain.sales.units import UnitEntry, known_unit, lexicon

# Sizes that belong to a product's name when no item follows them (« Huile 5 L »).
_MEASURES = {"kg", "g", "litre", "l", "cl", "ml", "m", "metre", "cm", "tonne"}
_REASONS = pairs("stock_reasons")  # « sacs déchirés » → "emballage déchiré"
_SKU = re.compile(r"(?<![\w-])(?!BC-|BL-|F-|D-|AV-)([A-Z][A-Z0-9]*-[A-Z0-9][A-Z0-9-]*)(?![\w-])")
_REFERENCE = phrasing("reference")
_WAREHOUSE_TO = ("vers", "dans", "à", "au", "a")
_WAREHOUSE_FROM = ("depuis", "de", "du")
_WAREHOUSE_AT = ("dans", "à", "au", "a")
_SUPPLIER = ("chez", "fournisseur", "auprès de", "aupres de", "à", "au", "a")
_PRODUCT = ("de", "du", "des", "comme", "le", "la", "les", "l'")
_ITEM_END = re.compile(
    r"(?i)\s+(?:vers|dans|à|au|aux|chez|aupr[èe]s|pour|depuis|et|se|s'|sont|ont|est|qui"
    r"|ils|elles|on|ce|cette|hier|aujourd'hui"
    # « en » ends the item, save in a name (« sucre en poudre »)
    r"|en(?!\s+(?:" + "|".join(map(re.escape, words("item_en_forms"))) + r")\b))(?:\s|$)"
)
_CODE_TAIL = re.compile(r"\s+(?:de|du|depuis|à|a|vers)\s+[A-Z][A-Z0-9_-]+$")
_REF_CODE = phrasing("ref_code")
# « combien de lampes de bureau pliables en stock ? », « il reste combien de sucre en
# poudre ? »: the whole name after the question, « de » and « en » included, up to where
# the question goes on.
_ASKED_PRODUCT = phrasing("asked_product")
# « 3,20 à l'achat », « 350 F en achat »: the role said right after the price.
_BOUGHT_AFTER = phrasing("bought_after")
_SALE_SAID = phrasing("sale_said")
_STOCK_BOUND_SAID = phrasing("stock_bound_said")
_RENAME = re.compile(r"(?i)renomm\w*\s+(.+?)\s+en\s+(.+?)\s*[.!]?$")
_PRICE_SAID = phrasing("price_said")
# « on en a 12 »: the count an inventory found, said apart from the product.
_COUNT_FOUND = phrasing("count_found")
# « 2 sacs ont disparu », « il en manque 3 », « 4 pots cassés »: what became of the goods
# missing, said beside the count.
_LOSS = phrasing("loss")
# « ajoute la menthe fraîche, … », « crée les biscuits … »: the goods a message opens on
# making, said with their article.
_ADDED = phrasing("added")
_RETIRED = phrasing("retired_product")


# Every spelling of a unit goods are counted in (« pot », « sachets »): a container names
# no product, the name after it does (« le prix du pot de miel »).
_UNIT_WORDS = frozenset(
    fold(f) for e in lexicon() if e.in_quantities for f in (e.unit, e.spoken, *e.forms)
)


def _entity(names: Iterable[str]) -> str | None:
    """The first of ``names`` that is a product, a place or a supplier (verbs it runs into
    dropped)."""
    for name in names:
        kept = [w for w in fold(name).split() if w not in words("verbs_after_a_product")]
        if kept and not set(kept) <= words("not_an_entity") | _UNIT_WORDS:
            return " ".join(name.split()[: len(kept)]) if len(kept) < len(name.split()) else name
    return None


def _without_tail(item: str) -> str:
    """``item`` without the last words that say something of the goods (« cassés »)."""
    said = item.split()
    while len(said) > 1 and fold(said[-1]) in words("not_in_a_product_name"):
        said.pop()
    return " ".join(said)


def _trim_item(item: str) -> str:
    item = _CODE_TAIL.sub("", item)  # « 20 savons de PRINC »: PRINC is a warehouse code
    return _without_tail(_ITEM_END.split(item, maxsplit=1)[0])


def _goods(utt: Utterance) -> list[tuple[Quantity, str | None]]:
    """Quantities counted in the message with the product each names (a size that directly
    follows the product, « Riz brisé 25 kg », is part of its name, not a quantity)."""
    out: list[tuple[Quantity, str | None]] = []
    skip: set[int] = set()
    qs = utt.quantities or _unclaimed_quantities(utt)
    for i, q in enumerate(qs):
        if i in skip or _is_size(utt, q):
            continue
        if (designated := _container_size(utt, q)) is not None:
            if out and out[-1][1] is None and not utt.text[out[-1][0].end : q.start].strip(" de'"):
                out[-1] = (out[-1][0], designated)  # « 3 bidons de 20 litres de Dinor »
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


_DESIGNATION = re.compile(r"(?:\b(?:le|la|celui|celle|modele|format|taille)(?: de)?|l')\s*$")


def _is_size(utt: Utterance, q: Quantity) -> bool:
    """« le 20 litres », « celui de 5 kg »: a size that points at a product, not a count."""
    return (
        q.item is None
        and q.unit in _MEASURES
        and bool(_DESIGNATION.search(utt.folded[max(0, q.start - 12) : q.start]))
    )


_OF_CONTAINER = re.compile(r"\b([a-z]+)\s+(?:de|d')\s*$")


def _container_size(utt: Utterance, q: Quantity) -> str | None:
    """« le bidon de 20 litres de Dinor »: a size said after a container, before the
    product's name, names the product in that size (« Dinor 20 litres ») — not a count."""
    container = _OF_CONTAINER.search(utt.folded[max(0, q.start - 20) : q.start])
    if q.item is None or q.unit not in _MEASURES or container is None:
        return None
    if fold(container.group(1)) not in _UNIT_WORDS:
        return None
    size = utt.text[q.start : q.end][: -len(q.item)].strip()
    size = re.sub(r"(?i)\s+(?:de|d')$", "", size)
    return f"{_trim_item(q.item)} {size}"


_NEGATIVE = re.compile(r"(?<![\w.,-])-\s?(?=\d)")


def _unclaimed_quantities(utt: Utterance) -> list[Quantity]:
    """Quantities the slot parser left out: negative ones (« -4 sacs », kept negative so that
    the tool refuses them with its reason) and counts of a unit it does not know that another
    parser took as an amount without currency (« reçu 10 casiers de Coca-Cola »)."""
    text = utt.text
    negatives = [m.start() for m in _NEGATIVE.finditer(text)]
    for start in negatives:
        text = text[:start] + " " + text[start + 1 :]
    priced = [(a.start, a.end) for a in utt.amounts if a.currency is not None]
    out = []
    for q in parse_quantities(text):
        if q.item is None and q.unit is None:
            continue
        if overlaps(q.start, q.end, priced):
            continue
        sign = -1 if any(0 <= q.start - n <= 2 for n in negatives) else 1
        out.append(
            Quantity(sign * q.value, q.unit, q.item, utt.text[q.start : q.end], q.start, q.end)
        )
    return out


def _sku(utt: Utterance) -> str | None:
    """A reference written like one (« RIZ-25 »), or any code after « réf », « référence »,
    « code » that has a digit or is in capitals (« réf CAF1 », « référence LAIT400 »)."""
    match = _SKU.search(utt.text)
    if match:
        return match.group(1)
    for match in _REF_CODE.finditer(utt.text):
        code = match.group(1)
        if any(c.isdigit() for c in code) or code.isupper():
            return code
    return None


# « combien de cartons de sucre … »: the unit counted, before the product.
_COUNTED_IN = re.compile(r"([a-z]+)\s+(?:de |d')\s*")


def _asked_product(utt: Utterance) -> str | None:
    found = _ASKED_PRODUCT.search(utt.folded)
    if found is None:
        return None
    start = found.start(1)
    unit = _COUNTED_IN.match(utt.folded, start)
    if unit is not None and unit.group(1) in _UNIT_WORDS and unit.end() < found.end(1):
        start = unit.end()
    if fold(utt.folded[start : found.end(1)]).split()[0] in words("not_an_entity") | {"temps"}:
        return None
    return utt.text[start : found.end(1)].strip() or None


def _counted(utt: Utterance) -> str | None:
    """The product a message names by its reference or with the count (« 20 sacs de riz »)."""
    return _sku(utt) or _sized(utt, next((item for _, item in _goods(utt) if item), None))


# « vis 4x40 », « pneus 205/55 », « planche 20 x 200 »: dimensions written after a name.
_DIMENSION = phrasing("dimension")
# « des pinceaux plats de 50 ? »: a bare size that ends a question, after the name (a change
# said « de 500 » is no question).
_SIZE_OF = re.compile(r"\s+de\s+\d+(?:[.,]\d+)?(?=\s*\?\s*$)")


# A word that a size number follows in a product's name.
_SIZE_WORDS = words("size_words")
_SIZE_NUMBER = re.compile(r"\s*\d+(?![\w,.]\d)")


def _dimensioned(utt: Utterance, name: str | None) -> str | None:
    """``name`` with the dimensions written right after it (« vis 4x40 »), or a bare size
    after « de » that ends the message (« pinceaux plats de 50 »): part of the product's
    name, no count."""
    if not name:
        return name
    numbered = fold(name.split()[-1]) in _SIZE_WORDS  # « couches taille 3 », « vis n° 8 »
    for found in re.finditer(rf"(?<![\w]){re.escape(name)}(?![\w])", utt.text):
        size = _DIMENSION.match(utt.text, found.end()) or _SIZE_OF.match(utt.text, found.end())
        if size is None and numbered:
            size = _SIZE_NUMBER.match(utt.text, found.end())
        if size is not None:
            return utt.text[found.start() : size.end()].strip()
    return name


def _sized(utt: Utterance, name: str | None) -> str | None:
    """``name`` with the size written right after it (« le gaz 6kg », « terreau 40 L »,
    « peinture de 10L »), which tells the product from its other sizes."""
    at = utt.text.find(name) if name else -1
    if name is None or at < 0:
        return name
    if (dimensioned := _dimensioned(utt, name)) != name:
        return dimensioned
    end = at + len(name)
    for q in utt.quantities:
        if q.item is None and q.unit in _MEASURES and q.start >= end:
            return f"{name} {q.text}" if utt.text[end : q.start].strip() in ("", "de") else name
    return name


def _product(utt: Utterance) -> str | None:
    return (
        _counted(utt)
        or next((d for q in utt.quantities if (d := _container_size(utt, q)) is not None), None)
        or _sized(utt, _entity(names_after(utt, ("produit", "article"))))
        or _asked_product(utt)
        or _sized(utt, _entity(names_after(utt, _PRODUCT)))
        or next((q.text for q in utt.quantities if _is_size(utt, q)), None)
    )


def _quantity(utt: Utterance) -> Decimal | None:
    """The count of the goods named: « un carton est tombé, 3 pots de miel cassés » counts
    3 pots — a container said without goods is the scene, not the count."""
    goods = _goods(utt)
    if goods:
        return next((q.value for q, item in goods if item), goods[0][0].value)
    return utt.numbers[0] if utt.numbers else None


def _places(utt: Utterance, markers: tuple[str, ...]) -> Iterator[str]:
    """Names after ``markers``; « le magasin de Thiès » keeps its « de Thiès »."""
    for name in names_after(utt, markers):
        if fold(name) in words("generic_places"):
            at = utt.text.find(name) + len(name)
            link = re.match(r"\s+(?:d'|de la |de |du )", utt.folded[at:])
            if link:
                place = name_after(after(utt, at), ("de", "du", "de la"))
                if place:
                    linking = utt.text[at : at + link.end()].strip()
                    yield f"{name} {linking} {place}".replace("' ", "'")
                    continue
        yield name


def _warehouse(utt: Utterance, markers: tuple[str, ...] = _WAREHOUSE_AT) -> str | None:
    """A warehouse is named by a place word (« la boutique », « le dépôt de Thiès »), a code
    (« PRINC ») or a proper name (« Thiès »); « à l'association », « à zéro » are none."""
    places = _places(utt, markers)
    return _entity(
        p for p in places if set(fold(p).split()) & words("place_words") or p[:1].isupper()
    )


def _warehouse_from(utt: Utterance) -> str | None:
    """Where goods leave from: « dans », « à »… a place, or « de », « du », « depuis » a
    place word (« du dépôt de Thiès »; « de Bordeaux » is a product)."""
    return _warehouse(utt, ("dans", "depuis", "à", "au", "a")) or _entity(
        p for p in _places(utt, _WAREHOUSE_FROM) if set(fold(p).split()) & words("place_words")
    )


def _reference(utt: Utterance) -> str | None:
    match = _REFERENCE.search(utt.text)
    return match.group(1).strip() if match else None


_PURPOSE = re.compile(r"(?i)(?<![\w'])(?:c'est |c est )?pour\s+(?!\d)")
_TAIL_VERBS = ("retire", "enleve", "sors", "sort", "destocke", "enregistre", "fais", "merci")


def _reason_span(utt: Utterance, product: str | None) -> tuple[str, int] | None:
    """The reason a message gives for a stock exit, with where it starts: after « motif »,
    « parce que », « car »; the clause after the last comma (« , ils ont pris l'eau »); what
    follows « pour » (« pour le chantier de la mosquée »); else a known word (« déchirés »,
    « périmés », « cassés »)."""
    for marker in ("motif", "parce que", "raison", "car"):
        said = words_after(utt, (marker,))
        if said:
            return said, utt.text.rfind(said)
    if "," in utt.text:
        at = utt.text.rindex(",") + 1
        # the clause only, to the end of its sentence (« , ils sont foutus. Enlève-les »)
        tail = re.split(r"[.!?;]\s", utt.text[at:], maxsplit=1)[0].strip(" .!")
        if (
            tail
            and not any(c.isdigit() for c in tail)
            and len(tail.split()) <= 8
            and not fold(tail).startswith(_TAIL_VERBS)
        ):
            return tail, at
    for match in _PURPOSE.finditer(utt.text):
        said = re.split(r"[,;.!?]", utt.text[match.end() :], maxsplit=1)[0].strip()
        if said and not fold(said).startswith(("combien", "quel")):
            return said, match.start()
    # « 8 sacs de riz brisé »: the goods' name gives no reason
    folded = f" {utt.folded.replace(fold(product or '-'), ' ')} "
    for causes, reason in _REASONS:
        if any(re.search(rf"\b{re.escape(w)}", folded) for w in causes):
            return reason, len(utt.text)
    return None


def _with_quantity(field: str, extract: Extract) -> Correct:
    """« non, 4 sacs », « non, 4 », « plutôt 4 sacs de sucre »: a new quantity (and product
    when one is named) replaces the previous ones; other fields the message says too."""

    def correct(previous: dict[str, Any], utt: Utterance) -> dict[str, Any]:
        said = extract(utt)
        if field not in said and (quantity := _quantity(utt)) is not None:
            said[field] = quantity
        return {**previous, **said}

    return correct


def _price_role(utt: Utterance, start: int) -> str | None:
    """ "purchase" or "sale" when the words before a price in its clause say which
    (« le prix d'achat des pneus 205/55 passe à 61 € »), else None."""
    before = re.split(r"[,;]|\bet\b|\bpuis\b", utt.folded[max(0, start - 60) : start])[-1]
    best, role = -1, None
    for said, name in pairs("price_roles"):
        for w in said:
            at = before.rfind(w)
            if at > best:
                best, role = at, name
    return role


_BARE_NUMBER = re.compile(r"(?<![\w,.])\d+(?:[.,]\d+)?(?![\w,.])")
_PER_UNIT = re.compile(r"\s*(?:le|la|l'|par)\s*([a-z²³]+)")


def _prices_per_unit(utt: Utterance) -> list[tuple[int, Decimal]]:
    """Bare numbers said per a unit of the lexicon (« 6500 le bidon », « 900 la boîte »),
    with where each starts: a price, though said without a currency."""
    out = []
    for found in _BARE_NUMBER.finditer(utt.folded):
        value = Decimal(found.group(0).replace(",", "."))
        unit = _PER_UNIT.match(utt.folded, found.end())
        if value in utt.numbers and unit and known_unit(unit.group(1)) is not None:
            out.append((found.start(), value))
    return out


def _bare_after(utt: Utterance, said: re.Pattern[str], other: Decimal | None) -> Decimal | None:
    """A bare number right after words that say which price it is."""
    for match in re.finditer(r"(?<![\w,./-])(\d+(?:[.,]\d+)?)(?![\w,.]*\s*%|/)", utt.folded):
        value = Decimal(match.group(1).replace(",", "."))
        taken = any(a.start <= match.start() < a.end for a in utt.amounts)
        if taken or value == other or _is_vat(utt, match.start()):
            continue
        if value in utt.numbers and said.search(
            utt.folded[max(0, match.start() - 20) : match.start()]
        ):
            return value
    return None


def _amounts(utt: Utterance) -> tuple[Decimal | None, Decimal | None]:
    """(sale price, purchase price): an amount after « achat », « acheté », « coût » is the
    purchase price; any other the sale price. A bare number said per unit (« 6500 le
    bidon ») is a price too; a bare decimal number after « acheté » or « prix d'achat … à »
    counts as the purchase price (« acheté 24,10 », « prix d'achat … a 7,85 »)."""
    sale = purchase = None
    said = [(a.start, a.value) for a in utt.amounts] + _prices_per_unit(utt)
    for start, value in sorted(said, key=lambda s: s[0]):
        if _price_role(utt, start) == "purchase" or _BOUGHT_AFTER.match(utt.folded, start):
            purchase = purchase if purchase is not None else value
        else:
            sale = sale if sale is not None else value
    if sale is None:  # « prix de vente 1500 », « vendue 2 000 »: said without a currency
        sale = _bare_after(utt, _SALE_SAID, purchase)
    if purchase is None and re.search(r"\b(?:achat|achete)", utt.folded):
        for match in re.finditer(r"(?<![\w,./-])(\d+(?:[.,]\d+)?)(?![\w,.]*\s*%|/)", utt.folded):
            if _price_role(utt, match.start()) == "purchase" or re.search(
                r"\b(?:a|à|:)\s*$", utt.folded[: match.start()]
            ):
                taken = any(a.start <= match.start() < a.end for a in utt.amounts)
                if not taken and not _is_vat(utt, match.start()):
                    purchase = Decimal(match.group(1).replace(",", "."))
                    break
    return sale, purchase


def _is_vat(utt: Utterance, start: int) -> bool:
    return re.search(r"\btva\s*(?:a|à|de|:|=)?\s*$", utt.folded[:start]) is not None


_VAT = re.compile(r"\btva\s*(?:a|à|de|:|=)?\s*(\d{1,2}(?:[.,]\d{1,2})?)\s*%?")


def _vat_rate(utt: Utterance) -> Decimal | None:
    """« TVA 5,5 », « TVA à 18 % », « la TVA du jus passe à 10 % »."""
    match = _VAT.search(utt.folded)
    if match is None and re.search(r"\btva\b", utt.folded):
        match = re.search(r"(?<![\w,.])(\d{1,2}(?:[.,]\d{1,2})?)\s*%", utt.folded)
    return Decimal(match.group(1).replace(",", ".")) if match else None


_NAME_END = phrasing("name_end", re.IGNORECASE)
_UNIT_AFTER = re.compile(r"((?:le|la|l'|par)\s*)?([a-zéèêûîôàç²³]+)", re.IGNORECASE)


def _alternatives(entries: Iterator[UnitEntry]) -> str:
    forms = {fold(f) for e in entries for f in (e.unit, e.spoken, *e.forms) if len(f) > 1}
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


# « sac de 25 kg », « pot de 500 g »: the product is sold by that container (a packaging
# unit of the lexicon, coded "X…").
_CONTAINER = phrasing("container")
# « à l'unité », « au kilo », « par bidon », « le seau », « en sachet »: a unit of the
# lexicon; a duration or lump sum only after « par », « au », « l' » (« par mois », « de
# l'heure », « au forfait »): « la semaine », « le mois » name things too (« Menu de la
# semaine »).
_BY_UNIT = re.compile(
    r"\b(?:a l'|a la|au|par|l'|la|le|en)\s*("
    + _alternatives(e for e in lexicon() if e.in_quantities)
    + r")(?![\w'])"
    + r"|\b(?:au|par|l')\s*("
    + _alternatives(e for e in lexicon() if not e.in_quantities)
    + r")(?![\w'])"
)


def _new_product_name(utt: Utterance) -> str | None:
    rest = words_after(utt, tuple(words("new_product_markers")))
    added = _ADDED.match(utt.folded) if _PRICE_SAID.search(utt.folded) else None
    if not rest and added is not None:  # goods said to be sold or bought
        rest = utt.text[added.end() :].strip()
    if not rest:
        return None
    name = _NAME_END.split(rest, maxsplit=1)[0].strip(" .")
    return re.sub(r"^(?:le|la|les|l')\s*(?=\w)", "", name) or None  # « le pack de 6 … »


def _unit(utt: Utterance) -> str | None:
    """The unit a new product is sold by: one the lexicon knows (« à 2 000 F le bidon »,
    « pot de 500 g »), or any word said per price (« 300 F le morceau »: units are open)."""
    for a in utt.amounts:
        match = _UNIT_AFTER.match(utt.text[a.end :].lstrip())
        entry = known_unit(match.group(2)) if match else None
        if entry is not None:
            return entry.unit
        if match and match.group(1) and fold(match.group(2)) not in words("not_an_entity"):
            return match.group(2).lower()
    for pattern in (_CONTAINER, _BY_UNIT):
        for match in pattern.finditer(utt.folded):
            entry = known_unit(match.group(match.lastindex or 1))
            if entry is not None:
                return entry.unit
    return None


_QUOTED = re.compile(r"(?:^|(?<=\s))[«\"'‘“]\s*([^«»\"'‘’“”]{2,80}?)\s*[»\"'’”](?=$|[\s,.;:!?])")
_PRICE_LEFT_OPEN = phrasing("price_left_open")


def extract_create_product(utt: Utterance) -> dict[str, Any]:
    sale, purchase = _amounts(utt)
    sku = _sku(utt)
    kind = "service" if re.search(r"\b(?:service|prestation)\b", utt.folded) else None
    quoted = _QUOTED.search(utt.text)
    # a price agreed on each sale: said as left open, so it is not asked for (an explicit None)
    left_open = sale is None and _PRICE_LEFT_OPEN.search(utt.folded) is not None
    return {
        **({"sale_price": None} if left_open else {}),
        **given(
            name=quoted.group(1) if quoted else _new_product_name(utt),
            sale_price=sale,
            purchase_price=purchase,
            sku=sku,
            unit=_unit(utt),
            kind=kind,
            vat_rate=_vat_rate(utt),
            # a new product's bounds only when said as such (« stock minimum 24 »), never a
            # bare « minimum » (of an order, a price…)
            **(_stock_bounds(utt) if _STOCK_BOUND_SAID.search(utt.folded) else {}),
        ),
    }


_MIN_STOCK = phrasing("min_stock")
_MAX_STOCK = re.compile(r"\b(?:stock\s+)?(?:maximum|maxi|max|maximal)\b")


def _level_after(utt: Utterance, start: int) -> Decimal | None:
    """The first count or number said after ``start`` (« … à 30 cartons », « : 50 »); a
    size naming the product (« gaz 6kg ») is no count."""
    for q in utt.quantities:
        if q.start >= start and not (q.item is None and q.unit in _MEASURES):
            return q.value
    match = re.search(r"(?<![\w,.])(\d+(?:[.,]\d+)?)(?![\w,.])", utt.folded[start:])
    return Decimal(match.group(1).replace(",", ".")) if match else None


def _stock_bounds(utt: Utterance) -> dict[str, Decimal]:
    """« stock minimum … à 30 », « seuil d'alerte 40 », « maximum à 100 »."""
    bounds: dict[str, Decimal] = {}
    low = _MIN_STOCK.search(utt.folded)
    high = _MAX_STOCK.search(utt.folded)
    if low:
        end = high.start() if high and high.start() > low.end() else len(utt.folded)
        value = _level_after(before(utt, end), low.end())
        if value is not None:
            bounds["min_stock"] = value
    if high:
        value = _level_after(utt, high.end())
        if value is not None:
            bounds["max_stock"] = value
    return bounds


# « le ciment augmente de 10 % », « baisse le prix du riz de 5 % »: a price changed by a share.
# « le prix du fer de 12 de 5 % », « pour les chevilles de 8, … »: a number after the name,
# before a share or the end of a clause, is its size.
_SIZE_AFTER = re.compile(r"\s+de\s+\d+(?:[.,]\d+)?(?=\s+de\s+\d+(?:[.,]\d+)?\s*%|\s*[,;:])")


def _with_size(utt: Utterance, product: str | None) -> str | None:
    at = utt.text.find(product) if product else -1
    sized = _SIZE_AFTER.match(utt.text, at + len(product or "")) if at >= 0 else None
    return product if sized is None else utt.text[at : sized.end()]


_PRICE_CHANGE = phrasing("price_change")
# « c'est 5,5 % et pas 20 »: the number set aside is the old value, never the new one.
_SET_ASIDE = re.compile(r"(?:\bpas|\bnon|au lieu de|plutot que|et non)\s*$")


def _price_change(utt: Utterance) -> Decimal | None:
    found = _PRICE_CHANGE.search(utt.folded)
    if found is None:
        return None
    said, share = found.group(1, 2) if found.group(1) else found.group(3, 4)
    value = Decimal(share.replace(",", "."))
    return value if said in ("augment", "hausse", "monte", "+") else -value


def _bare_price(utt: Utterance) -> Decimal | None:
    """« le miel passe à 8,20 »: a decimal price the amount parser leaves to the numbers —
    the last one said that is not set aside."""
    for found in reversed(list(re.finditer(r"(?<![\w,.])\d+(?:[.,]\d+)?(?!\s*%)", utt.folded))):
        value = Decimal(found.group(0).replace(",", "."))
        aside = _SET_ASIDE.search(utt.folded[max(0, found.start() - 20) : found.start()])
        if value in utt.numbers and not aside:
            return value
    return None


# A price said with its taxes (« passe à 45 € TTC »).
_INCL_TAX = re.compile(r"^\s*(?:€|eur\w*|f|fcfa|cfa|francs?)?\s*(?:ttc|toutes taxes)\b")
# An opening clause saying when or why (« Pour les fêtes, … », « Dès lundi, … »): no name in it.
_OCCASION = phrasing("occasion")


def _product_of_price(utt: Utterance) -> str | None:
    """The product whose price is said, after an opening clause of occasion."""
    opening = _OCCASION.match(utt.folded)
    product = _product(after(utt, opening.end()) if opening else utt)
    if product is None:
        return None
    # « le sac de riz c'est 16 500 », « … vaut 4 500 »: the name ends at what is said of it
    return re.split(r"(?i)\s+(?:c'est|c'|c|est|vaut|coute|coûte)(?:\s|$)", product)[0] or None


def extract_update_product(utt: Utterance) -> dict[str, Any]:
    rename = _RENAME.search(utt.text)
    if rename:
        return {"product": rename.group(1).strip(), "name": rename.group(2).strip()}
    bounds = _stock_bounds(utt)
    if bounds:
        product = _with_size(utt, _product_named(utt))
        return given({"product": product, **bounds, **_prices_before_bounds(utt)})
    change = _price_change(utt)
    if change is not None:
        product = _product(utt)
        if product is not None:  # « le ciment augmente de 10 % »: the product, not its verb
            product = re.split(r"(?i)\s+(?:augment|hausse|monte|baiss|diminu)\w*", product)[0]
            product = _with_size(utt, product)
        return given({"product": product, "sale_price_change": change})
    sale, purchase = _amounts(utt)
    if sale is None and purchase is None and utt.numbers and not utt.quantities:
        sale = _bare_price(utt)
    args: dict[str, Any] = {"product": _product_of_price(utt), "sale_price": sale}
    said = next((a for a in utt.amounts if a.value == sale), None)
    if said is not None and _INCL_TAX.match(utt.folded[said.end :]):
        args["sale_price"], args["sale_price_incl_tax"] = None, sale
    if purchase is not None:
        args["purchase_price"] = purchase
    vat = _vat_rate(utt)
    if vat is not None:
        args["vat_rate"] = vat
        if args["sale_price"] == vat:
            args["sale_price"] = None
        if args["product"] is None or fold(args["product"]) == "tva":
            args["product"] = _product_named(utt)
    for flag, saying in phrasings_of("product_flags"):  # « n'est plus géré en stock »…
        field, value = flag.split("=")
        if saying.search(utt.folded):
            args.setdefault(field, value == "oui")
    if retired := _RETIRED.search(utt.folded):  # « enlève le jus de bissap du catalogue »
        named = utt.text[slice(*retired.span("listed" if retired.group("listed") else "sold"))]
        name = re.sub(r"(?i)^(?:le|la|les|l')(?:\s+|(?<=')|$)", "", named.strip())
        args.update(is_active=False, product=name or args["product"])  # none: « retire-le »
    return given(args)


def _prices_before_bounds(utt: Utterance) -> dict[str, Decimal]:
    """« mets le prix du thé à 600 et son stock minimum à 30 »: a price said in the clause
    before the stock bounds, with its currency or a word that says it is a price."""
    said = (_MIN_STOCK.search(utt.folded), _MAX_STOCK.search(utt.folded))
    bound = min(m.start() for m in said if m)
    head = before(utt, bound)
    priced = any(a.currency for a in head.amounts) or _PRICE_SAID.search(head.folded)
    if not priced or not head.amounts:
        return {}
    sale, purchase = _amounts(head)
    return given(sale_price=sale, purchase_price=purchase)


def _product_named(utt: Utterance) -> str | None:
    """The product a message about the product itself names (not the count it gives)."""
    return (
        _sku(utt)
        or _sized(utt, _entity(names_after(utt, ("produit", "article"))))
        or _sized(utt, _entity(names_after(utt, _PRODUCT)))
    )


def _arrived_product(utt: Utterance) -> str | None:
    """« le camion des Grands Moulins a livré le riz brisé »: the product follows the verb."""
    for match in re.finditer(r"\w+", utt.folded):
        if match.group(0) in words("arrival_verbs"):
            name = _entity(names_after(after(utt, match.end()), _PRODUCT))
            if name:
                return name
    return None


def extract_receive(utt: Utterance) -> dict[str, Any]:
    quantity, counted = _quantity(utt), [(q.start, q.end) for q, _ in _goods(utt)]
    # a price said with the goods, not the count another parser took for an amount; a price
    # without a count is no entry's cost (« le sac de riz c'est 16 500 »)
    costs = [a.value for a in utt.amounts if not overlaps(a.start, a.end, counted)]
    return given(
        product=_counted(utt) or _arrived_product(utt) or _product(utt),
        quantity=quantity,
        warehouse=_warehouse(utt),
        unit_cost=costs[0] if costs and quantity is not None else None,
        reference=_reference(utt),
    )


def _names_a_reason(utt: Utterance, place: str | None) -> bool:
    """« une vente au comptoir », « vendu à la boutique »: a place said right after a word
    that gives the reason, or itself such a word (« partis au comptoir »), is part of that
    reason, not where the goods leave from."""
    if place is None:
        return False
    at = utt.folded.find(fold(place))
    said = re.search(r"(\w+)\s+(?:a l'|a la|au|a|dans la|dans le)\s*$", utt.folded[:at])
    named = fold(place).split() + ([said.group(1).rstrip("s")] if said else [])
    return any(word in causes for word in named for causes, _ in _REASONS)


def extract_issue(utt: Utterance) -> dict[str, Any]:
    span = _reason_span(utt, _product(utt))
    # The product and the warehouse are read before the reason: « pour la cantine » is none.
    head = before(utt, span[1]) if span else utt
    warehouse = _warehouse_from(head)
    return given(
        product=_product(head),
        quantity=_quantity(utt),
        reason=span[0] if span else None,
        warehouse=None if _names_a_reason(head, warehouse) else warehouse,
        reference=_reference(utt),
    )


def extract_transfer(utt: Utterance) -> dict[str, Any]:
    to = _warehouse(utt, _WAREHOUSE_TO)
    origin = _entity(
        n
        for n in names_after(utt, _WAREHOUSE_FROM)
        if set(fold(n).split()) & words("generic_places") or n.isupper()
    ) or _entity(names_after(utt, ("depuis",)))
    return given(
        product=_product(utt),
        quantity=_quantity(utt),
        to_warehouse=to,
        from_warehouse=origin if origin != to else None,
    )


# « le stock de gaz à moins 5 »: the count said after the product, maybe negative.
_SET_TO = re.compile(r"\s+(?:a|à|=)\s+(?:moins\s+|-\s*)?\d.*$", re.IGNORECASE)
_BELOW_ZERO = re.compile(r"(?:\ba|=)\s*(?:moins\s+|-\s*)\d")


# « l'inventaire du rayon huiles : 18 bidons de 5L »: a section names the kind of goods
# counted; the size of the containers counted tells which product of that kind.
_SECTION = re.compile(r"^(?:rayon|etagere|allee|vitrine|frigo)s?\s+(?:des |du |de |d')?")
_CONTAINER_OF = re.compile(r"\s+(?:de|d')\s*")


def _section_sized(utt: Utterance, product: str | None) -> str | None:
    section = _SECTION.match(fold(product or ""))
    if product is None or section is None:
        return product
    said = product[section.end() :]
    for count, size in zip(utt.quantities, utt.quantities[1:], strict=False):
        between = _CONTAINER_OF.fullmatch(utt.folded[count.end : size.start])
        if count.item is None and size.item is None and size.unit in _MEASURES and between:
            return f"{said} {size.text}"
    return said


def extract_adjust(utt: Utterance) -> dict[str, Any]:
    counted = _entity(names_after(utt, ("inventaire", "inventaire de", "inventaire du")))
    product = _section_sized(utt, _counted(utt) or counted or _product(utt))
    found = _COUNT_FOUND.search(utt.folded)
    quantity = Decimal(found.group(1).replace(",", ".")) if found else _quantity(utt)
    if found:  # « huile arachide 20L, on en a 12 »: the size said before the count names it
        sized = [q for q in utt.quantities if q.end <= found.start() and q.unit in SIZE_UNITS]
        named = sized[0].item if len(sized) == 1 else None
        if named and fold(sized[0].text).startswith(fold(named)):
            product = sized[0].text
    set_to = _SET_TO.search(product or "")
    if product and set_to:
        product = product[: set_to.start()]
    if quantity is not None and _BELOW_ZERO.search(utt.folded):
        quantity = -abs(quantity)  # refused by the tool, which says why
    return given(
        product=product,
        counted_quantity=quantity,
        warehouse=_warehouse(utt),
        reason=words_after(utt, ("motif", "parce que", "car")) or _loss_said(utt),
    )


def _loss_said(utt: Utterance) -> str | None:
    """The clause that says how goods were lost, as the adjustment's reason."""
    start = 0
    for clause in re.split(r"([,;.!?])", utt.text):
        end = start + len(clause)
        if _LOSS.search(utt.folded[start:end]) and len(clause.split()) >= 2:
            return clause.strip()
        start = end
    return None


def _order_lines(utt: Utterance) -> list[dict[str, Any]]:
    goods = _goods(utt)
    lines = []
    for i, (q, item) in enumerate(goods):
        if not item:
            continue
        end = goods[i + 1][0].start if i + 1 < len(goods) else len(utt.text)
        price = next((a.value for a in utt.amounts if q.end <= a.start < end), None)
        item = qualified_item(utt, q.end, item) if item == q.item else item
        lines.append(given({"product": item, "quantity": q.value, "unit_price": price}))
    return lines


_ORDERED = phrases("ordered_product_markers")


def _ordered_product(utt: Utterance, supplier: str | None) -> str | None:
    """« passe la commande de farine proposée chez … », « passe chez … la commande de farine
    proposée »: a product named without a count (the tool then takes the quantity the
    reorder suggestions propose); the supplier's name is not read as the product."""
    supplier_at = re.search(r"\b(?:chez|aupres)\b", utt.folded)
    head = before(utt, supplier_at.start()) if supplier_at else utt
    name = _entity(names_after(head, _ORDERED))
    at = utt.text.find(supplier, supplier_at.end()) if supplier_at and supplier else -1
    if name is None and supplier and at >= 0:
        name = _entity(names_after(after(utt, at + len(supplier)), _ORDERED))
    return None if name is None else _without_tail(name)


# A company written in capitals (« SOCOCIM », « CFAO Motors »): no SKU, no document number.
_IN_CAPITALS = re.compile(r"(?<![\w'’-])([A-Z]{3,}(?:\s+[A-Z][a-z]+)?)(?![\w'’-])")


def _supplier_in_capitals(utt: Utterance) -> str | None:
    """« bon de commande SOCOCIM pour … », « le ciment SOCOCIM est arrivé »: a supplier
    named in capitals without a word that introduces it."""
    counted = [(q.start, q.end) for q in utt.quantities]  # « 10 cartons de lait UHT »
    found = [
        m.group(1) for m in _IN_CAPITALS.finditer(utt.text) if not overlaps(*m.span(1), counted)
    ]
    return found[0] if len(found) == 1 else None


def extract_create_purchase_order(utt: Utterance) -> dict[str, Any]:
    named_for = (n for n in names_after(utt, ("pour",)) if n[:1].isupper())  # « pour Sotiba : »
    supplier = _entity(names_after(utt, _SUPPLIER)) or _supplier_in_capitals(utt)
    supplier = supplier or _entity(named_for)
    lines = _order_lines(utt)
    if not lines and not _goods(utt):
        product = _ordered_product(utt, supplier)
        if product:
            lines = [{"product": product}]
    expected = next((d for d in utt.dates if _DELIVERED_ON.search(utt.folded[: d.start])), None)
    return given(
        {"supplier": supplier, "lines": lines, "expected_date": expected and expected.first}
    )


_DELIVERED_ON = phrasing("delivered_on")


def correct_purchase_order(previous: dict[str, Any], utt: Utterance) -> dict[str, Any]:
    """« non, 60 sacs » (or « mets-en 60 ») changes the single line; « non, 60 sacs de riz »
    the riz line; « et 10 sacs de sucre » adds a line; a price alone (« c'est 4,90 le
    carton ») is the single line's new price; a supplier said replaces the supplier."""
    lines = [dict(x) for x in previous.get("lines", [])]
    goods = _goods(utt)
    if not goods and len(utt.amounts) == 1 and len(lines) == 1:
        lines[0]["unit_price"] = utt.amounts[0].value
    for q, item in goods:
        if (same := line_named(lines, item)) is not None:
            same["quantity"] = q.value
        elif item:
            lines.append({"product": item, "quantity": q.value})
    if not utt.quantities and not utt.amounts and len(utt.numbers) == 1 and len(lines) == 1:
        lines[0]["quantity"] = utt.numbers[0]  # « non attends, mets-en 30 plutôt »
    return {**previous, "lines": lines, **given(supplier=_entity(names_after(utt, _SUPPLIER)))}


_ORDER_OF = phrases("order_of_markers")
# « Sotiba a livré … », « les Grands Moulins ont livré … »: the supplier said first.
_DELIVERED_BY = phrasing("delivered_by")
# « 20 sacs sur les 50 commandés »: what was ordered, not what arrived.
_ORDERED_TOTAL = re.compile(r"\bsur\s+(?:les\s+)?$")


def _delivering_supplier(utt: Utterance) -> str | None:
    """The supplier whose goods arrived: said first (« Sotiba a livré »), after « de chez »,
    « la livraison de », « le camion de »…, else a name after « de » that follows
    the goods (« 50 sacs de riz de Grands Moulins »). With no goods counted, a name written
    in lower case names the supplier too (« la commande de grands moulins est là »): the tool
    takes that supplier's one awaited order, or asks which."""
    first = _DELIVERED_BY.match(utt.text)
    named = (
        first.group(1)
        if first
        else _entity(
            n for n in names_after(utt, _ORDER_OF) if n[:1].isupper() or not utt.quantities
        )
    )
    if named is None and utt.quantities:
        tail = after(utt, max(q.end for q in utt.quantities))
        named = _entity(n for n in names_after(tail, ("de", "du", "des")) if n[:1].isupper())
    return named or _supplier_in_capitals(utt)


def extract_receive_purchase_order(utt: Utterance) -> dict[str, Any]:
    """A « BC-… » number, else the supplier whose order arrived (« la commande de Sedima
    est arrivée »: the tool takes that supplier's pending order). What arrived: each count
    with its product, or a count alone (the order's only product); a count after « sur
    les » is what was ordered."""
    lines = [
        given({"product": None if STILL_DUE.match(fold(item or "")) else item, "quantity": q.value})
        for q, item in _goods(utt)
        if not _ORDERED_TOTAL.search(utt.folded[max(0, q.start - 12) : q.start])
        and (item is not None or q.unit is not None)
    ]
    if len(lines) == 1 and not (goods := _goods(utt))[0][1]:
        # « ont livré la T65 (les 20 sacs) »: a bare count right after the product said
        # delivered; never a count said further on, about another product (« le lait est
        # complet mais pour l'huile on a eu que 12 bidons »)
        head = before(utt, goods[0][0].start)
        name = _arrived_product(head)
        if name and re.search(re.escape(fold(name)) + r"[\s(]*(?:les?|la|l')?\s*$", head.folded):
            lines[0] = given(product=name, **lines[0])
    order = next((n for n in utt.document_numbers if n.upper().startswith("BC-")), None)
    order = order or _delivering_supplier(utt)
    if order is None:  # « 50 sacs de riz de Grands Moulins »: the supplier closes the item
        for line in lines:
            parts = _OF_A_NAME.split(line.get("product") or "", maxsplit=1)
            if len(parts) == 2:
                line["product"], order = parts[0], parts[1]
                break
    return given({"order": order, "lines": lines, "reference": _reference(utt)})


_OF_A_NAME = re.compile(r"\s+(?:de|du|des|chez)\s+(?=[A-ZÀ-Ý])")


def _telegraphic(utt: Utterance) -> str | None:
    """« gaz 12 kg stock ? », « stock riz 25kg combien ? », « stock lait caillé stp »: a
    short question, or a message that opens on the word « stock », whose only other words
    name the product, size included."""
    if not utt.folded.rstrip().endswith("?") and not re.match(r"\s*sto(?:c?k|q)s?\b", utt.folded):
        return None
    said = re.findall(r"[\w'-]+", utt.text)
    kept = [w for w in said if fold(w).strip("'") not in words("stock_question_words")]
    if not 1 <= len(kept) <= 4 or len(said) > 8 or not any(w[0].isalpha() for w in kept):
        return None
    return " ".join(kept)


_STOCK_READS = frozenset({"stock.low_stock", "stock.stock_level"})
ORDERS = "stock.list_purchase_orders"
# (readings the router chose or came close to, what the message says, the reading it is):
# « il en manque combien sur la commande ? » is what that order still has to deliver, never
# the stock below its minimum; « le stock de toutes les huiles » lists each product of the
# kind with its stock, it names no one product.
_REREAD = (
    (_STOCK_READS | {ORDERS}, phrasing("on_an_order"), ORDERS),
    (frozenset({"stock.stock_level"}), phrasing("every_product"), "stock.find_product"),
)


def on_an_order(router: IntentRouter, routing: Routing, text: str) -> Routing:
    """The reading a stock question is, by what it says (``_REREAD``)."""
    folded = fold(text)
    for close, said, reading in _REREAD:
        chosen = routing.intent in close and (
            routing.intent != reading or routing.runner_up in close
        )
        if chosen and said.search(folded):  # the saying is the rule
            return dataclasses.replace(router.route(text, folded, among={reading}), confident=True)
    return routing


# « annule ce que tu viens de faire », « annule cette sortie »: the movement just done undone.
_UNDO_LAST = phrasing("undo_last")
_OPPOSITE = {
    "stock.issue": ("stock.receive", "reference"),
    "stock.receive": ("stock.issue", "reason"),
}


def undoing(last: dict[str, Any], utt: Utterance) -> tuple[str, dict[str, Any]] | None:
    """The opposite movement of the stock movement just done, when the message asks to undo
    it and any count it says is the count moved (« remets les 4 bidons »)."""
    tool, why = _OPPOSITE.get(last.get("tool", ""), (None, ""))
    args = last.get("arguments") or {}
    counts = {q.value for q in utt.quantities if q.unit not in _MEASURES}
    if tool is None or last.get("shown") or not _UNDO_LAST.search(utt.folded):
        return None
    if not args.get("quantity") or counts - {Decimal(str(args["quantity"]))}:
        return None
    kept = {k: args[k] for k in ("product", "quantity", "warehouse") if k in args}
    return tool, {**kept, why: "annulation du mouvement précédent"}


UPDATE_PRODUCT = "stock.update_product"
# « le bidon d'huile c'est 33 000 F », « …, la boîte de thé est à 1 500 »: a price said for
# one unit of a product, at the start of the message or of a clause.
_UNIT_PRICE = re.compile(
    r"(?:^|[,;:]\s*|\b(?:aujourd'hui|demain|maintenant|desormais|dorenavant)\s+)"
    r"(?:le|la|l')\s*(?:"
    + "|".join(re.escape(u) for u in sorted(_UNIT_WORDS, key=len, reverse=True))
    + r")\s+(?:de |d')[^,;:?]{1,40}?\s+(?:c'est|c est|est a|est maintenant a|coute|vaut|passe a)"
    r"\s+\d"
)


def unit_price_said(router: IntentRouter, routing: Routing, text: str) -> Routing:
    """« à partir d'aujourd'hui le bidon d'huile c'est 33 000 F TTC », the router unsure: a
    price said for one unit of a product, with nothing pending, sets that product's price
    (the one close intent that does)."""
    folded = fold(text)
    if routing.confident or not _UNIT_PRICE.search(folded) or folded.rstrip().endswith("?"):
        return routing
    if UPDATE_PRODUCT not in [name for name, _ in router.scores(text, folded)[:3]]:
        return routing
    # the saying is the rule: the price of a unit set, however close its exemplars are
    return dataclasses.replace(router.route(text, folded, among={UPDATE_PRODUCT}), confident=True)


def vat_rate_said(router: IntentRouter, routing: Routing, text: str) -> Routing:
    """« le miel c'est TVA 5,5 pas 20, corrige », read as another write: a VAT rate said of
    something, where no document is named, is a product's rate (no other record without
    lines takes one)."""
    folded = fold(text)
    if routing.intent in _PRODUCT_READS and re.search(r"\btva\b", folded) and "?" in folded:
        # « c'est quoi le taux de TVA sur le riz brisé ? »: the product's card shows its rate
        return dataclasses.replace(router.route(text, folded, among={FIND_PRODUCT}), confident=True)
    if "?" in folded or _vat_rate(Utterance(text, folded)) is None:
        return routing
    if routing.intent in _RATED:  # « passe la TVA du thé à 5,5 % »: the rate decides
        return dataclasses.replace(routing, confident=True)
    if next(named_kinds(folded), None) is not None:
        return routing  # « facture Diop : 10 pots de miel, TVA 5,5 »: that line's rate
    return dataclasses.replace(router.route(text, folded, among={UPDATE_PRODUCT}), confident=True)


# The intents that take a VAT rate themselves, and the reads of one product.
_RATED = frozenset({UPDATE_PRODUCT, "stock.create_product"})
FIND_PRODUCT = "stock.find_product"
_PRODUCT_READS = frozenset({FIND_PRODUCT, "stock.stock_level"})


def product_in(utt: Utterance) -> str | None:
    """The product a message names (a slot kind of the declared intents)."""
    return _product(utt) or _telegraphic(utt)


def warehouse_in(utt: Utterance, markers: tuple[str, ...]) -> str | None:
    """The warehouse a message names after one of ``markers`` (a slot kind)."""
    return _warehouse(utt, markers or _WAREHOUSE_AT)


# The reads (products, levels, alerts, suggestions, forecasts, value) and every question
# asked are declared with their intents (``prompts/intents/stock.yaml``).
ADAPTERS: list[Adapter] = [
    Adapter("stock.create_product", extract_create_product),
    Adapter("stock.update_product", extract_update_product),
    *(
        Adapter(tool, extract, correct=_with_quantity(field, extract))
        for tool, extract, field in (
            ("stock.receive", extract_receive, "quantity"),
            ("stock.issue", extract_issue, "quantity"),
            ("stock.transfer", extract_transfer, "quantity"),
            ("stock.adjust", extract_adjust, "counted_quantity"),
        )
    ),
    Adapter(
        "stock.create_purchase_order",
        extract_create_purchase_order,
        correct=correct_purchase_order,
    ),
    Adapter("stock.receive_purchase_order", extract_receive_purchase_order),
]
