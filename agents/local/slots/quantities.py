"""Quantities: a number followed by a unit and/or the thing counted.

« 3 sacs de riz » → (3, "sac", "riz"); « 5 riz » → (5, None, "riz"); « 3 sacs » → (3, "sac",
None); « x3 » → (3, None, None); « 3 x riz » → (3, None, "riz"). Units are those of the
lexicon of units (domain/kit/lexicon.yaml), reported as folded singulars: sac, carton, kg,
litre (l), piece (pcs), boite, metre (a lower-case "m"), unite, bidon, pot, sachet, seau,
fut, botte, tas… Durations (heures, jours…) are not units. A unit that stands for several
items multiplies: « une douzaine d'oeufs » → (12, None, "oeufs"), « 2 douzaines » → 24.
« un »/« une » count only before a unit (« un sac de riz » → 1 sac), never alone.
An item may also come BEFORE the number when it follows punctuation or « et » (« inventaire :
riz 40 sacs, sucre 12 cartons », « Nescafé x3 »); never right at the start of a message before
a unit (« ajoute 40 sacs »: « ajoute » is a verb). « les 5 dernières factures » is no quantity.
The item keeps its written casing (« Nescafé ») and stops at punctuation, at « et », « pour »,
« à », « avec », « chez », at a date word, at a number, or after five words; « de »/« d' »
may stay inside (« huile de palme ») unless a number follows.
"""

from __future__ import annotations

import re
from decimal import Decimal

from agents.local.slots.numbers import Num, Scan, make_scan
from agents.local.slots.text import fold
from agents.local.slots.types import Quantity
from domain.kit.lexicon import phrasing, words
from domain.sales.units import lexicon


def _unit_forms() -> tuple[dict[str, str], dict[str, int]]:
    """Every spelling of a unit a message may count in (folded) → the unit's folded word,
    and the units that stand for several items (« douzaine » → 12), from the one lexicon
    of units (domain/kit/lexicon.yaml). Durations and lump sums are not read here."""
    forms: dict[str, str] = {}
    counts: dict[str, int] = {}
    for entry in lexicon():
        if not entry.in_quantities:
            continue
        word = fold(entry.spoken)
        for form in (entry.unit, entry.spoken, *entry.forms):
            forms.setdefault(fold(form), word)
        if entry.count > 1:
            counts[word] = entry.count
    return forms, counts


_UNIT_FORMS, _COUNTS = _unit_forms()
_UNIT_ALTERNATIVES = "|".join(re.escape(f) for f in sorted(_UNIT_FORMS, key=len, reverse=True))
_UNIT = re.compile(
    r"[ \u00a0\u202f]?("
    + _UNIT_ALTERNATIVES
    + r")(?![\w'])(?:[ \u00a0\u202f]+(?:de|d')[ \u00a0\u202f]*|(?<=l)(?=')|)"
)
UNIT_AFTER = re.compile(r"[ \u00a0\u202f]*(?:" + _UNIT_ALTERNATIVES + r")(?![\w'])")
_ITEM_STOP = words("item_stop_words")
# Verbs that begin a request (« facture », « commande »), never an item before its count.
_REQUEST_WORDS = frozenset(w for w in words("second_request_starts") if " " not in w)
# « j'en », « m'en », « qu'on »: a pronoun before its verb, never the name of goods.
_PRONOUN_VERB = re.compile(r"(?:j|m|t|n|s|qu)'")
_NO_ITEM = words("not_an_entity")
_NEXT_WORD = re.compile(r"[ \u00a0\u202f]*([^\W\d_][\w'&.-]*)")
_BEFORE = phrasing("before")
_X_BEFORE = re.compile(r"(?<![\w])x[ \u00a0\u202f]?(\d{1,4})(?![\w,.]\d|\w)")
_X_AFTER = re.compile(r"[ \u00a0\u202f]?[x×](?![\w])")


_JOINED_FORMS = {"en": frozenset(words("item_en_forms")), "a": frozenset(words("item_a_forms"))}


def _en_form(folded: str, end: int, joining: str = "en") -> bool:
    """« en » or « à » followed by what makes it part of a product's name (« en poudre »,
    « à chaleur »)."""
    match = _NEXT_WORD.match(folded, end)
    return match is not None and match.group(1).rstrip(".") in _JOINED_FORMS[joining]


