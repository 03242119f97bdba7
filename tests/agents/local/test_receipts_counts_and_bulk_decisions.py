"""Stock receipts and counts, leave decisions for several requests at once, and yes
answers that take in everything shown — read by the local tier (and, for the bulk leave
decision, done by the HR tool). The sentences are written for these tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from agents.local.declared import every_adapter
from agents.local.slots import analyse
from agents.local.slots.text import expand_sms
from agents.local.understanding import LocalTier, Memory, Plan
from comptoir.bootstrap import Container
from domain.kit.principal import Principal, Role
from tests.hr_factories import (
    MONDAY,
    Team,
    ask_leave,
    balance,
    make_team,
    open_balance,
)
from tests.tools.test_hr import preview, run
from tools import hr as tools
from tools.confirmation import reply_kind

TODAY = date(2026, 3, 16)  # a Monday
RECEIVE_ORDER = "stock.receive_purchase_order"


@pytest.fixture
def team(container: Container) -> Team:
    return make_team(container)


def say(local: LocalTier, message: str) -> Plan:
    principal = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
    return local.understand(message, Memory(), principal, today=TODAY, currency="XOF")


def extract(tool: str, text: str) -> dict[str, Any]:
    utterance = analyse(expand_sms(text), today=TODAY, currency="XOF")
    return every_adapter()[tool].extract(utterance)


class TestAYesToEverythingShown:
    @pytest.mark.parametrize("message", ["ok pour les deux", "oui tous les trois", "oui corrige"])
    def test_is_a_yes(self, message: str) -> None:
        assert reply_kind(message) == "yes"

    @pytest.mark.parametrize("message", ["les deux", "tous", "oui, les deux de Rama"])
    def test_alone_or_with_more_it_is_no_yes(self, message: str) -> None:
        assert reply_kind(message) != "yes"


class TestGoodsOfASuppliersOrder:
    def test_goods_from_a_named_supplier_arrived(self, local: LocalTier) -> None:
        plan = say(local, "les 30 cartons de sucre de Sotiba Négoce sont arrivés ce matin")
        assert (plan.kind, plan.tool) == ("tool", RECEIVE_ORDER), plan
        assert plan.arguments["order"] == "Sotiba Négoce"
        assert plan.arguments["lines"] == [{"product": "sucre", "quantity": "30"}]

    def test_the_whole_said_last_is_no_count(self, local: LocalTier) -> None:
        plan = say(
            local,
            "le camion des Ciments du Sahel est passé, ils ont livré 40 sacs de ciment sur les 70",
        )
        assert (plan.kind, plan.tool) == ("tool", RECEIVE_ORDER), plan
        assert plan.arguments["lines"] == [{"product": "ciment", "quantity": "40"}]

    def test_what_was_still_due_names_no_product(self, local: LocalTier) -> None:
        plan = say(local, "les 6 cartons restants de la commande BC-2026-00009 sont arrivés")
        assert (plan.kind, plan.tool) == ("tool", RECEIVE_ORDER), plan
        assert plan.arguments["lines"] == [{"quantity": "6"}]

    def test_a_plain_receipt_stays_one(self, local: LocalTier) -> None:
        plan = say(local, "on a reçu 12 cartons de savon")
        assert plan.tool == "stock.receive", plan

    def test_ordering_again_from_a_supplier(self, local: LocalTier) -> None:
        plan = say(local, "recommande 8 sacs de farine chez Moulins Sentenac")
        assert (plan.kind, plan.tool) == ("tool", "stock.create_purchase_order"), plan
        assert plan.arguments["supplier"] == "Moulins Sentenac"


class TestCountsAndStockWords:
    def test_the_real_stock_of_a_product(self) -> None:
        said = extract("stock.adjust", "le stock physique de thé vert : 14")
        assert said["product"].startswith("thé vert") and said["counted_quantity"] == Decimal(14)

    def test_how_long_before_running_out(self, local: LocalTier) -> None:
        plan = say(local, "dans combien de temps on n'aura plus de thé vert ?")
        assert plan.tool == "stock.forecast_stockout", plan
        assert plan.arguments["product"] == "thé vert"

    def test_a_new_product_with_its_stock_minimum(self) -> None:
        said = extract("stock.create_product", "crée le produit Thé Ataya, prix 900, stock mini 30")
        assert said["min_stock"] == Decimal(30)
        plain = extract("stock.create_product", "crée le produit Thé Ataya, minimum 2 par client")
        assert "min_stock" not in plain


class TestLeaveRequests:
    def test_a_person_named_first_then_taken_up(self) -> None:
        said = extract("hr.leave_balance", "Aïssatou, il lui reste combien de jours ?")
        assert said["employee"] == "Aïssatou"

    def test_from_one_part_of_a_month_to_the_next(self) -> None:
        said = extract("hr.approve_leave", "valide le congé de Lamine mi avril fin avril")
        assert said["employee"] == "Lamine"
        assert (said["start_date"], said["end_date"]) == (date(2026, 4, 11), date(2026, 4, 30))

    def test_every_pending_request_is_read(self) -> None:
        said = extract("hr.approve_leave", "approuve toutes les demandes en attente")
        assert said.get("every_pending") is True
        assert "every_pending" not in extract("hr.approve_leave", "approuve la demande de Rama")

    def test_every_pending_request_approved_at_once(self, container: Container, team: Team) -> None:
        moussa = team.moussa
        open_balance(container, team.staff, moussa.id, "10")
        ask_leave(container, team.hr, team.awa_record.id, MONDAY, MONDAY)
        ask_leave(container, team.hr, moussa.id, date(2026, 3, 25), date(2026, 3, 26))
        shown = preview(container, tools.approve_leave, team.hr, {"every_pending": True})
        assert "Awa Ndiaye" in shown and "Moussa Sarr" in shown
        run(container, tools.approve_leave, team.hr, every_pending=True)
        assert balance(container, team.staff, team.awa_record.id) == Decimal(9)
        assert balance(container, team.staff, moussa.id) == Decimal(8)


class TestTheProductJustSpokenOf:
    def test_a_bare_count_of_containers_is_of_that_product(self, local: LocalTier) -> None:
        principal = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
        memory = Memory()
        local.remember(memory, "stock.receive", {"product": "sucre", "quantity": "8"})
        plan = local.understand(
            "sors 3 sacs pour la boutique", memory, principal, today=TODAY, currency="XOF"
        )
        assert plan.tool == "stock.issue" and plan.arguments["product"] == "sucre", plan
