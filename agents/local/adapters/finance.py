"""Finance requests (and ``reports.kpis``) in everyday French, as tool arguments: only what
the message says (a customer, lines, a document by number or by its customer, a method, a
period)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from agents.local.adapters.base import Adapter, given, line_named
from agents.local.adapters.sales import clause_leading_name
from agents.local.coverage import NOT_ITEMS, THE_REST, article_items, named_kinds
from agents.local.mentions import leading_name, name_after, qualified_item, words_after
from agents.local.slots.numbers import parse_number
from agents.local.slots.payment import find_in_full, parse_payment_method
from agents.local.slots.text import blank_spans, fold
from agents.local.slots.types import Amount, Quantity, Utterance
from domain.kit.lexicon import everyday_word, pairs, phrases, phrasing, phrasings_of, words
from domain.kit.resolution import name_words

CUSTOMER_MARKERS = ("pour", "pr", "por", "pou", "à", "au", "au client", "a la cliente", "chez")
OWNER_MARKERS = ("de", "du", "pour", "chez")
DOCUMENT_WORDS = ("facture", "facturer", "devis", "devi", "proforma", "avoir")  # « devi »: SMS
DOCUMENT_OWNER_MARKERS = tuple(f"{n} {w}" for n in ("facture", "devis") for w in ("de", "d'", "du"))
NOT_CUSTOMERS = frozenset({"chaque", "tous", "mensuelle", "brouillon", "recurrente", "recurrent"})
NOT_A_CUSTOMER_AFTER_A = frozenset({"cause", "lieu"})
FREQUENCY_WORDS = phrasing("frequency_words", re.IGNORECASE)
REASON_MARKERS = ("parce que", "parce qu'", "car", "motif", "raison", "pour cause de")
# Between a quantity and its price: « 5 sacs de riz à 14 000 », « 2 heures au prix de 20 000 ».
PRICE_LINK = re.compile(r"^\s*(?:a|au prix de|a raison de|@|chacun a|l'unite a|pour)?\s*$")
SKIP_WORDS = words("line_skip_words")
# « à 4 500 le sac », « 12 € la pièce », « 380 € par jour »: a price said per unit, right
# after the amount, which names the line it is the unit price of.
PER_UNIT_PRICE = re.compile(r"\s*(?:ht\s+)?(?:le|la|l'|par|/)\s*([a-z]+)")
PRICED_AT = re.compile(r"(?:^|[\s,])(?:a|au prix de)\s+$")
# « au lieu de 4 800 », « pas 15 000 »: an amount the message sets aside, no line's price.
SET_ASIDE = phrasing("set_aside_before")
# Words that make a clause of what precedes an amount (« je lui fais à 4 500 »): never
# the name of a line.
CLAUSE_WORDS = words("clause_pronouns")
# Words that name money moving or a request, never something sold (« Reçu ce matin un
# chèque de 1 200 € », « enregistre une facture de 120 € »): no line is made of them.
NO_ITEM = phrasing("no_item")
FREQUENCIES = phrasings_of("frequencies")
LIST_STATUSES = phrasings_of("list_statuses")
GROUPINGS = phrasings_of("groupings")
COLLECTED = phrasing("collected")


def without_elision(name: str | None) -> str | None:
    """« Ndour m'a payé »: the pronoun before the verb is no part of the name."""
    return re.sub(r"\s+[mtsl]['’]$", "", name) if name else None


# --- customers, documents ----------------------------------------------------------------


def customer_of(utt: Utterance) -> str | None:
    """« facture pour Diallo », « facture à Ndiaye », « Modou a payé… », and last
    « facture Diallo SARL, 3 sacs » (a name right after the document word)."""
    after_marker = name_after(utt, CUSTOMER_MARKERS)
    if after_marker is not None and _opens_a_verb(after_marker.split()[0]):
        after_marker = None
    if after_marker is not None and after_marker[:1].islower():
        # « facture Mamadou Sy pour la pose du carrelage »: the capitalized name right after
        # the document word is whom, what follows « pour » is what for
        named = name_after(utt, DOCUMENT_WORDS)
        if named is not None and named[:1].isupper() and named != after_marker:
            after_marker = named
    name = (
        after_marker
        or leading_name(utt)
        or name_after(utt, DOCUMENT_OWNER_MARKERS)  # « la facture de l'Hôtel du Parc »
    )
    if name is None:
        name = name_after(utt, DOCUMENT_WORDS)
        if name is not None and name.split()[0].lower() in NOT_CUSTOMERS:
            name = None
    return without_elision(name) or _named_after_de(utt)


def _opens_a_verb(word: str) -> bool:
    """« à partir du 1er », « à facturer chaque année », « à cause de »: after « à », a word
    that opens a date or a verb, not a customer's name."""
    folded = fold(word)
    return folded in NOT_A_CUSTOMER_AFTER_A or (
        word.islower() and folded.endswith(("er", "ir")) and everyday_word(folded)
    )


def _named_after_de(utt: Utterance) -> str | None:
    """« l'abonnement internet de la Résidence Les Almadies »: a capitalized name after
    « de », outside the quantities (« 3 sacs de Riz » is no customer)."""
    name = name_after(utt, ("de", "du", "des"))
    if name is None or not name[:1].isupper():
        return None
    at = utt.text.find(name)
    return None if any(q.start <= at < q.end for q in utt.quantities) else name


def _number(utt: Utterance, prefixes: tuple[str, ...]) -> str | None:
    return next((n for n in utt.document_numbers if n.upper().startswith(prefixes)), None)


def _document(utt: Utterance, noun: str, prefixes: tuple[str, ...]) -> str | None:
    """A document by number, or by its customer (« la facture de Modou » → "Modou")."""
    number = _number(utt, prefixes)
    if number is not None:
        return number
    if re.search(rf"\b{noun}s?\b", utt.folded):
        after = name_after(
            utt, tuple(f"{noun} {m}" for m in ("de", "d'", "du", "pour", "a", "chez"))
        )
        if after is not None and after[:1].islower() and (lead := leading_name(utt)):
            # « Perret m'a dit oui pour le devis de nettoyage »: what it is for
            return without_elision(lead)
        return without_elision(
            after
            or name_after(utt, OWNER_MARKERS)
            or clause_leading_name(utt)  # « Super, Hélène a signé le devis ! »
            or name_after(utt, ("client", "cliente"))
        )
    return without_elision(name_after(utt, OWNER_MARKERS) or leading_name(utt))


