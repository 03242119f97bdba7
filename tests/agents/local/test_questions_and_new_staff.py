"""Questions the local tier answers whole — one customer's revenue, who owes the most, two
questions in one message, a count of best customers after « c'est qui » — and people
named by their job or changing it. No database: the router, the adapters and the registry.
Messages are written for these tests, not taken from any eval set."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from agents.local.understanding import LocalTier, Memory, Plan
from domain.kit.principal import Principal, Role

TODAY = date(2026, 3, 16)  # a Monday
ADMIN = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    return local.understand(message, memory or Memory(), ADMIN, today=TODAY, currency="XOF")


def shown(local: LocalTier, memory: Memory, plan: Plan) -> None:
    """The preview of ``plan`` is on screen, waiting for its « oui »."""
    assert plan.kind == "tool" and plan.tool, plan
    local.remember(memory, plan.tool, plan.arguments, shown=True)


class TestOneCustomersRevenue:
    @pytest.mark.parametrize(
        ("message", "customer"),
        [
            ("on a facturé combien à la Quincaillerie Sall depuis janvier ?", "Quincaillerie Sall"),
            ("combien j'ai vendu à Touba Négoce le mois dernier ?", "Touba Négoce"),
        ],
    )  # fmt: skip
    def test_the_customer_after_the_verb(
        self, local: LocalTier, message: str, customer: str
    ) -> None:
        plan = say(local, message)
        assert plan.kind == "tool" and plan.tool == "finance.revenue", plan
        assert plan.arguments["customer"] == customer

    def test_a_month_after_de_is_no_customer(self, local: LocalTier) -> None:
        plan = say(local, "c'est quoi le chiffre d'affaires de février ?")
        assert plan.tool == "finance.revenue" and "customer" not in plan.arguments, plan


class TestQuestionsReadWhole:
    def test_best_customers_asked_with_cest_qui(self, local: LocalTier) -> None:
        plan = say(local, "c'est qui mes 5 meilleurs clients du trimestre ?")
        assert plan.kind == "tool" and plan.tool == "reports.kpis", plan
        assert plan.arguments["top"] == 5

    def test_who_owes_the_most(self, local: LocalTier) -> None:
        plan = say(local, "dis, c'est lequel des clients qui nous doit le plus d'argent ?")
        assert plan.kind == "tool" and plan.tool == "finance.aged_receivables", plan

    def test_a_question_word_after_pour_is_no_name(self, local: LocalTier) -> None:
        plan = say(local, "il y a combien de factures en retard, et pour quel total ?")
        assert plan.tool == "finance.list_invoices" and "customer" not in plan.arguments, plan

    def test_two_questions_are_both_answered(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(
            local, "il reste combien de cartons d'huile et qui est en congé aujourd'hui ?", memory
        )
        assert plan.kind == "tool" and plan.tool == "stock.stock_level", plan
        assert memory.queued == "qui est en congé aujourd'hui ?"
        assert plan.text == ""  # nothing waits: both are answered in the turn

    def test_a_document_number_said_is_never_dropped(self, local: LocalTier) -> None:
        plan = say(local, "le client Sall a dit oui pour le devis D-2026-00042, prends-en note")
        assert plan.tool != "finance.create_quote" or plan.kind != "tool", plan


class TestQuotesAskedAbout:
    def test_until_when_a_customers_quote_holds(self, local: LocalTier) -> None:
        plan = say(local, "il expire quand, le devis de la Boulangerie Fall ?")
        assert plan.kind == "tool" and plan.tool == "finance.list_quotes", plan
        assert plan.arguments == {"customer": "Boulangerie Fall"}

    def test_quotes_waiting_for_an_answer(self, local: LocalTier) -> None:
        plan = say(local, "combien de mes devis n'ont toujours pas de réponse du client ?")
        assert plan.tool == "finance.list_quotes" and plan.arguments == {"status": "sent"}

    def test_making_a_quote_stays_a_write(self, local: LocalTier) -> None:
        plan = say(local, "prépare un devis pour la Boulangerie Fall, 4 sacs de farine")
        assert plan.tool == "finance.create_quote", plan


class TestPoliteRequests:
    def test_can_you_send_is_a_request(self, local: LocalTier) -> None:
        plan = say(local, "pourriez-vous envoyer sa facture à la Boulangerie Fall par e-mail ?")
        assert plan.kind == "tool" and plan.tool == "finance.send_invoice", plan
        assert plan.arguments["channel"] == "email"

    def test_can_you_tell_me_stays_a_question(self, local: LocalTier) -> None:
        plan = say(local, "tu peux me dire combien me doit la Boulangerie Fall ?")
        assert plan.kind == "tool" and plan.tool == "finance.customer_balance", plan

    def test_invoices_not_yet_validated_are_the_drafts(self, local: LocalTier) -> None:
        plan = say(local, "lesquelles de mes factures ne sont pas encore validées ?")
        assert plan.tool == "finance.list_invoices" and plan.arguments == {"status": "draft"}


class TestQuotesSaidAtLength:
    def test_in_the_name_of_and_a_rate_for_both_lines(self, local: LocalTier) -> None:
        plan = local.understand(
            "pourriez-vous faire un devis au nom de M. Gilles Caron : 12 m² de parquet à "
            "45 € le m² et 12 m² de sous-couche à 6 € le m², TVA à 10 % pour les deux",
            Memory(),
            ADMIN,
            today=TODAY,
            currency="EUR",
        )
        assert plan.kind == "tool" and plan.tool == "finance.create_quote", plan
        assert plan.arguments["customer"] == "Gilles Caron"
        assert [line["vat_rate"] for line in plan.arguments["lines"]] == ["10", "10"]


class TestReferencesThatLookLikeDates:
    @pytest.mark.parametrize("number", ["2026-11-004587", "2026-13-01"])
    def test_a_bill_number_shaped_like_a_date_is_read(self, local: LocalTier, number: str) -> None:
        plan = say(local, f"enregistre la facture n° {number} de Sotiba, 118 000 F TTC")
        assert plan.tool == "purchasing.record_supplier_bill", plan
        assert plan.arguments["supplier_number"] == number


class TestSchedules:
    def test_a_weekly_send_moved_to_another_day(self, local: LocalTier) -> None:
        memory = Memory()
        shown(local, memory, say(local, "chaque vendredi à 17h envoie-moi les impayés", memory))
        plan = say(local, "non, plutôt le jeudi à 16h", memory)
        assert plan.kind == "tool" and plan.tool == "automations.create", plan
        assert plan.arguments["when"]["rrule"] == "FREQ=WEEKLY;BYDAY=TH;BYHOUR=16;BYMINUTE=0"
        assert plan.arguments["what"] == "unpaid"

    def test_sent_to_someone_named_after_a(self, local: LocalTier) -> None:
        plan = say(local, "tous les vendredis envoie les impayés à Mariama par mail")
        assert plan.tool == "automations.create" and plan.arguments["recipient"] == "Mariama"
        to_me = say(local, "rappelle-moi chaque samedi de passer au dépôt à Rufisque")
        assert to_me.tool == "automations.create" and "recipient" not in to_me.arguments

    def test_lateness_said_after_the_delay(self, local: LocalTier) -> None:
        plan = say(local, "relance toute seule les factures 20 jours après leur échéance")
        assert plan.tool == "automations.create" and plan.arguments["after"]["days"] == 20, plan

    def test_products_under_their_threshold_sent_weekly(self, local: LocalTier) -> None:
        plan = say(local, "tous les samedis envoie-moi les articles sous le seuil")
        assert plan.tool == "automations.create" and plan.arguments["what"] == "low_stock", plan


class TestStaffByTheirJob:
    def test_someone_new_named_by_their_job_is_an_employee(self, local: LocalTier) -> None:
        memory = Memory()
        plan = say(local, "enregistre une nouvelle gérante", memory)
        assert plan.tool == "hr.create_employee" and plan.kind == "reply", plan
        assert plan.text == "Quel est le nom du nouvel employé ?"
        named = say(local, "elle s'appelle Mariama Ba", memory)
        assert named.tool == "hr.create_employee", named
        assert named.arguments == {"name": "Mariama Ba", "job_title": "gérante"}

    def test_the_name_after_the_job(self, local: LocalTier) -> None:
        plan = say(local, "on a pris un nouveau magasinier : Pape Sarr")
        assert plan.tool == "hr.create_employee", plan
        assert plan.arguments == {"name": "Pape Sarr", "job_title": "magasinier"}

    def test_a_whatsapp_number_is_no_phone(self, local: LocalTier) -> None:
        plan = say(local, "embauche Ousmane Gaye comme livreur, son whatsapp c'est 76 123 45 67")
        assert plan.tool == "hr.create_employee", plan
        assert plan.arguments.get("whatsapp") == "76 123 45 67" and "phone" not in plan.arguments

    def test_a_new_title_from_a_date(self, local: LocalTier) -> None:
        plan = say(local, "Khady Sow passe responsable de caisse à partir du 1er avril")
        assert plan.tool == "hr.update_employee", plan
        assert plan.arguments["employee"] == "Khady Sow"
        assert plan.arguments["job_title"] == "responsable de caisse"