# A model number after a name written in capitals (« HP 305 », « Canon 650XL »).
_MODEL = re.compile(r"[ \u00a0\u202f]*(\d[\w-]*)(?=$|[\s,;:.!?)])")


# A rating glued to its letters after the name (« disjoncteurs 16A », « ampoules 12V »).
_RATING = re.compile(r"[ \u00a0\u202f]*(\d+(?:[.,]\d+)?([^\W\d_][\w-]*))(?=$|[\s,;:.!?)])")


def _rating(scan: Scan, cursor: int) -> re.Match[str] | None:
    """A number glued to letters right after the item's name, free, its letters no unit
    (« 25kg » is a weight) and no hour (« 14h30 »): part of the name, as the catalogue
    writes it."""
    match = _RATING.match(scan.folded, cursor)
    if match is None or not scan.free(match.start(1), match.end(1)):
        return None
    letters = match.group(2)
    return None if UNIT_AFTER.fullmatch(letters) or re.fullmatch(r"h\d*|min", letters) else match


def _model_number(scan: Scan, last: tuple[int, int], cursor: int) -> bool:
    """Whether a number right after the item's last word, written in capitals (a brand,
    « HP »), is part of the item's name: free, and no unit or currency follows it."""
    word = scan.text[last[0] : last[1]]
    match = _MODEL.match(scan.folded, cursor)
    return (
        len(word) >= 2
        and word.isupper()
        and match is not None
        and scan.free(match.start(1), match.end(1))
        and UNIT_AFTER.match(scan.folded, match.end(1)) is None
    )


# A size closing the item's name (« draps housse 140 », « pneus 205 »): two or three digits,
# the last word of the clause.
_SIZE = re.compile(r"[ \u00a0\u202f]+(\d{2,3})(?=$|[,;:.!?)]|\s+et\s|\s*$)")


def _size_number(scan: Scan, cursor: int) -> re.Match[str] | None:
    """A number right after the item that ends its clause, free, with no unit or currency
    after it: the size in the product's name, which the catalogue search then requires."""
    match = _SIZE.match(scan.folded, cursor)
    if match is None or not scan.free(match.start(1), match.end(1)):
        return None
    return match


def _item(scan: Scan, pos: int, *, after_de: bool) -> tuple[str | None, int]:
    """The counted thing starting at ``pos`` (original casing) and where it ends."""
    words: list[tuple[int, int]] = []
    cursor = pos
    while len(words) < 5:
        match = _NEXT_WORD.match(scan.folded, cursor)
        if match is None and words and _model_number(scan, words[-1], cursor):
            match = _MODEL.match(scan.folded, cursor)  # « cartouches HP 305 »
        if match is None and words:
            match = _rating(scan, cursor)  # « disjoncteurs 16A »
        if match is None and words and (size := _size_number(scan, cursor)) is not None:
            words.append((size.start(1), size.end(1)))  # « draps housse 140 »
            cursor = size.end(1)
            break
        if match is None:
            break
        word = match.group(1).rstrip(".")
        start, end = match.start(1), match.start(1) + len(word)
        elided = word in ("de", "d'") or word.startswith("d'")
        # « 3 livres » (books) is counted; « 3 livrés » (delivered) is not
        book = word in ("livre", "livres") and scan.text[start:end].lower() == word
        joined = word in _JOINED_FORMS and words and _en_form(scan.folded, end, word)
        if (word in _ITEM_STOP and not book and not joined) or (
            not words and elided and not after_de
        ):
            break
        if not scan.free(start, end):
            break
        words.append((start, end))
        cursor = end
        if end < len(scan.folded) and not scan.folded[end].isspace():
            break  # punctuation ends the item
    while words and scan.folded[words[-1][0] : words[-1][1]] in ("de", "d'"):
        words.pop()
    if not words:
        return None, pos
    return scan.text[words[0][0] : words[-1][1]], words[-1][1]