# --- lines -------------------------------------------------------------------------------


def _price_after(utt: Utterance, end: int, limit: int, used: set[int]) -> Decimal | None:
    """The amount right after a line's words ending at ``end`` (before ``limit``) when
    linked as its unit price."""
    for i, amount in enumerate(utt.amounts):
        if i in used or not end <= amount.start < limit:
            continue
        if PRICE_LINK.match(utt.folded[end : amount.start]):
            used.add(i)
            return amount.value
    return None


def _words(text: str) -> str:
    words = text.strip(" ,;:.-").split()
    while words and fold(words[0]) in SKIP_WORDS:
        words.pop(0)
    while words and fold(words[-1]) in SKIP_WORDS:
        words.pop()
    return " ".join(words)


def _priced_per_unit(
    utt: Utterance, lines: list[tuple[dict[str, Any], str]], used: set[int]
) -> None:
    """« 200 sacs de ciment, je lui fais à 4 500 le sac »: an amount said per unit of one
    line (its unit or its product's word) is that line's unit price, wherever it is said;
    an amount set aside (« au lieu de 4 800 ») is no line's."""
    for j, amount in enumerate(utt.amounts):
        if j in used or (found := PER_UNIT_PRICE.match(utt.folded, amount.end)) is None:
            continue
        unit = found.group(1).rstrip("s")
        fits = [
            line
            for line, counted_in in lines
            if "unit_price" not in line
            and (
                unit == fold(counted_in).rstrip("s")
                or unit in {w.rstrip("s") for w in fold(str(line["product"])).split()}
            )
        ]
        if not fits and len(lines) == 1 and "unit_price" not in lines[0][0]:
            # « 12 champagnes, mais à 25 € la bouteille »: the one line, priced by a unit
            # of its own the count did not say
            fits = [lines[0][0]] if PRICED_AT.search(utt.folded[: amount.start]) else []
        if len(fits) == 1:
            fits[0]["unit_price"] = amount.value
            used.add(j)
    for j, amount in enumerate(utt.amounts):  # « au lieu de 4 800 »: said aside, no line
        if SET_ASIDE.search(utt.folded[max(0, amount.start - 20) : amount.start]):
            used.add(j)


def _free_description(utt: Utterance, amount: Amount, after: int, name: str | None) -> str | None:
    """The words naming a priced line: before the amount (« transport 25 000 ») or after it
    (« 150 000 FCFA de loyer »), never the customer's name."""
    segments = re.split(r"[,;:+]|\bet\b", utt.text[after : amount.start])
    candidates = [segments[-1]]
    if len(segments) > 1 and not _words(segments[-1]):  # « Gestion locative, 480 € »
        candidates.append(segments[-2])
    tail = re.split(r"[,;:.]|\b(?:et|pour|à|a|chez)\b", utt.text[amount.end :])[0]
    # « 200 000 F HT de loyer »: a price said before tax (a price with tax is no line's)
    tail = re.sub(r"^\s*(?:HT|H\.T\.?)(?!\w)", "", tail, flags=re.IGNORECASE)
    if re.match(r"\s*(de|d'|pour)\b", tail, re.IGNORECASE):
        candidates.append(tail)
    for candidate in candidates:
        text = _words(re.sub(r"^\s*d'", "", FREQUENCY_WORDS.sub(" ", candidate)))
        if name:
            text = _words(text.replace(name, ""))
        folded = text.lower()
        if NO_ITEM.search(fold(text)) or CLAUSE_WORDS & set(text.lower().split()):
            continue
        if len(text) >= 3 and not re.search(r"\d", text) and folded not in SKIP_WORDS:
            return text
    return None


DISCOUNT = phrasing("discount")
# « TVA 20 % », « 5,5 % de TVA », and a rate said bare at the end of a clause (« TVA 5,5 »).
VAT = phrasing("vat")


def _percent(pattern: re.Pattern[str], folded: str) -> Decimal | None:
    if (found := pattern.search(folded)) is None:
        return None
    return Decimal(next(g for g in found.groups() if g).replace(",", "."))


# What a discount is said of, right after it: « sur le ciment seulement », « uniquement sur
# les chaises », « sauf sur le transport »; « sur la facture », « sur tout » is the whole.
DISCOUNT_SCOPE = phrasing("discount_scope")
WHOLE_DOCUMENT = words("whole_document")


def _scope_words(text: str) -> set[str]:
    """The words naming a line, as names are compared (« les tables » names « 2 table »)."""
    return set(name_words(text))


def _named(lines: list[dict[str, Any]], text: str) -> list[bool]:
    named = _scope_words(text)
    return [
        bool(named & _scope_words(str(line.get("product") or line.get("description") or "")))
        for line in lines
    ]


def _discounted(lines: list[dict[str, Any]], utt: Utterance, discount: Decimal) -> list[bool]:
    """Which lines a discount is said of: all of them, or only the lines named right after
    it (« sur le ciment seulement »), or all but those (« sauf le transport »), or the one
    item it is said with when another item follows it (« 3 tables avec 10 % de remise, et
    6 chaises »). A name that fits no line leaves every line without it."""
    found = DISCOUNT.search(utt.folded)
    scope = DISCOUNT_SCOPE.match(utt.folded, found.end()) if found else None
    if found and scope is None:
        with_item = _named(lines, re.split(r"[,;:]|\bet\b", utt.folded[: found.start()])[-1])
        after = _named(lines, utt.folded[found.end() :])
        if sum(with_item) == 1 and any(a and not b for a, b in zip(after, with_item, strict=True)):
            return with_item
    if scope is None or not (named := _scope_words(scope["what"])) or named & WHOLE_DOCUMENT:
        return [True] * len(lines)
    fits = _named(lines, scope["what"])
    if not any(fits):
        return [False] * len(lines)
    if scope["link"].startswith("sauf"):
        return [not fit for fit in fits]
    return fits


