"""Sales adapters: what French messages say, as the sales tools' arguments."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest

from agents.local.declared import every_adapter
from agents.local.slots import analyse
from tools import sales as tools

TODAY = date(2026, 3, 16)  # a Monday
BY_TOOL = {name: a for name, a in every_adapter().items() if name.startswith("sales.")}


def extract(tool: str, text: str) -> dict[str, Any]:
    return BY_TOOL[tool].extract(analyse(text, today=TODAY, currency="XOF"))


CASES = [
    ("sales.find_customer", "cherche le client Diallo", {"query": "Diallo"}),
    ("sales.find_customer", "c'est quoi le numéro de Ndiaye ?", {"query": "Ndiaye"}),
    ("sales.find_customer", "trouve le client 77 123 45 67", {"query": "77 123 45 67"}),
    ("sales.find_supplier", "cherche le fournisseur Sotiba stp", {"query": "Sotiba"}),
    ("sales.find_supplier", "le fournisseur F00002", {"query": "F00002"}),
    (
        "sales.create_customer",
        "ajoute le client Diallo SARL, tél 77 123 45 67",
        {"name": "Diallo SARL", "phone": "77 123 45 67"},
    ),
    (  # the town written after the street, the sentence going on after it
        "sales.create_customer",
        "crée le client Garage Petit, 8 rue Victor Hugo, Lyon. Leur tél : 04 78 12 34 56",
        {
            "name": "Garage Petit",
            "address": "8 rue Victor Hugo",
            "city": "Lyon",
            "phone": "04 78 12 34 56",
        },
    ),
    (
        "sales.create_customer",
        "nouveau client Awa Ndiaye, particulier, à Thiès",
        {"name": "Awa Ndiaye", "city": "Thiès", "kind": "individual"},
    ),
    (
        "sales.create_customer",
        "crée le client Dupont SAS, email contact@dupont.fr",
        {"name": "Dupont SAS", "email": "contact@dupont.fr"},
    ),
    (
        "sales.create_supplier",
        "nouveau fournisseur Grands Moulins de Dakar, livre en 5 jours",
        {"name": "Grands Moulins de Dakar", "lead_time_days": 5},
    ),
    (
        "sales.update_customer",
        "change le téléphone de Diallo : 77 000 11 22",
        {"customer": "Diallo", "phone": "77 000 11 22"},
    ),
    ("sales.update_customer", "Ndiaye a déménagé à Thiès", {"customer": "Ndiaye", "city": "Thiès"}),
    (
        "sales.update_customer",
        "la pharmacie Sow a changé d'adresse e-mail : contact@pharmasow.sn",
        {"customer": "pharmacie Sow", "email": "contact@pharmasow.sn"},
    ),
    (
        "sales.update_customer",
        "mets le délai de paiement du client Dupont à 30 jours",
        {"customer": "Dupont", "payment_terms_days": 30},
    ),
    (
        "sales.create_opportunity",
        "nouvelle affaire avec Diallo, 2 millions",
        {"customer": "Diallo", "amount": Decimal(2_000_000)},
    ),
    (
        "sales.create_opportunity",
        "opportunité Dupont SAS : équipement bureau, 15 000 €",
        {"customer": "Dupont SAS", "amount": Decimal(15_000), "title": "équipement bureau"},
    ),
    (
        "sales.create_opportunity",
        "ajoute une affaire pour Ndiaye en négociation",
        {"customer": "Ndiaye", "stage": "Négociation"},
    ),
    (
        "sales.move_opportunity",
        "passe l'affaire Diallo en négociation",
        {"customer": "Diallo", "stage": "Négociation"},
    ),
    ("sales.move_opportunity", "Dupont a signé", {"customer": "Dupont", "stage": "Gagné"}),
    ("sales.move_opportunity", "on a gagné Dupont !", {"customer": "Dupont", "stage": "Gagné"}),
    (
        "sales.move_opportunity",
        "l'affaire Ndiaye est perdue, trop cher",
        {"customer": "Ndiaye", "stage": "Perdu", "lost_reason": "trop cher"},
    ),
    ("sales.pipeline_summary", "où en est le pipeline ?", {}),
    (
        "sales.log_activity",
        "rappelle Diallo demain 10h pour le devis",
        {
            "kind": "call",
            "partner": "Diallo",
            "subject": "le devis",
            "due_date": date(2026, 3, 17),
            "due_time": time(10),
        },
    ),
    (
        "sales.log_activity",
        "tâche pour Awa : relancer Ndiaye vendredi",
        {
            "kind": "task",
            "partner": "Ndiaye",
            "subject": "relancer Ndiaye",
            "due_date": date(2026, 3, 20),
            "assignee": "Awa",
        },
    ),
    ("sales.list_activities", "qu'est-ce que j'ai à faire ?", {"mine": True}),
    ("sales.list_activities", "les relances en retard", {"status": "overdue"}),
    ("sales.list_activities", "les activités avec Diallo", {"partner": "Diallo"}),
]


@pytest.mark.parametrize(("tool", "text", "expected"), CASES)
def test_extract(tool: str, text: str, expected: dict[str, Any]) -> None:
    assert extract(tool, text) == expected


@pytest.mark.parametrize(("tool", "text", "expected"), CASES)
def test_extracted_arguments_fit_the_tool(tool: str, text: str, expected: dict[str, Any]) -> None:
    model = next(t for t in tools.TOOLS if t.name == tool).input_model
    fields = set(model.model_fields)
    assert set(expected) <= fields
    ask = BY_TOOL[tool].ask
    assert set(ask) <= fields


def test_nothing_said_nothing_guessed() -> None:
    assert extract("sales.create_customer", "ajoute un client") == {}
    assert extract("sales.move_opportunity", "change l'étape") == {}


def test_every_tool_has_an_adapter() -> None:
    assert set(BY_TOOL) == {t.name for t in tools.TOOLS}


def test_a_correction_replaces_the_stage() -> None:
    adapter = BY_TOOL["sales.move_opportunity"]
    first = extract("sales.move_opportunity", "passe l'affaire Diallo en proposition")
    fixed = adapter.corrected(first, analyse("non, en négociation", today=TODAY))
    assert fixed == {"customer": "Diallo", "stage": "Négociation"}


NEW_CASES = [
    (
        "sales.create_customer",
        "Rajoute un nouveau client : Menuiserie Roux, menuiserie.roux@free.fr, à Lyon",
        {"name": "Menuiserie Roux", "email": "menuiserie.roux@free.fr", "city": "Lyon"},
    ),
    (
        "sales.create_customer",
        "nouvelle cliente, Mme Anne Morel, particulière, 06 11 22 33 44",
        {"name": "Anne Morel", "phone": "06 11 22 33 44", "kind": "individual"},
    ),
    (
        "sales.create_customer",
        "nouvo client svp c un particulier : Khady Sow, elle habite a Thies",
        {"name": "Khady Sow", "city": "Thiès", "kind": "individual"},
    ),
    (
        "sales.create_customer",
        "Hôtel Teranga, à Saly, 33 957 00 00",
        {"name": "Hôtel Teranga", "city": "Saly", "phone": "33 957 00 00"},
    ),
    (
        "sales.create_customer",
        "Nouveau client : Cave Martin, Bordeaux, tél 05 56 00 11 22",
        {"name": "Cave Martin", "city": "Bordeaux", "phone": "05 56 00 11 22"},
    ),
    (
        "sales.create_customer",
        "crée le client Roux SARL, mail roux.sarl.fr",
        {"name": "Roux SARL", "email": "roux.sarl.fr"},
    ),
    (
        "sales.create_customer",
        "enregistre le client Ba Négoce, tél 77 12 34",
        {"name": "Ba Négoce", "phone": "77 12 34"},
    ),
    (
        "sales.create_supplier",
        "Senico, tél 33 800 00 01",
        {"name": "Senico", "phone": "33 800 00 01"},
    ),
    (
        "sales.update_customer",
        "Ets Ba a déménagé : 12 rue Carnot, à Dakar",
        {"customer": "Ets Ba", "address": "12 rue Carnot", "city": "Dakar"},
    ),
    ("sales.find_customer", "tu connais une cliente qui s'appelle Morel ?", {"query": "Morel"}),
    (
        "sales.create_opportunity",
        "ajoute une affaire Garage Roux, logiciel de stock, 6 000 €",
        {"customer": "Garage Roux", "amount": Decimal(6000), "title": "logiciel de stock"},
    ),
    (
        "sales.move_opportunity",
        "passe l'affaire Kane en négo",
        {"customer": "Kane", "stage": "Négociation"},
    ),
    (
        "sales.move_opportunity",
        "Super, Gaye Frères a signé ! mets l'affaire en gagnée",
        {"customer": "Gaye Frères", "stage": "Gagné"},
    ),
    ("sales.move_opportunity", "celle du renouvellement", {"title": "renouvellement"}),
    (
        "sales.log_activity",
        "ajoute une note sur la Boutique Sy : paie toujours en espèces",
        {"kind": "note", "partner": "Boutique Sy", "subject": "paie toujours en espèces"},
    ),
    (
        "sales.log_activity",
        "programe un apel lundi 8h",
        {
            "kind": "call",
            "subject": "programe un apel",
            "due_date": date(2026, 3, 23),
            "due_time": time(8),
        },
    ),  # fmt: skip
]


@pytest.mark.parametrize(("tool", "text", "expected"), NEW_CASES)
def test_extract_more(tool: str, text: str, expected: dict[str, Any]) -> None:
    assert extract(tool, text) == expected


def test_an_activity_correction_keeps_the_subject() -> None:
    adapter = BY_TOOL["sales.log_activity"]
    first = extract("sales.log_activity", "rdv avec Fall mardi à 10h pour le devis")
    fixed = adapter.corrected(first, analyse("non, plutôt vendredi, même heure", today=TODAY))
    assert fixed["subject"] == "le devis"
    assert fixed["due_date"] == date(2026, 3, 20)
    assert fixed["due_time"] == time(10)