def _item_before(scan: Scan, pos: int, *, at_text_start: bool) -> tuple[str | None, int]:
    """« riz 40 sacs », « …, sucre x2 »: the item written before the number, if any."""
    offset = max(0, pos - 60)
    match = _BEFORE.search(scan.folded[offset:pos])
    if match is None:
        return None, pos
    start = offset + match.start(1)
    lead = match.group(0)[: match.start(1) - match.start()].strip()
    if not lead and (start > 0 or not at_text_start):
        return None, pos  # only after punctuation or « et », or at the very start
    words = match.group(1).split()
    if any(w in _ITEM_STOP or w in _REQUEST_WORDS or _PRONOUN_VERB.match(w) for w in words):
        return None, pos  # « et facture 4 sacs », « j'en compte 37 »: the request, not an item
    if set(words) <= _NO_ITEM:
        return None, pos  # « stock mini 20 cartons »: what the count is, not what it counts
    if not scan.free(start, offset + match.end(1)):
        return None, pos
    return scan.text[start : offset + match.end(1)], start


# Units of measure describe a product (« sucre 50 kilos passe à… »): a word after them
# without « de » is the rest of the sentence, not what is counted.
_MEASURES = frozenset({"kg", "g", "litre", "ml", "cl", "m", "cm", "mm", "km", "tonne"})
_NOUNS_IN_E = words("nouns_ending_in_e")


def _bare_item(scan: Scan, end: int, item: str | None, unit: str | None = None) -> bool:
    """« 200 sacs ciment »: a noun right after a counting unit, without « de », is what is
    counted — not a participle (« 20 sacs livrés »), a word after a unit of measure, nor a
    word before a digit."""
    if item is None or unit in _MEASURES or not scan.folded[end : end + 1].isspace():
        return False
    first = item.split()[0].lower()
    if fold(first).rstrip("s") in _NOUNS_IN_E:
        return True  # « 10 cartons thé vert »: a noun, not a participle
    return re.search(r"(?:é|ée|és|ées)$", first) is None


def _quantity_at(scan: Scan, num: Num) -> Quantity | None:
    value, unit, end = num.value, None, num.end
    unit_match = _UNIT.match(scan.folded, num.end)
    if unit_match is not None and not (unit_match.group(1) == "m" and num.scaled):
        unit = _UNIT_FORMS[unit_match.group(1)]
        end = unit_match.end()
        if unit in _COUNTS:  # « une douzaine d'œufs »: 12 œufs
            value, unit = value * _COUNTS[unit], None
        after_de = unit_match.group(0).rstrip().endswith(("de", "'"))
        item, item_end = _item(scan, end, after_de=True)
        start = num.start
        if item is not None and not after_de and not _bare_item(scan, end, item, unit):
            item = None
        if item is None:
            item_end = unit_match.start(1) + len(unit_match.group(1))
            item, start = _item_before(scan, num.start, at_text_start=False)
        return Quantity(value, unit, item, scan.text[start:item_end], start, item_end)
    if num.weak or num.scaled or num.grouped:
        return None
    x_after = _X_AFTER.match(scan.folded, num.end)
    start_item = x_after.end() if x_after else num.end
    if not scan.folded[start_item : start_item + 1].isspace():
        return None
    item, item_end = _item(scan, start_item + 1, after_de=False)
    if item is None:
        return None
    return Quantity(value, None, item, scan.text[num.start : item_end], num.start, item_end)


def find_quantities(scan: Scan) -> list[Quantity]:
    found: list[Quantity] = []
    for num in scan.nums:
        if not scan.free(num.start, num.end):
            continue
        quantity = _quantity_at(scan, num)
        if quantity is not None and scan.free(quantity.start, quantity.end):
            found.append(quantity)
            scan.take(quantity.start, quantity.end)
    for match in _X_BEFORE.finditer(scan.folded):
        if scan.free(match.start(), match.end()):
            item, start = _item_before(scan, match.start(), at_text_start=True)
            text = scan.text[start : match.end()]
            found.append(Quantity(Decimal(match.group(1)), None, item, text, start, match.end()))
            scan.take(start, match.end())
    found.sort(key=lambda q: q.start)
    return found


def parse_quantities(text: str) -> list[Quantity]:
    """Quantities of a message (see the module docstring)."""
    return find_quantities(make_scan(text))