def with_terms(lines: list[dict[str, Any]], utt: Utterance) -> list[dict[str, Any]]:
    """Every line with the discount (« 5 % de remise ») and VAT rate (« TVA à 10 % ») the
    message gives for the whole document, the discount only on the lines it is said of
    when it names some (« 10 % de remise sur le ciment seulement »)."""
    discount = _percent(DISCOUNT, utt.folded)
    vat = _percent(VAT, utt.folded)
    terms = given(vat_rate=vat)
    which = _discounted(lines, utt, discount) if discount is not None else [False] * len(lines)
    return [
        {**line, **terms, **({"discount_percent": discount} if on else {})}
        for line, on in zip(lines, which, strict=True)
    ]


TIMED_ITEM = re.compile(r"\s+(?:de|d')\s*([^,;:.\d]+?)\s+(?:a|au prix de|@)\s+$")
TIMED_PRICE = re.compile(r"\s+(?:a|au prix de|@)\s+$")


def _timed_line(utt: Utterance, duration: Any, used: set[int]) -> dict[str, Any] | None:
    """« 6 heures de dépannage à 65 € » (a duration, not a quantity) as a priced line."""
    for i, amount in enumerate(utt.amounts):
        if i in used or amount.start < duration.end:
            continue
        found = TIMED_ITEM.match(utt.folded[duration.end : amount.start])
        text: str | None = None
        if found is not None:
            text = utt.text[duration.end + found.start(1) : duration.end + found.end(1)]
        elif TIMED_PRICE.match(utt.folded[duration.end : amount.start]):
            text = _named_before(utt, duration.start)  # « main d'œuvre 3 heures à 45 € »
        if text is None:
            return None
        used.add(i)
        quantity, unit = _timed(duration)
        line = {"description": text.strip(), "quantity": quantity, "unit": unit}
        return {**line, "unit_price": amount.value}
    return None


def _timed(duration: Any) -> tuple[Decimal, str]:
    """How many hours or days a duration counts."""
    if duration.minutes:
        return Decimal(duration.minutes) / 60, "heure"
    return Decimal(duration.days or 1), "jour"


TIMED_SERVICE = re.compile(r"\s+(?:de|d')\s*([^,;:.!?+\d]+?)\s*(?=[,;:.!?+]|\bet\b|\bpuis\b|$)")


def _named_before(utt: Utterance, start: int) -> str | None:
    """« main d'œuvre 3 heures »: the service named right before its hours or days (after
    a colon, a comma, « + » or « et », so no customer is in it)."""
    before = re.split(r"[,;:+]|\bet\b", utt.text[:start])
    if len(before) > 2 and not _words(before[-1]):  # « pose, 3 jours à 380 € »
        before.pop()
    text, said = _words(before[-1]), fold(before[-1]).split()
    terms = [m for p in (VALIDITY, PAYMENT_TERMS) if (m := p.search(utt.folded))]
    if len(before) < 2 or len(text) < 3 or re.search(r"\d", text) or said[-1] in SKIP_WORDS:
        return None  # « … avec paiement à 60 jours »: what precedes is no service's name
    return None if any(m.start() < start < m.end() for m in terms) else text  # « valable 15 j »


def _unpriced_timed_line(utt: Utterance, duration: Any) -> dict[str, Any] | None:
    """« 6 heures d'installation », « formation 2 jours » with no price: the service
    named, by the hour or the day, at its catalog price."""
    found = TIMED_SERVICE.match(utt.folded, duration.end)
    named = utt.text[found.start(1) : found.end(1)].strip() if found else None
    if found is None and CLAUSE_END.match(utt.folded, duration.end):
        named = _named_before(utt, duration.start)
    return None if named is None else {"product": named, "quantity": _timed(duration)[0]}


# What may follow a service's hours or days it is named before (« formation 2 jours, et … »).
CLAUSE_END = re.compile(r"\s*(?:[,;.!?]|\bet\b|\bpuis\b|$)")


def lines_of(utt: Utterance, name: str | None = None) -> list[dict[str, Any]]:
    """Lines said in the message: quantities of products, with their unit price when one
    follows (« à 14 000 »), and amounts named by words (free-text lines)."""
    lines: list[dict[str, Any]] = []
    used: set[int] = set()
    units: list[str] = []  # the unit each line of a quantity is counted in
    spans_extra: list[tuple[int, int]] = []
    quantities = sorted(utt.quantities, key=lambda q: q.start)
    named_until = 0  # where the last line's product name ends (« … Éco 8 kW »)
    for i, quantity in enumerate(quantities):
        product = quantity.item or quantity.unit
        if product is None or fold(product).split()[0] in DOCUMENT_WORDS:
            continue  # « fais 1 facture pour Diallo »: the document, not a line
        alone = not lines and quantity.item is None and quantity.unit in SIZE_UNITS
        if quantity.start < named_until or (alone and SIZE.search(utt.text[: quantity.start])):
            continue  # « … Éco 8 kW », « le chauffe-eau 200L »: a size names what is before it
        if (named := _counted_by_article(utt, quantity)) is not None:
            lines.append({"product": named, "quantity": Decimal(1)})
            units.append("")
            continue  # « un tableau électrique 13 modules »: one of it, 13 names it
        if lines and _size_of_previous(utt, quantities[i - 1], quantity):
            lines[-1]["product"] = f"{lines[-1]['product']} {quantity.text.strip()}"
            continue  # « 4 sacs de riz 25kg »: the size names the product
        if lines and _sized_container(utt, quantities[i - 1], quantity):
            size = f"{quantity.value.normalize():f} {quantity.unit}"
            lines[-1]["product"] = f"{quantity.item} {size}"
            continue  # « 3 sacs de 25 kg de riz »: 3 of the 25 kg bag of rice
        limit = quantities[i + 1].start if i + 1 < len(quantities) else len(utt.text)
        # « 200 briques de 15 à 450 F »: the size names the product, counted or not
        qualified = qualified_item(utt, quantity.end, product)
        named_until = quantity.end + len(qualified) - len(product)
        product = qualified
        line: dict[str, Any] = {"product": product, "quantity": quantity.value}
        units.append(quantity.unit or "")
        price = _price_after(utt, named_until, limit, used)
        if price is not None:
            line["unit_price"] = price
        lines.append(line)
    _priced_per_unit(utt, list(zip(lines, units, strict=True)), used)
    for duration in utt.durations:  # « 6 heures de dépannage à 65 € », « 6 heures de pose »
        timed = _timed_line(utt, duration, used) or _unpriced_timed_line(utt, duration)
        if timed is not None:
            lines.append(timed)
            spans_extra.append((duration.start, duration.end))
    spans = (
        spans_extra
        + [(q.start, q.end) for q in quantities]
        + [(a.start, a.end) for j, a in enumerate(utt.amounts) if j in used]
    )
    lines += _free_lines(utt, name, used, spans)
    for item in article_items(utt):  # « 5 sacs de riz + la livraison »: one of it
        if not any(start < item.end and item.start < end for start, end in spans):
            lines.append({"product": utt.text[item.start : item.end].strip(), "quantity": 1})
    return lines


