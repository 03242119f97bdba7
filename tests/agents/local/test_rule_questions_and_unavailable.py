"""The local tier's plans for questions about rules (read in the documents) and for
requests of capabilities Comptoir does not have (said so), next to the record questions
and actions they must not take. No database: only the router, the adapters and the
registry. Phrasings here are not exemplars: they check that the data generalises."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from agents.local import unavailable
from agents.local.understanding import LocalTier, Memory, Plan
from domain.kit.principal import Principal, Role

TODAY = date(2026, 3, 16)


def say(local: LocalTier, message: str) -> Plan:
    admin = Principal(uuid4(), uuid4(), frozenset({Role.ADMIN}))
    return local.understand(message, Memory(), admin, today=TODAY, currency="XOF")


class TestRuleQuestionsGoToTheDocuments:
    @pytest.mark.parametrize(
        "message",
        [
            "qui fixe les dates des congés payés ?",
            "renouvellement période d'essai accord salarié",
            "conséquences refus rupture conventionnelle",
            "peut-on licencier un salarié en arrêt maladie ?",
            "les congés payés se prennent quand ?",
            "combien de temps à l'avance faut-il demander ses congés ?",
            "un salarié peut-il refuser une mutation ?",
            "le préavis de démission c'est combien ?",
            "est-ce que les jours fériés sont payés ?",
            "a-t-on le droit de retenir sur salaire une casse ?",
            "que se passe-t-il si un client ne paie pas à l'échéance ?",
        ],
    )
    def test_a_question_about_a_rule_searches_the_documents(
        self, local: LocalTier, message: str
    ) -> None:
        plan = say(local, message)
        assert (plan.kind, plan.tool) == ("tool", "documents.search")
        assert plan.arguments == {"question": message}

    @pytest.mark.parametrize(
        "message",
        [
            "comment calculer l'indemnité de licenciement ?",
            "comment renouveler une période d'essai ?",
        ],
    )
    def test_asking_how_a_rule_works_reads_the_documents(
        self, local: LocalTier, message: str
    ) -> None:
        plan = say(local, message)
        assert (plan.kind, plan.tool, plan.arguments) == (
            "tool",
            "documents.search",
            {"question": message},
        )

    @pytest.mark.parametrize(
        "message",
        [
            "on doit mettre quoi comme tenue en caisse ?",
            "je dois faire quoi si un client se blesse dans la boutique ?",
            "la caisse on doit la recompter tous les combien ?",
        ],
    )
    def test_an_obligation_said_with_devoir_is_no_debt(
        self, local: LocalTier, message: str
    ) -> None:
        # « on doit / je dois » + infinitive is what must be done, not what is owed
        plan = say(local, message)
        assert plan.tool != "purchasing.payables"
        assert plan.kind != "tool" or plan.tool == "documents.search"

    @pytest.mark.parametrize(
        "message", ["on peut faire un devis ?", "est-ce qu'on peut ajouter un produit ?"]
    )
    def test_asking_whether_comptoir_can_do_something_is_not_a_rule(
        self, local: LocalTier, message: str
    ) -> None:
        assert say(local, message).tool != "documents.search"

    @pytest.mark.parametrize(
        ("message", "tool"),
        [
            ("combien de jours de congé il me reste ?", "hr.leave_balance"),
            ("qui est absent aujourd'hui ?", "hr.who_is_absent"),
            ("combien de riz en stock ?", "stock.stock_level"),
            ("quelles factures sont en retard ?", "finance.list_invoices"),
            ("c'est quoi le solde de congés de Awa ?", "hr.leave_balance"),
            ("je voudrais prendre 3 jours de congé à partir du 14 avril", "hr.request_leave"),
            ("pose-moi un congé lundi", "hr.request_leave"),
            ("on doit encore combien à nos fournisseurs ?", "purchasing.payables"),
            ("qu'est-ce qu'on doit à Sotiba ?", "purchasing.payables"),
        ],
    )
    def test_a_question_about_a_record_or_a_request_keeps_its_tool(
        self, local: LocalTier, message: str, tool: str
    ) -> None:
        plan = say(local, message)
        assert plan.kind == "tool" and plan.tool == tool


class TestUnavailableCapabilities:
    @pytest.mark.parametrize(
        ("message", "capability"),
        [
            ("relance tous les clients en retard", "dunning"),
            ("ajoute une dépense de 8 000 pour l'essence du camion", "expenses"),
            ("fais les fiches de paie du mois", "payroll"),
            ("verse le salaire de Moussa", "payroll"),
            (
                "sur la facture F-2026-00003 corrige la quantité de riz, c'est 4",
                "edit_posted_invoice",
            ),
            ("modifie la remise sur la F-2026-00002 stp", "edit_posted_invoice"),
            ("change le client de la facture F-2026-00009", "edit_posted_invoice"),
        ],
    )
    def test_is_said_not_routed_to_a_neighbour(
        self, local: LocalTier, message: str, capability: str
    ) -> None:
        plan = say(local, message)
        assert plan.kind == "reply" and plan.tool is None
        assert plan.text == unavailable.replies()[f"unavailable.{capability}"]

    @pytest.mark.parametrize(
        "message",
        [
            "fais un avoir sur la facture F-2026-00001, erreur de prix",
            "Diop a payé la facture F-2026-00001 en espèces",
            "envoie la facture F-2026-00001 par mail",
        ],
    )
    def test_what_may_be_done_on_a_validated_invoice_is_done(
        self, local: LocalTier, message: str
    ) -> None:
        assert say(local, message).kind == "tool", message

    @pytest.mark.parametrize(
        ("message", "capability"),
        [
            ("comment faire la paie ?", "payroll"),
        ],
    )
    def test_asking_how_to_do_it_is_told_it_does_not_exist(
        self, local: LocalTier, message: str, capability: str
    ) -> None:
        plan = say(local, message)
        assert plan.kind == "reply" and plan.tool is None
        assert plan.text == unavailable.replies()[f"unavailable.{capability}"]

    def test_asking_how_to_do_what_exists_still_explains_it(self, local: LocalTier) -> None:
        plan = say(local, "comment on fait pour enregistrer un paiement ?")
        assert plan.kind == "reply" and plan.text.startswith("Il suffit de me le dire")

    @pytest.mark.parametrize(
        ("message", "tool"),
        [
            ("penser à relancer Ba vendredi pour le paiement", "sales.log_activity"),
            ("rappelle Diallo demain 10h pour le devis", "sales.log_activity"),
            ("facture chaque mois 50 000 de loyer à Sow", "finance.create_recurring_invoice"),
            ("le devis de Diallo est envoyé", "finance.send_quote"),
            ("fais une facture pour Diallo : 3 sacs de riz", "finance.create_invoice"),
            ("ajoute le fournisseur Dakar Emballages", "sales.create_supplier"),
            ("commande 20 sacs de ciment chez Sococim", "stock.create_purchase_order"),
        ],
    )
    def test_what_exists_keeps_its_tool(self, local: LocalTier, message: str, tool: str) -> None:
        plan = say(local, message)
        assert plan.kind == "tool" and plan.tool == tool

    def test_every_reply_says_it_is_not_available_and_that_nothing_was_done(self) -> None:
        replies = unavailable.replies()
        assert len(replies) >= 4
        for text in replies.values():
            assert ("pas encore" in text or "ne peut" in text) and "n'a été" in text, text
            assert text.count(".") <= 1, text  # one sentence
