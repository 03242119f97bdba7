"""Units of measure: a closed set of French names, each mapped to its UN/ECE Recommendation 20
code (the code Factur-X and UBL invoices carry in ``unitCode``).

Products store the canonical French name (``"pièce"``, ``"m²"``); ``unit_code`` gives the
code for e-invoicing. A few everyday spellings and plurals are accepted as synonyms.
"""

from __future__ import annotations

from domain.kit.errors import InvalidInput
from domain.kit.text import fold

# Canonical French unit → UN/ECE Rec 20 code (packaging units are Rec 21 codes prefixed "X").
UNIT_CODES: dict[str, str] = {
    "unité": "C62",
    "pièce": "H87",
    "heure": "HUR",
    "jour": "DAY",
    "semaine": "WEE",
    "mois": "MON",
    "an": "ANN",
    "kg": "KGM",
    "g": "GRM",
    "tonne": "TNE",
    "litre": "LTR",
    "cl": "CLT",
    "ml": "MLT",
    "m": "MTR",
    "km": "KMT",
    "m²": "MTK",
    "m³": "MTQ",
    "sac": "XBG",
    "carton": "XCT",
    "boîte": "XBX",
    "bouteille": "XBO",
    "paquet": "XPA",
    "palette": "XPX",
    "lot": "XLT",
    "forfait": "LS",
}

DEFAULT_UNIT = "unité"

_SYNONYMS: dict[str, str] = {
    "u": "unité",
    "un": "unité",
    "unite": "unité",
    "unites": "unité",
    "pc": "pièce",
    "pcs": "pièce",
    "pce": "pièce",
    "pces": "pièce",
    "piece": "pièce",
    "pieces": "pièce",
    "h": "heure",
    "hr": "heure",
    "heures": "heure",
    "j": "jour",
    "jours": "jour",
    "semaines": "semaine",
    "ans": "an",
    "annee": "an",
    "kilo": "kg",
    "kilos": "kg",
    "kilogramme": "kg",
    "kilogrammes": "kg",
    "gramme": "g",
    "grammes": "g",
    "t": "tonne",
    "tonnes": "tonne",
    "l": "litre",
    "litres": "litre",
    "metre": "m",
    "metres": "m",
    "m2": "m²",
    "metre carre": "m²",
    "metres carres": "m²",
    "m3": "m³",
    "metre cube": "m³",
    "metres cubes": "m³",
    "sacs": "sac",
    "cartons": "carton",
    "boite": "boîte",
    "boites": "boîte",
    "bouteilles": "bouteille",
    "paquets": "paquet",
    "palettes": "palette",
    "lots": "lot",
    "forfaits": "forfait",
}


_BY_FOLDED = {fold(name): name for name in UNIT_CODES} | _SYNONYMS


def normalize_unit(value: str) -> str:
    """The canonical French name of ``value`` (``"pcs"`` → ``"pièce"``), or InvalidInput."""
    unit = _BY_FOLDED.get(fold(value))
    if unit is None:
        known = ", ".join(UNIT_CODES)
        raise InvalidInput(
            f"Unité inconnue : « {value} ». Unités possibles : {known}.", field="unit"
        )
    return unit


def unit_code(unit: str) -> str:
    """The UN/ECE Rec 20 code of a unit (``"heure"`` → ``"HUR"``), synonyms accepted."""
    return UNIT_CODES[normalize_unit(unit)]