def _free_lines(
    utt: Utterance, name: str | None, used: set[int], spans: list[tuple[int, int]]
) -> list[dict[str, Any]]:
    """The amounts no line took, each with the words naming it (« transport 25 000 »): a
    free-text line, its words and amount added to ``spans``."""
    lines = []
    for j, amount in enumerate(utt.amounts):
        if j in used:
            continue
        after = max((end for start, end in spans if end <= amount.start), default=0)
        description = _free_description(utt, amount, after, name)
        if description:
            lines.append(
                {"description": description, "quantity": Decimal(1), "unit_price": amount.value}
            )
            spans.append((amount.start, amount.end))
            if (named := utt.text.find(description, after)) >= 0:  # its words are this line
                spans.append((named, named + len(description)))
    return lines


SIZE_UNITS = frozenset({"kg", "g", "litre", "metre"})
SIZE = re.compile(r"[^\W\d]\s*$")  # a number right after a word, with no unit of count
# « un tableau électrique 13 modules »: an item counted by its article, then a number.
ARTICLE_BEFORE = re.compile(r"(?<![\w'])(?:un|une)\s+((?:[a-z][a-z'-]*\s+){1,4})$")


def _counted_by_article(utt: Utterance, quantity: Quantity) -> str | None:
    """The item a number right after « un/une » and its words is part of the name of."""
    found = ARTICLE_BEFORE.search(utt.folded[: quantity.start])
    if found is None or set(found.group(1).split()) & (NOT_ITEMS | SKIP_WORDS):
        return None
    return utt.text[found.start(1) : quantity.end].strip()


def _size_of_previous(utt: Utterance, previous: Quantity, quantity: Quantity) -> bool:
    """« 4 sacs de riz 25kg », « 20 matelas 2 places », « 2 sacs de sucre de 50kg »: a
    number right after the item counted, with no comma or « et » between, names the item
    (its size or model; a weight or volume may follow « de »); a count
    of its own carries its unit (« 3 sacs de riz 2 sacs de sucre »)."""
    between = fold(utt.text[previous.end : quantity.start].strip())
    if previous.item is None or between not in ("", "de", "d'"):
        return False
    if quantity.item is None:  # « 2 sacs de sucre de 50kg »
        return quantity.unit in SIZE_UNITS
    return quantity.unit is None and not between


def _sized_container(utt: Utterance, previous: Quantity, quantity: Quantity) -> bool:
    """« 3 sacs de 25 kg de riz »: a container counted, then its size and what it holds."""
    between = fold(utt.text[previous.end : quantity.start].strip())
    return (
        previous.item is None
        and previous.unit is not None
        and previous.unit not in SIZE_UNITS
        and between in ("", "de", "d'")
        and quantity.unit in SIZE_UNITS
        and quantity.item is not None
    )


# « ramettes A4, qté -5 »: a quantity said by its label, maybe negative (then refused).
STATED_QUANTITY = re.compile(r"\b(?:qte|quantite|qty|nombre)\s*[:=]?\s*(-?)\s*(\d+(?:[.,]\d+)?)")


def _stated_quantity(utt: Utterance, name: str | None) -> list[dict[str, Any]]:
    if (found := STATED_QUANTITY.search(utt.folded)) is None:
        return []
    before = utt.text[: found.start()].rsplit(":", 1)[-1]
    product = _words(before.replace(name, "") if name else before)
    if len(product) < 2:
        return []
    value = Decimal(found.group(2).replace(",", "."))
    return [{"product": product, "quantity": -value if found.group(1) else value}]


def correct_lines(previous: dict[str, Any], utt: Utterance) -> dict[str, Any]:
    """« non, 4 sacs » (or « mets-en 3 ») changes the quantity of the single line (or of the
    line whose product is named); « non, pour Ndiaye » the customer; « non, à 14 000 » the
    single line's price."""
    arguments = dict(previous)
    name = name_after(utt, CUSTOMER_MARKERS)  # not a leading name: « plutôt à 14 000 »
    if name:
        arguments["customer"] = name
    lines = [dict(x) for x in previous.get("lines") or []]
    for quantity in utt.quantities:
        target = line_named(lines, quantity.item)
        if target is None:
            if quantity.item:
                lines.append({"product": quantity.item, "quantity": quantity.value})
            continue
        target["quantity"] = quantity.value
    if not utt.quantities and len(utt.amounts) == 1 and (target := _line_named(lines, utt)):
        target["unit_price"] = utt.amounts[0].value
    if not utt.quantities and not utt.amounts and len(utt.numbers) == 1 and len(lines) == 1:
        lines[0]["quantity"] = utt.numbers[0]  # « non, mets-en 3 plutôt »
    if lines:
        arguments["lines"] = lines
    return arguments


def _line_named(lines: list[dict[str, Any]], utt: Utterance) -> dict[str, Any] | None:
    """The single line, or the one line whose words the message says before its amount
    (« les cartes à 25 € le lot » prices the line of « cartes de visite »)."""
    said = _scope_words(utt.text[: utt.amounts[0].start])
    named = [x for x in lines if said & _scope_words(str(x.get("product") or x.get("description")))]
    return lines[0] if len(lines) == 1 else named[0] if len(named) == 1 else None


