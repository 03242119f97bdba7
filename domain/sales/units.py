"""Units of measure and containers: what a product or a document line is counted in.

The vocabulary is open. The French lexicon (``domain/kit/lexicon.yaml``) lists the units a
shop commonly uses, with their spellings and their UN/ECE code (Recommendation 20, or a
Recommendation 21 packaging code prefixed "X"), the code Factur-X carries in ``unitCode``.
A word the lexicon does not know is still a unit (« barquette », « gobelet »): it is kept
as its French label, cleaned and put in the singular when its plural form is recognised,
with code C62 ("one"). Only what cannot be a unit word is refused (digits, punctuation,
empty, longer than the column).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from domain.kit.errors import InvalidInput
from domain.kit.lexicon import lexicon as lexicon_data
from domain.kit.text import fold

DEFAULT_UNIT = "unité"
GENERIC_CODE = "C62"  # UN/ECE Rec 20 "one": a unit without a more precise code
MAX_LENGTH = 32  # the ``unit`` columns of products and document lines


@dataclass(frozen=True, slots=True)
class UnitEntry:
    """One unit of the lexicon (``domain/kit/lexicon.yaml``: its header explains each
    field)."""

    unit: str
    code: str
    forms: tuple[str, ...] = ()
    field_only: tuple[str, ...] = ()
    word: str = ""
    plural: str = ""
    count: int = 1
    in_quantities: bool = True

    @property
    def spoken(self) -> str:
        """The word a message uses for this unit (« mètre » for « m »)."""
        return self.word or self.unit


def _entry(raw: Mapping[str, Any]) -> UnitEntry:
    return UnitEntry(
        unit=str(raw["unit"]),
        code=str(raw["code"]),
        forms=tuple(str(f) for f in raw.get("forms", ())),
        field_only=tuple(str(f) for f in raw.get("field_only", ())),
        word=str(raw.get("word", "")),
        plural=str(raw.get("plural", "")),
        count=int(raw.get("count", 1)),
        in_quantities=bool(raw.get("in_quantities", True)),
    )


@cache
def lexicon() -> tuple[UnitEntry, ...]:
    """The units of the lexicon (``domain/kit/lexicon.yaml``), in file order (read once)."""
    return tuple(_entry(raw) for raw in lexicon_data()["units"])


@cache
def _by_folded() -> Mapping[str, UnitEntry]:
    found: dict[str, UnitEntry] = {}
    for entry in lexicon():
        for form in (entry.unit, entry.word, *entry.forms, *entry.field_only):
            if form:
                found.setdefault(fold(form), entry)
    return MappingProxyType(found)


def known_unit(value: str) -> UnitEntry | None:
    """The lexicon's entry for ``value`` in any of its spellings (« Sacs », « pcs »), or None."""
    return _by_folded().get(fold(value))


UNIT_CODES: Mapping[str, str] = MappingProxyType({e.unit: e.code for e in lexicon()})

_LABEL = re.compile(r"[^\W\d_]+(?:(?: |-|')[^\W\d_]+)*")
# Plural endings recognised on a word the lexicon does not know (« barquettes », « bols »,
# « portions », « gobelets », « plateaux »): the final -s or -x goes. Words that end in -s
# or -x in the singular (« tas », « colis », « jus », « poids », « prix ») end otherwise and
# are kept as they are.
_PLURAL_ENDINGS = ("es", "ts", "ls", "ons", "ers", "eux", "eaux")
_EXPECTED = "un mot comme sac, bidon, kg ou heure est attendu"


def _refused(value: str, why: str) -> InvalidInput:
    shown = value if len(value) <= 40 else value[:39] + "…"
    return InvalidInput(f"Unité invalide : « {shown} » ({why}).", field="unit")


def _singular(label: str) -> str:
    """The label with its first word (the counted thing: « boîtes de conserve ») singular."""
    head, sep, rest = label.partition(" ")
    if len(head) > 3 and head.endswith(_PLURAL_ENDINGS):
        head = head[:-1]
    return head + sep + rest


def _label(value: str) -> str:
    """A word the lexicon does not know, checked and cleaned (« Barquettes » → barquette)."""
    label = " ".join(value.replace("\u2019", "'").split()).lower()
    if not label:
        raise InvalidInput(f"Unité vide : {_EXPECTED}.", field="unit")
    if any(c.isdigit() for c in label):
        raise _refused(value, f"pas de chiffres : {_EXPECTED}")
    if _LABEL.fullmatch(label) is None:
        raise _refused(value, f"des lettres seulement : {_EXPECTED}")
    label = _singular(label)
    if len(label) > MAX_LENGTH:
        raise _refused(value, f"{MAX_LENGTH} caractères au plus")
    return label


def normalize_unit(value: str) -> str:
    """The label a unit is stored under: the lexicon's own for a known spelling (« pcs » →
    pièce, « Bidons » → bidon), else the word cleaned and singular (« Barquettes » →
    barquette); InvalidInput for what is not a unit word (« 5 kg », « ?? », « »)."""
    entry = known_unit(value)
    if entry is not None:
        return entry.unit
    label = _label(value)
    entry = known_unit(label)
    return entry.unit if entry is not None else label


def unit_code(unit: str) -> str:
    """The UN/ECE code of a unit (« heure » → HUR, « bidon » → XJC); C62 for a unit the
    lexicon does not know, so a stored label always has a code."""
    entry = known_unit(unit)
    return entry.code if entry is not None else GENERIC_CODE


def unit_plural(unit: str) -> str:
    """The unit after a quantity of 2 or more: the lexicon's plural (« seaux », « kg »),
    else the first word with -s (« boîtes de conserve »), -x after -eau or -eu, and
    unchanged when it already ends in -s, -x or -z (« tas », « colis »)."""
    entry = known_unit(unit)
    if entry is not None and entry.plural:
        return entry.plural
    head, sep, rest = (entry.unit if entry is not None else unit).partition(" ")
    if not head.endswith(("s", "x", "z")):
        head += "x" if head.endswith(("eau", "eu")) else "s"
    return head + sep + rest
