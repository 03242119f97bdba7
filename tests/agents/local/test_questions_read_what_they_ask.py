"""Questions read what they ask: a customer's revenue said with « avec », money still to
come in by due date, the amount of deals at one stage, an employee's manager, a fact of the
business's own documents (a threshold, a pay grid of a given year), and the average payment
delay said plainly unavailable. No database: the router, the adapters and the registry.
Messages are written for these tests, not taken from any eval set."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from agents.local.understanding import LocalTier, Memory, Plan
from domain.kit.principal import Principal, Role

TODAY = date(2026, 3, 16)  # a Monday
ADMIN = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))


def say(local: LocalTier, message: str) -> Plan:
    return local.understand(message, Memory(), ADMIN, today=TODAY, currency="XOF")


def test_revenue_made_with_one_customer(local: LocalTier) -> None:
    plan = say(local, "on a fait combien de chiffre avec la Pharmacie Ndiaye en février ?")
    assert plan.kind == "tool" and plan.tool == "finance.revenue", plan
    assert plan.arguments["customer"] == "Pharmacie Ndiaye"
    assert plan.arguments["start"] == "2026-02-01"


def test_money_to_come_in_is_read_by_due_date(local: LocalTier) -> None:
    plan = say(local, "combien doit nous rentrer sur les 15 prochains jours ?")
    assert plan.kind == "tool" and plan.tool == "finance.list_invoices", plan
    assert plan.arguments == {"due_within_days": 15}


def test_when_a_customers_invoice_falls_due(local: LocalTier) -> None:
    plan = say(local, "Boutique Faye, sa facture arrive à échéance quand ?")
    assert plan.kind == "tool" and plan.tool == "finance.list_invoices", plan
    assert plan.arguments == {"customer": "Boutique Faye", "status": "open"}


def test_contracts_ending_stay_contracts(local: LocalTier) -> None:
    plan = say(local, "quels contrats arrivent à échéance le mois prochain ?")
    assert plan.tool == "hr.expiring_contracts", plan


def test_amount_of_deals_in_negotiation(local: LocalTier) -> None:
    plan = say(local, "ça fait combien en négo actuellement ?")
    assert plan.kind == "tool" and plan.tool == "sales.pipeline_summary", plan
    assert plan.arguments == {"stage": "Négociation"}


def test_deals_in_progress_are_the_pipeline_not_the_overview(local: LocalTier) -> None:
    plan = say(local, "on en est où des affaires en cours ?")
    assert plan.tool == "sales.pipeline_summary", plan
    assert say(local, "on en est où ce mois-ci ?").tool == "reports.kpis"


def test_an_employees_manager_is_an_employee_search(local: LocalTier) -> None:
    plan = say(local, "qui est le responsable de Mamadou, déjà ?")
    assert plan.kind == "tool" and plan.tool == "hr.find_employee", plan
    assert plan.arguments["query"] == "Mamadou"


def test_a_threshold_of_the_terms_is_asked_to_the_documents(local: LocalTier) -> None:
    plan = say(local, "à partir de combien d'achat les frais de port sont gratuits ?")
    assert plan.kind == "tool" and plan.tool == "documents.search", plan


def test_a_pay_grid_of_a_year_is_asked_to_the_documents(local: LocalTier) -> None:
    plan = say(local, "dans la grille des salaires 2025, un chauffeur gagne combien ?")
    assert plan.kind == "tool" and plan.tool == "documents.search", plan


def test_average_payment_delay_is_said_unavailable(local: LocalTier) -> None:
    plan = say(local, "en moyenne, les clients nous paient au bout de combien de jours ?")
    assert plan.kind == "reply" and "pas encore" in plan.text and "jours" in plan.text, plan


def test_overdue_after_the_due_date_stays_overdue(local: LocalTier) -> None:
    plan = say(local, "montre les factures impayées depuis plus de 45 jours après l'échéance")
    assert plan.tool == "finance.list_invoices", plan
    assert plan.arguments == {"overdue_days": 45}


def test_where_the_revenue_stands_is_still_the_overview(local: LocalTier) -> None:
    plan = say(local, "on en est où du chiffre d'affaires cette semaine ?")
    assert plan.tool == "reports.kpis", plan