# --- extractors --------------------------------------------------------------------------


# What a document is for, said after its customer: « … pour la pose du carrelage ».
WHAT_FOR = phrasing("what_for")


def _unpriced_line(utt: Utterance, name: str | None) -> list[dict[str, Any]]:
    """« facture pour Seck : main d'oeuvre vidange » (no number at all): a line whose price
    the tool asks for."""
    if utt.amounts or utt.quantities:
        return []
    if ":" in utt.text:
        text = _words(utt.text.rsplit(":", 1)[1].strip(" .!?"))
    elif name and (what := WHAT_FOR.search(utt.text)) and name not in what.group(1):
        # « facture Sy pour la pose du carrelage »: « pose du carrelage »
        text = _words(re.sub(r"^(?:l'|la\s|le\s|les\s|une?\s)", "", what.group(1)))
    else:
        return []
    if name:
        text = _words(text.replace(name, ""))
    # « le logo + un audit SEO »: « + » separates lines, each one of its item
    said = [_words(piece) for piece in text.split("+")]
    if any(len(t) < 3 or re.search(r"\d", t) or t.lower() in SKIP_WORDS for t in said):
        return []
    return [{"description": t, "quantity": Decimal(1)} for t in said]


def extract_document(utt: Utterance) -> dict[str, Any]:
    name = customer_of(utt)
    lines = _stated_quantity(utt, name) or lines_of(utt, name) or _unpriced_line(utt, name)
    return given(customer=name, lines=with_terms(lines, utt))


HALF = re.compile(r"\b(?:la |une )?moitie\b")
# « paiement à 45 jours », « payable sous 30 jours », « échéance 60 jours »
PAYMENT_TERMS = phrasing("payment_terms")


# « valable 15 jours », « validité : 2 mois »: how long a quote holds.
VALIDITY = phrasing("validity")
VALIDITY_DAYS = {"jour": 1, "jours": 1, "semaine": 7, "semaines": 7, "mois": 30}


def extract_quote(utt: Utterance) -> dict[str, Any]:
    """A document's arguments, and how long the quote holds."""
    said = VALIDITY.search(utt.folded)
    count = parse_number(said.group(1)) if said else None  # « 15 », « quinze »
    days = int(count) * VALIDITY_DAYS[said.group(2)] if said and count else None
    return {**extract_document(utt), **given(valid_days=days)}


def extract_invoice(utt: Utterance) -> dict[str, Any]:
    """A quote's arguments, the payment terms an invoice may carry, and its validation in
    the same request (« …, et valide-la »)."""
    terms = PAYMENT_TERMS.search(utt.folded)
    days = int(terms.group(1)) if terms else None
    post = any(kind.name == "validation" for kind, _, _ in named_kinds(utt.folded)) or None
    return {**extract_document(utt), **given(payment_terms_days=days, post=post)}


# What is billed each time: « pour la location de la salle », « Kane prend le contrat
# d'entretien », « tous les mois l'abonnement internet de … ».
BILLED_FOR = phrasing("billed_for")
BILLED_AFTER_FREQUENCY = phrasing("billed_after_frequency")


def _billed_label(utt: Utterance, name: str | None) -> str | None:
    for pattern in (BILLED_AFTER_FREQUENCY, BILLED_FOR):
        if (found := pattern.search(utt.folded)) is None:
            continue
        label = _words(utt.text[found.start(1) : found.end(1)])
        if len(label) >= 3 and not (name and fold(name) in fold(label)):
            return label
    return None


# A year said with a date (« 1er janvier 2027 », « 01/01/27 »).
YEAR_SAID = re.compile(r"\d{4}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2}")


def _start_of(utt: Utterance) -> date | None:
    """When something being set up starts: a day said without its year (« à partir du
    1er janvier ») is its nearest occurrence, so in December it is next January, never
    a past one nearly a year back."""
    if not utt.dates:
        return None
    start, text, today = utt.dates[0].first, utt.dates[0].text, utt.today
    if today is not None and start < today and not YEAR_SAID.search(text):
        ahead = _years_later(start)
        if ahead - today < today - start:
            return ahead
    return start


def _years_later(day: date, years: int = 1) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def extract_recurring(utt: Utterance) -> dict[str, Any]:
    frequency = next((f for f, pattern in FREQUENCIES if pattern.search(utt.folded)), None)
    start = _start_of(utt)
    document = extract_document(utt)
    label = _billed_label(utt, document.get("customer"))
    if label and not document.get("lines"):  # a free line when priced, else the catalog's
        line = (
            {"description": label, "unit_price": utt.amounts[0].value}
            if utt.amounts
            else {"product": label}
        )
        document["lines"] = [{**line, "quantity": Decimal(1)}]
    post = any(kind.name == "validation" for kind, _, _ in named_kinds(utt.folded)) or None
    return {**document, **given(frequency=frequency, start_date=start, auto_post=post)}


# « sa facture », « leur facture », « la facture » (one, unnamed): the payer's invoice.
ONE_INVOICE = phrasing("one_invoice")
PAYMENT_REFERENCE = re.compile(r"\b(?:n°|no|numero|num|ref|reference)\s*:?\s*(\d[\w-]{2,})")
# « pour la facture numéro 4587 »: the invoice's number, however it is written.
INVOICE_NUMBER = re.compile(r"\bfacture\s+(?:n°|no|numero|num|nr)\s*:?\s*(\d[\w-]*)")


# « J'avais oublié : Diop a payé … »: a short aside before a colon only opens the message.
ASIDE = re.compile(r"^[^:\d]{1,30}:\s*")


def _after_aside(utt: Utterance) -> Utterance:
    at = aside.end() if (aside := ASIDE.match(utt.text)) else len(utt.text)
    return Utterance(text=utt.text[at:], folded=utt.folded[at:])


