"""Customers' cards and the pipeline as people say them: a role's qualifier is never a name,
a field added changes the card that exists, deals and activities in everyday words, quotes
listed by what is waited for or whom they were made for. No database: the router, the
adapters and the registry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from agents.local.declared import every_adapter
from agents.local.slots import analyse
from agents.local.understanding import LocalTier, Plan
from tests.agents.tier import tool_call, understand

TODAY = date(2026, 3, 16)  # a Monday


def say(local: LocalTier, message: str) -> Plan:
    return understand(local, message, today=TODAY)


def extract(tool: str, text: str) -> dict[str, object]:
    return every_adapter()[tool].extract(analyse(text, today=TODAY, currency="XOF"))


class TestTheNameOfANewPartner:
    @pytest.mark.parametrize(
        ("message", "name"),
        [
            ("nouveau client pro : Garage Fontaine, à Tours", "Garage Fontaine"),
            ("client professionnel : Ferme Dupuis, Chinon, 02 47 11 22 33", "Ferme Dupuis"),
        ],
    )
    def test_a_qualifier_of_the_role_before_a_colon_is_never_the_name(
        self, local: LocalTier, message: str, name: str
    ) -> None:
        tool, arguments = tool_call(say(local, message))
        assert tool == "sales.create_customer"
        assert arguments["name"] == name

    def test_a_qualifier_alone_is_no_name_and_the_name_is_asked(self, local: LocalTier) -> None:
        plan = say(local, "nouveau client pro à Chinon")
        assert plan.kind != "tool"
        assert "name" not in plan.arguments


class TestAFieldAddedToACard:
    def test_it_changes_the_card_that_exists(self, local: LocalTier) -> None:
        tool, arguments = tool_call(say(local, "ajoute le téléphone 77 555 66 77 au client Ndour"))
        assert tool == "sales.update_customer"
        assert arguments == {"customer": "Ndour", "phone": "77 555 66 77"}

    def test_a_card_said_new_is_made_with_it(self, local: LocalTier) -> None:
        tool, arguments = tool_call(say(local, "nouveau client Ndour, ajoute son tel 77 555 66 77"))
        assert tool == "sales.create_customer"
        assert arguments["name"] == "Ndour"

    def test_records_sent_to_a_new_address_change_the_persons_email(self, local: LocalTier) -> None:
        plan = say(local, "Sow Import veut que ses relances arrivent dorénavant sur compta@sow.sn")
        tool, arguments = tool_call(plan)
        assert tool == "sales.update_customer"
        assert arguments == {"customer": "Sow Import", "email": "compta@sow.sn"}

    def test_an_employee_receives_no_invoice(self, local: LocalTier) -> None:
        plan = say(local, "les factures d'Awa Sarr partent désormais sur awa@sarr.sn, mets à jour")
        assert plan.kind != "tool" or plan.tool == "sales.update_customer", plan


class TestThePipelineInEverydayWords:
    def test_a_deal_said_dead_is_lost_and_the_other_clause_says_why(self) -> None:
        said = extract("sales.move_opportunity", "c'est mort avec Garage Lopez, trop cher pour eux")
        assert said["stage"] == "Perdu"
        assert said["lost_reason"] == "trop cher pour eux"

    def test_a_deal_put_in_the_pipeline_is_named_after_the_colon(self) -> None:
        said = extract(
            "sales.create_opportunity",
            "mets dans le pipeline : Clinique Ndiaye, groupe électrogène, 4 500 000 F, en négo",
        )
        assert said == {
            "customer": "Clinique Ndiaye",
            "amount": Decimal("4500000"),
            "stage": "Négociation",
            "title": "groupe électrogène",
        }


class TestActivities:
    def test_a_task_for_a_day_said_before_a_colon(self, local: LocalTier) -> None:
        tool, arguments = tool_call(
            say(local, "crée une tâche pour le 20 : livrer les échantillons au Novotel")
        )
        assert tool == "sales.log_activity"
        assert arguments["kind"] == "task"
        assert arguments["due_date"] == "2026-03-20"
        assert arguments["partner"] == "Novotel"

    def test_a_note_keeps_its_numbers_said_in_words(self, local: LocalTier) -> None:
        tool, arguments = tool_call(
            say(local, "ajoute une note sur Boutique Fall : ils règlent en trois fois")
        )
        assert tool == "sales.log_activity"
        assert arguments["kind"] == "note"

    def test_someone_had_on_the_phone_is_a_call_with_them(self) -> None:
        said = extract("sales.log_activity", "j'ai eu Ndour Transit au tel, ils passent lundi")
        assert said["kind"] == "call"
        assert said["partner"] == "Ndour Transit"


class TestQuotesListed:
    def test_the_ones_still_waited_for_are_the_sent_ones(self) -> None:
        said = extract("finance.list_quotes", "sur quels devis j'attends une réponse ?")
        assert said == {"status": "sent"}

    def test_the_ones_made_for_a_customer(self) -> None:
        said = extract("finance.list_quotes", "les devis qu'on a faits pour garage lopez")
        assert said == {"customer": "garage lopez"}


class TestASizeInAProductsName:
    @pytest.mark.parametrize(
        ("message", "item"),
        [
            ("devis pour Mme Ba, 6 oreillers 60", "oreillers 60"),
            ("facture Diallo 4 pneus 205 et 2 jantes", "pneus 205"),
            ("facture Diallo 3 sacs de riz 15000", "riz"),  # five digits: no size
        ],
    )
    def test_a_number_closing_the_item_is_its_size(self, message: str, item: str) -> None:
        quantities = analyse(message, today=TODAY).quantities
        assert quantities[0].item == item
