"""Finance said in chat: a credit note for goods brought back and its reason answered in
free words, a customer's last invoice sent, a reminder to a customer named first, an advance
given to a supplier, a correction while an invoice waits, and questions about money in
everyday words. Own sentences, not the eval's."""

from __future__ import annotations

from datetime import date

from agents.local.understanding import LocalTier, Memory, Plan
from tests.agents.tier import tool_call, understand

TODAY = date(2026, 9, 14)


def say(local: LocalTier, message: str, memory: Memory | None = None) -> Plan:
    return understand(local, message, memory, today=TODAY)


def shown(local: LocalTier, first: str) -> Memory:
    """The memory while ``first``'s preview waits for a yes."""
    memory = Memory()
    plan = say(local, first, memory)
    assert plan.kind == "tool", plan
    local.remember(memory, plan.tool or "", plan.arguments, shown=True)
    return memory


class TestCreditNotes:
    def test_goods_brought_back_by_a_customer_named_first(self, local: LocalTier) -> None:
        tool, arguments = tool_call(
            say(local, "Sarr m'a rapporté 3 cartons de lait, ils étaient percés. fais-lui un avoir")
        )
        assert tool == "finance.create_credit_note"
        assert arguments["invoice"] == "Sarr"
        assert arguments["lines"] == [{"product": "lait", "quantity": "3"}]

    def test_a_pronoun_is_never_the_customer(self, local: LocalTier) -> None:
        plan = say(local, "Kane m'a rendu 2 bidons d'huile, fais un avoir pour ça")
        assert plan.arguments.get("invoice") == "Kane", plan

    def test_a_reason_with_a_number_answers_the_question(self, local: LocalTier) -> None:
        memory = Memory()
        asked = say(local, "fais un avoir de 5 chaises sur la facture F-2026-00031", memory)
        assert asked.text == "Pour quel motif ?", asked
        plan = say(local, "erreur de livraison, ils en ont eu 20 au lieu de 25", memory)
        tool, arguments = tool_call(plan)
        assert tool == "finance.create_credit_note"
        assert arguments["reason"] == "erreur de livraison, ils en ont eu 20 au lieu de 25"
        assert arguments["lines"] == [{"product": "chaises", "quantity": "5"}]


class TestSending:
    def test_a_customers_last_invoice_sent_by_mail(self, local: LocalTier) -> None:
        tool, arguments = tool_call(
            say(local, "envoie la dernière facture de la boulangerie Fall par e-mail")
        )
        assert tool == "finance.send_invoice"
        assert arguments["channel"] == "email"

    def test_a_last_invoice_asked_to_be_seen_is_read(self, local: LocalTier) -> None:
        tool, _ = tool_call(say(local, "ouvre la dernière facture de Diop"))
        assert tool == "finance.invoice_details"

    def test_a_reminder_to_a_customer_named_first(self, local: LocalTier) -> None:
        tool, arguments = tool_call(
            say(local, "la pharmacie Thiam n'a toujours rien payé, envoie-leur un rappel par mail")
        )
        assert tool == "finance.send_reminder"
        assert arguments == {"customer": "pharmacie Thiam", "channel": "email"}

    def test_a_reminder_sent_to_a_customer_is_no_automation(self, local: LocalTier) -> None:
        tool, arguments = tool_call(say(local, "envoie un rappel à l'épicerie Ba sur WhatsApp"))
        assert tool == "finance.send_reminder"
        assert arguments["channel"] == "whatsapp"


class TestMoneyGivenOut:
    def test_an_advance_given_to_a_supplier_pays_the_supplier(self, local: LocalTier) -> None:
        tool, arguments = tool_call(
            say(local, "j'ai versé 50 000 en espèces à Sotiba comme avance sur la commande")
        )
        assert tool == "purchasing.pay_supplier"
        assert arguments["amount"] == "50000" and arguments["method"] == "cash"


class TestACorrectionWhileAnInvoiceWaits:
    def test_a_count_corrected_in_sms_words(self, local: LocalTier) -> None:
        memory = shown(local, "facture 2 sacs de sucre pour la boutique Ndiaye")
        tool, arguments = tool_call(say(local, "nn c 3 sacs finalement", memory))
        assert tool == "finance.create_invoice"
        assert arguments["lines"][0]["quantity"] == "3"


class TestMoneyQuestions:
    def test_a_debt_asked_of_one_customer_is_their_balance(self, local: LocalTier) -> None:
        tool, arguments = tool_call(say(local, "le garage Sow a encore une dette chez nous ?"))
        assert tool == "finance.customer_balance"

    def test_invoiced_collected_and_still_out_is_the_overview(self, local: LocalTier) -> None:
        plan = say(local, "un point de la semaine : facturé, encaissé et l'argent qui est dehors")
        assert plan.tool == "reports.kpis", plan

    def test_quotes_that_have_expired(self, local: LocalTier) -> None:
        tool, arguments = tool_call(say(local, "quels devis ont expiré ?"))
        assert tool == "finance.list_quotes" and arguments["status"] == "expired"


class TestSentIsMade:
    def test_the_invoice_sent_exists_already(self, local: LocalTier) -> None:
        tool, arguments = tool_call(say(local, "envoi la facture de ndiaye sur son whatsap"))
        assert tool == "finance.send_invoice" and arguments["channel"] == "whatsapp"

    def test_an_invoice_sent_with_its_lines_is_made(self, local: LocalTier) -> None:
        tool, _ = tool_call(say(local, "envoie une facture à Gueye pour 2 sacs de sucre"))
        assert tool == "finance.create_invoice"