# « …, et Keur Massar 80 000 en espèces », « et le Baobab 28 320 par Wave »: the next
# payer, named right after « et » (its article is no part of the name).
AND_THEN_NAME = re.compile(
    r"^\s*(?:et|puis)\s+(?:(?:le|la|les)\s+|l')?([A-ZÀ-Ý][\w'&.-]*(?:\s+[A-ZÀ-Ý][\w'&.-]*){0,3})"
)
# « sa facture de mars »: the month names the invoice, not the day it was paid.
OF_THE_INVOICE = re.compile(r"\bfactures?\s+(?:de|du|d')\s*$")


# A payment said to be only part of what is due (« un acompte sur la F-2026-00012 »).
PART_OF = phrasing("part_of_a_sum")


def extract_payment(utt: Utterance) -> dict[str, Any]:
    amount: Decimal | str | None = utt.amounts[0].value if utt.amounts else None
    invoice = _number(utt, ("F-", "FA-"))
    numbered = INVOICE_NUMBER.search(utt.folded)
    if invoice is None and numbered is not None:
        invoice = numbered.group(1)
    customer = None
    if invoice is None and re.search(r"\bfactures?\b", utt.folded):
        invoice = name_after(utt, ("facture de", "facture d'", "facture du", "facture pour"))
    if invoice is None:
        customer = without_elision(
            leading_name(utt)
            or leading_name(_after_aside(utt))
            or name_after(utt, ("de", "du", "pour", "chez", "client"))
            or (said.group(1) if (said := AND_THEN_NAME.match(utt.text)) else None)
        )
        if customer is not None and ONE_INVOICE.search(utt.folded):
            invoice, customer = customer, None  # « Roux a réglé sa facture »: which one?
    # « la moitié (20 000) en cash, le reste à la fin du mois »: the rest is paid later
    rest = THE_REST.search(utt.folded)
    part = rest and (
        HALF.search(utt.folded[: rest.start()]) or amount and utt.amounts[0].start < rest.start()
    )
    now = rest.start() if rest and part else len(utt.folded)
    dated = [(d, bool(OF_THE_INVOICE.search(utt.folded[: d.start]))) for d in utt.dates]
    received = next((d.first for d, of in dated if not of and d.start < now), None)
    month = next((d.first for d, of in dated if of), None)
    if month and utt.today and month > utt.today:  # « sa facture de novembre », said in February
        month = month.replace(year=month.year - 1)
    reference = PAYMENT_REFERENCE.search(utt.folded)
    if reference is not None and numbered is not None and reference.start(1) == numbered.start(1):
        reference = None
    if amount is None and find_in_full(utt.folded[:now]) is not None:
        amount = "balance"  # the tool pays what is still due, and its preview says how much
    elif amount is None and HALF.search(utt.folded):
        amount = "half"  # « ils ont payé la moitié »: half of what is still due
    elif amount is None and re.search(r"\d", invoice or "") and not PART_OF.search(utt.folded):
        amount = "balance"  # « il a payé la facture F-2026-00012 »: that invoice, in full
    return given(
        amount=amount,
        method=utt.payment_method,
        invoice=invoice,
        customer=customer,
        received_on=received,
        invoice_month=month if invoice else None,
        reference=reference.group(1) if reference else None,
    )


# « 2 sacs sont arrivés mouillés, fais un avoir », « je l'ai faite au mauvais client, … »:
# what happened is the reason.
EVENT = re.compile(r"\b(?:sont|est|etait|etaient|a ete|ont ete|l'ai|j'ai)\b\s*(.*)$")
# Asking for something, not telling what happened (« la mairie a annulé la commande »).
COMMAND = phrasing("command")
# A name, then its verb and more (« Mme Girard annule les travaux »): someone else acting.
SUBJECT_DOES = phrasing("subject_does")


def _reason(utt: Utterance) -> str | None:
    said = words_after(utt, REASON_MARKERS)
    if said:
        return said
    clauses = [c.strip(" .!") for c in re.split(r"[,;]", utt.text)]
    for clause in clauses[:-1] if len(clauses) > 1 else []:
        folded = fold(clause)
        event = EVENT.search(folded)
        if event and not COMMAND.search(folded) and len(event.group(1)) >= 3:
            return clause[event.start(1) :].strip()  # « sont arrivés mouillés »
        doer = SUBJECT_DOES.match(clause)
        if doer and not COMMAND.search(fold(doer.group(1))) and not re.search(r"\d", clause):
            return clause  # « Mme Girard annule les travaux »: what the customer does
    tail = clauses[-1] if len(clauses) > 1 else ""
    if len(tail) >= 3 and not re.search(r"\d", tail) and not COMMAND.search(fold(tail)):
        return tail
    return _returned(utt)


SENT_BACK = r"\b(?:retourn|rendu|ramen|renvoy|rapport)\w*"  # « a retourné », « m'a rapporté »
RETURNED = re.compile(SENT_BACK)
# The state goods come back in (« abîmés » → "marchandise abîmée"), not why stock leaves.
CONDITIONS = [
    (words, label)
    for words, label in pairs("stock_reasons")
    if label not in ("vente comptoir", "vente", "don", "usage interne", "vol", "perte")
]


def _returned(utt: Utterance) -> str | None:
    """« Sène Distribution a retourné 3 cartons abîmés, fais leur un avoir »: goods sent
    back are the reason, with their state when the message says it; the state alone
    (« 2 sacs déchirés ») when nothing was sent back."""
    returned = RETURNED.search(utt.folded) is not None
    folded = f" {utt.folded} "
    for said, condition in CONDITIONS:
        if any(re.search(rf"\b{re.escape(w)}", folded) for w in said):
            return f"retour de marchandise ({condition})" if returned else condition
    return "retour de marchandise" if returned else None


CREDIT_OWNER_MARKERS = ("facture de", "facture d'", "facture du", "a", "au", "pour", "chez")
# The noun (« la facture »), not the verb (« on a facturé »).
INVOICE_NOUN = re.compile(r"\bfactures?\b(?!é)|\bfact\b", re.IGNORECASE)


