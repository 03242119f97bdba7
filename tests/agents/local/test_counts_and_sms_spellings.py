"""Counts said around a product's name: a noun ending in « é » after a counting unit, an
inventory's count said apart from a product whose size holds a figure, and SMS spellings
of the words that name a request."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from agents.local.declared import every_adapter
from agents.local.slots import analyse, parse_quantities
from agents.local.slots.text import expand_sms

TODAY = date(2026, 11, 18)


def extract(tool: str, text: str) -> dict[str, Any]:
    utterance = analyse(expand_sms(text), today=TODAY, currency="XOF")
    return every_adapter()[tool].extract(utterance)


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("6 paquets café moulu", "café moulu"),
        ("12 boîte thé menthe", "thé menthe"),
        ("3 sacs blé dur", "blé dur"),
    ],
)
def test_a_noun_ending_in_e_after_a_counting_unit_is_what_is_counted(text: str, item: str) -> None:
    [quantity] = parse_quantities(text)
    assert quantity.item == item


def test_a_participle_after_a_counting_unit_is_still_no_item() -> None:
    [quantity] = parse_quantities("15 cartons abîmés")
    assert quantity.item is None


def test_an_inventory_count_said_apart_from_a_sized_product() -> None:
    found = extract("stock.adjust", "inventaire : gasoil 5L, on en a 9 et pas 11")
    assert found["counted_quantity"] == Decimal("9")
    assert found["product"] == "gasoil 5L"


def test_an_inventory_count_found_with_a_verb_of_counting() -> None:
    found = extract("stock.adjust", "inventaire du ciment, j'en compte 40")
    assert found["counted_quantity"] == Decimal("40")


@pytest.mark.parametrize(
    ("spelled", "written"),
    [
        ("fai 1 devi pr Sow", "fais 1 devis pour Sow"),
        ("inventair du riz", "inventaire du riz"),
        ("on en a 3 pa 4", "on en a 3 pas 4"),
    ],
)
def test_sms_spellings_of_request_words(spelled: str, written: str) -> None:
    assert expand_sms(spelled) == written