def _credited_invoice(utt: Utterance) -> str | None:
    """The invoice of a credit note: its number, « la facture de Modou », « avoir à Modou »;
    none in a message naming neither an invoice nor a credit note (an answer: « erreur de
    prix »)."""
    number = _number(utt, ("F-", "FA-"))
    if number is not None:
        return number
    if not (INVOICE_NOUN.search(utt.text) or re.search(r"\b(?:avoir|annule)", utt.folded)):
        return None
    name = without_elision(name_after(utt, CREDIT_OWNER_MARKERS) or leading_name(utt))
    if name is not None:  # « la facture de Modou parce que… »: the marker is no name
        name = re.sub(r"\s+(?:parce|car|pour|motif)$", "", name, flags=re.IGNORECASE)
    return name


# « m'a rapporté une lampe de chevet »: one item sent back, counted by its article.
ONE_RETURNED = re.compile(
    SENT_BACK + r"\s+(?:un|une)\s+([^,;.!?]+?)"
    r"(?=\s*(?:[,;.!?]|\bet\b|\bpour\b|\bcar\b|\bparce\b|$))"
)


def _without_state(item: str) -> str:
    """« riz déchirés » → "riz": the state the goods are in is the reason, not the item."""
    words = item.split()
    while len(words) > 1 and any(
        fold(words[-1]).startswith(w.strip()) for found, _ in CONDITIONS for w in found
    ):
        words.pop()
    return " ".join(words)


def extract_credit_note(utt: Utterance) -> dict[str, Any]:
    lines = [
        {"product": _without_state(q.item), "quantity": q.value}
        for q in utt.quantities
        if q.item is not None
    ]
    if not utt.quantities and (one := ONE_RETURNED.search(utt.folded)) is not None:
        lines = [{"product": utt.text[one.start(1) : one.end(1)], "quantity": 1}]
    return given(invoice=_credited_invoice(utt), reason=_reason(utt), lines=lines)


# « mieux en avril ou en mai », « par rapport à l'an dernier », « le mois dernier, et ce
# mois-ci »: two periods compared or joined, the second set beside the first.
COMPARED = phrasing("compared_periods")
JOINED_PERIODS = re.compile(r"\s*,?\s*(?:et|ou|vs|contre)?\s*")


def _period(utt: Utterance, compared: bool = False) -> dict[str, Any]:
    """The period asked, and (``compared``) the one set beside it; a whole year beside a part
    of another (« plus que l'an dernier sur janvier-mars ») is that part in that year."""
    if not utt.dates:
        return {}
    one, joint = utt.dates[0], utt.folded[utt.dates[0].end : utt.dates[-1].start]
    said = JOINED_PERIODS.fullmatch(joint) or COMPARED.search(utt.folded)
    if not compared or len(utt.dates) != 2 or not said:
        return {"start": one.first, "end": one.last}
    part, whole = sorted(utt.dates, key=lambda d: d.last - d.first)
    beside, years = (utt.dates[1].first, utt.dates[1].last), whole.first.year - part.first.year
    if years and (whole.last - whole.first).days >= 364 > (part.last - part.first).days:
        one, beside = part, (_years_later(part.first, years), _years_later(part.last, years))
    return dict(start=one.first, end=one.last, compare_start=beside[0], compare_end=beside[1])


# « en retard de plus de 30 jours », « plus de 2 semaines de retard », « impayées depuis plus
# de 60 jours », « échues depuis plus de 45 jours », « de + de 30 jours »: the duration is
# how late.
OVERDUE_BY = phrasing("overdue_by")
# « qui me doit de l'argent depuis plus de 60 jours »: what is owed that long is late.
OWED = re.compile(r"\b(?:doi(?:t|vent)|dette|impaye\w*|pas (?:encore )?paye\w*)\b")
LATE_AFTER = re.compile(r"\s+(?:de\s+|d')?retard\b")


def _overdue_by(utt: Utterance) -> tuple[int, int, int] | None:
    """Days of lateness said as a duration (« de plus de 30 jours »), with the span of the
    whole phrase: before the duration an overdue word and « plus de », or « plus de » and
    « de retard » after it."""
    for duration in utt.durations:
        if duration.days is None or duration.days != duration.days.to_integral_value():
            continue
        offset = max(0, duration.start - 60)
        found = OVERDUE_BY.search(utt.folded[offset : duration.start])
        if found is None:
            continue
        after = LATE_AFTER.match(utt.folded, duration.end)
        late_said = not found.group(0).lstrip().startswith(("plus", "au moins", ">", "+"))
        owed = OWED.search(utt.folded[offset : duration.start])
        if late_said or after or owed or "retard" in utt.folded[offset : duration.start]:
            end = after.end() if after else duration.end
            return int(duration.days), offset + found.start(), end
    return _overdue_by_months(utt)


# « en retard de plus d'un mois », « plus de 2 mois de retard »: a month is 30 days late.
MONTHS_LATE = re.compile(r"(?:plus\s+d'un|plus\s+de\s+(\d{1,2}|[a-z]+))\s+mois\b")


def _overdue_by_months(utt: Utterance) -> tuple[int, int, int] | None:
    for found in MONTHS_LATE.finditer(utt.folded):
        before = utt.folded[max(0, found.start() - 60) : found.start()]
        after = LATE_AFTER.match(utt.folded, found.end())
        if not (after or re.search(r"retard|echue?s?|impaye|non (?:payee?|reglee?)", before)):
            continue
        count = 1 if found.group(1) is None else parse_number(found.group(1))
        if count is None:
            continue
        return int(30 * count), found.start(), after.end() if after else found.end()
    return None


def _without(utt: Utterance, start: int, end: int) -> Utterance:
    """The message with ``start``…``end`` blanked (offsets kept), to read names elsewhere."""
    text, folded = (blank_spans(t, [(start, end)]) for t in (utt.text, utt.folded))
    return Utterance(text=text, folded=folded)


# « ce qui doit rentrer », « à échéance », « à encaisser »: money to come in, by due date.
COMING_IN = phrasing("coming_in")


# « Lopez, sa facture… »: a capitalised name said first, before a comma.
NAMED_FIRST = re.compile(r"^\s*([A-ZÀ-Ý][\w'&.-]*(?:\s+[A-ZÀ-Ý][\w'&.-]*){0,3})\s*,")


def extract_list(utt: Utterance) -> dict[str, Any]:
    status = next((s for s, pattern in LIST_STATUSES if pattern.search(utt.folded)), None)
    if COMING_IN.search(utt.folded) and _overdue_by(utt) is None and status != "overdue":
        # the invoices still to pay, by when they fall due: « les N prochains jours » is how
        # far ahead their due dates go, never when they were issued
        customer = (
            name_after(utt, ("de", "du", "pour", "chez", "client"))
            or leading_name(utt)
            or (first.group(1) if (first := NAMED_FIRST.match(utt.text)) else None)
        )
        span = utt.dates[0] if len(utt.dates) == 1 else None
        if span is not None and utt.today is not None and span.first == utt.today < span.last:
            within = (span.last - utt.today).days
            return given(customer=customer, due_within_days=within)
        if not utt.dates:
            return given(customer=customer, status="open")
    overdue = _overdue_by(utt)
    named = _without(utt, overdue[1], overdue[2]) if overdue else utt
    customer = (
        name_after(named, ("de", "du", "pour", "chez", "client"))
        or leading_name(named)
        # « qu'est-ce que Sow n'a pas encore payé ? »: who has not paid
        or name_after(named, ("qu'est-ce que", "qu'est-ce qu'", "ce que", "ce qu'"))
    )
    if overdue is not None:
        status = None  # implied: overdue by more than that
    customer = _customer_named(customer)
    return {
        **given(customer=customer, status=status, overdue_days=overdue[0] if overdue else None),
        **_period(utt),
    }


# « combien me doit le Café des Arts », « le solde du client Diallo », « le compte de Sow »
BALANCE_MARKERS = phrases("balance_markers")


# Words a question puts where a name could be (« il me doit combien, Fall ? »).
NOT_A_NAME = words("balance_not_a_name")
# « il me doit combien, Fall ? »: a name said last, after a comma.
TRAILING_NAME = re.compile(r",\s*([A-ZÀ-Ý][^,?!.;:]{1,60}?)\s*[?!.]*\s*$")


def _customer_named(name: str | None) -> str | None:
    name = without_elision(name)
    return None if name is None or fold(name.split()[0]) in NOT_A_NAME else name


def extract_customer_balance(utt: Utterance) -> dict[str, Any]:
    trailing = TRAILING_NAME.search(utt.text)
    candidates = [
        _customer_named(name)
        for name in (
            name_after(utt, BALANCE_MARKERS),
            leading_name(utt),
            # « qu'est-ce que Sow me doit ? », « cmb Ndiaye Commerce me doit encor ? »
            name_after(utt, ("que", "encore", "combien", "cmb", "cb")),
            trailing.group(1) if trailing else None,
            clause_leading_name(utt),  # « bon, Mbaye a toujours pas payé, il me doit combien ? »
        )
    ]
    named = [c for c in candidates if c]
    # « la Pharmacie du Port nous doit… »: « Port », read after « du », is part of a name
    named = [c for c in named if not any(o != c and o.endswith(f" {c}") for o in named)]
    # A capitalized name beats a lower-case word read after a marker (« encor », a typo).
    capital = [c for c in named if c[:1].isupper()]
    chosen = capital or named
    return given(customer=chosen[0] if chosen else None)


REVENUE_CUSTOMER_MARKERS = phrases("revenue_customer_markers")  # « facturé au Garage Moreau »

# « le Bistrot d'Antoine m'a rapporté combien », « combien l'Hôtel du Lac nous a acheté »:
# the customer said as the one who bought or paid.
BUYER = phrasing("revenue_buyer")


def _buyer(utt: Utterance) -> str | None:
    found = BUYER.search(utt.folded)
    name = utt.text[found.start("name") : found.end("name")].strip() if found else ""
    # « Wave m'a rapporté combien »; « la boutique diallo et fils », typed in lower case
    if not (name[:1].isupper() or len(name.split()) > 1) or parse_payment_method(name):
        return None
    return _customer_named(name)


def extract_revenue(utt: Utterance) -> dict[str, Any]:
    """The period, the grouping, what is counted: invoiced, or collected (one way of paying
    when it is said: « encaissé par Wave »), and whose when one customer is named."""
    # money counted by the way it was paid (« Wave m'a rapporté combien ? ») was collected
    said = COLLECTED.search(utt.folded) or utt.payment_method
    basis = "collected" if said else None
    method = utt.payment_method if basis else None
    grouping = next((g for g, pattern in GROUPINGS if pattern.search(utt.folded)), None)
    customer = _customer_named(name_after(utt, REVENUE_CUSTOMER_MARKERS)) or _buyer(utt)
    return {
        **given(basis=basis, grouping=grouping, method=method, customer=customer),
        **_period(utt, compared=True),
    }


def invoice_of(utt: Utterance) -> dict[str, Any]:
    return given(invoice=_document(utt, "facture", ("F-", "FA-")))


def quote_of(utt: Utterance) -> dict[str, Any]:
    made = utt.dates[0] if len(utt.dates) == 1 else None  # « le devis de la semaine dernière »
    quote = _document(utt, "devis", ("D-", "DV-"))
    return given(quote=quote, made_from=made and made.first, made_to=made and made.last)


# The simple readings (VAT, receivables, key figures) and every question asked are declared
# with their intents (``prompts/intents/finance.yaml``, ``reports.yaml``).
ADAPTERS: list[Adapter] = [
    Adapter("finance.customer_balance", extract_customer_balance),
    Adapter("finance.create_invoice", extract_invoice, correct=correct_lines),
    Adapter("finance.create_quote", extract_quote, correct=correct_lines),
    Adapter("finance.create_recurring_invoice", extract_recurring, correct=correct_lines),
    Adapter("finance.send_quote", quote_of),
    Adapter("finance.accept_quote", quote_of),
    Adapter("finance.convert_quote_to_invoice", quote_of),
    Adapter("finance.post_invoice", invoice_of),
    Adapter("finance.record_payment", extract_payment),
    Adapter("finance.create_credit_note", extract_credit_note),
    Adapter("finance.list_invoices", extract_list),
    Adapter("finance.invoice_details", invoice_of),
    Adapter("finance.revenue", extract_revenue),
]
