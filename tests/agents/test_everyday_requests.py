"""Everyday requests in the demo businesses, as a new user types them: each one is either
done as asked or met with a precise question — never a write that is not what was asked
(a dropped line, another kind of document), never an answer to another question."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from comptoir.bootstrap import Container
from tests.agents.conftest import Talk
from tests.agents.test_conversations import AWA, CLAIRE, FATOU, a_monday_ahead, count, said

INVOICES = "SELECT count(*) FROM invoices"
QUOTES = "SELECT count(*) FROM quotes"


def preview(talk: Talk) -> str | None:
    """The preview of the write waiting for a « oui », if one was proposed."""
    return next((e["text"] for e in talk.events if e["type"] == "confirmation"), None)


def called(talk: Talk) -> list[str]:
    done = next(e for e in talk.events if e["type"] == "done")
    return [c["tool"] for c in done["calls"]]


class TestTheRequestsOfTheTable:
    """Each everyday request that used to go wrong, on the demo data."""

    def test_a_quote_with_goods_and_hours_keeps_both_lines(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        t("fais un devis pour l'Hôtel Le Marais : 4 lampadaires arc et 6 heures d'installation")
        shown = preview(t) or ""
        assert "4 × Lampadaire arc" in shown and "6 × Installation luminaire" in shown

    def test_a_credit_note_by_amount_is_never_turned_into_an_invoice(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        before = count(demo, t, INVOICES)
        reply = t("crée un avoir de 50 euros pour Atelier Dubois sur sa dernière facture")
        assert "finance.create_invoice" not in called(t) and preview(t) is None
        assert "50 euros" in reply and "Rien n'a été fait" in reply  # credited by lines only
        t("oui")
        assert count(demo, t, INVOICES) == before

    def test_three_days_of_leave_from_a_date_are_three_working_days(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(AWA)
        start = a_monday_ahead(weeks=3)
        t(f"je voudrais prendre 3 jours de congé à partir du {said(start)}")
        shown = preview(t) or ""
        end = start + timedelta(days=2)
        assert f"du {start:%d/%m/%Y} au {end:%d/%m/%Y} (3 j ouvrés)" in shown

    def test_the_quote_just_made_is_invoiced(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        t("fais un devis pour le Café des Arts : 2 lampadaires arc")
        t("oui")
        t("transforme le devis en facture")
        assert "Facturer le devis D-" in (preview(t) or "")

    def test_vat_collected_this_quarter(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        reply = t("quelle est ma TVA collectée ce trimestre ?")
        assert called(t) == ["finance.vat_summary"]
        assert reply.startswith("TVA collectée du 4e trimestre 2026")

    def test_invoices_overdue_by_more_than_30_days(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        reply = t("liste les factures en retard de plus de 30 jours")
        assert called(t) == ["finance.list_invoices"]
        assert "en retard de plus de 30 jours" in reply and "Aucun client" not in reply

    def test_chasing_an_unpaid_invoice_is_previewed(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        reply = t("relance le Café des Arts pour sa facture impayée")
        assert reply.startswith("Relancer maintenant Café des Arts par e-mail"), reply
        assert called(t) == ["finance.send_reminder"] and preview(t) is not None

    def test_stock_of_one_named_variant(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        reply = t("combien de lampes de bureau pliables en stock ?")
        assert "Lampe de bureau pliable" in reply and "Plusieurs produits" not in reply

    def test_stock_of_a_product_whose_name_holds_en(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(FATOU)
        reply = t("il reste combien de sucre en poudre ?")
        assert "Sucre en poudre 50 kg" in reply and "Plusieurs produits" not in reply

    def test_who_has_not_checked_in(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(FATOU)
        reply = t("qui n'a pas pointé aujourd'hui ?")
        assert called(t) == ["hr.attendance_report"] and "pas pointé" in reply
        assert not reply.startswith("Personne n'est en congé")  # not the question about leave

    def test_sending_a_draft_by_whatsapp_asks_to_post_it_first(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        t("fais une facture pour le Café des Arts : 1 lampadaire arc")
        t("oui")
        reply = t("envoie-la lui par whatsapp")
        assert "brouillon" in reply and "bon de commande" not in reply and not t.token


class TestSeveralRequestsInOneMessage:
    def test_made_and_validated_in_one_confirmation(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        first = t(
            "crée une facture pour le Café des Arts : 2 lampadaires arc, et valide-la directement"
        )
        assert first.startswith("Créer et valider une facture pour Café des Arts"), first
        assert "Une chose à la fois" not in first
        posted = t("oui")
        assert posted.startswith("Facture F-") and "créée et validée pour Café des Arts" in posted
        assert preview(t) is None  # nothing else waits

    def test_cancelling_writes_nothing(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        before = count(demo, t, INVOICES)
        shown = t("fais une facture pour le Café des Arts : 1 lampadaire arc puis valide-la")
        assert shown.startswith("Créer et valider") and preview(t) is not None
        assert "Ensuite" not in t("non")
        assert t("oui") == "Il n'y a rien à confirmer pour le moment."
        assert count(demo, t, INVOICES) == before

    def test_invoicing_the_quote_just_made(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        t("fais un devis pour le Café des Arts : 2 lampadaires arc")
        quote = t("oui")
        number = quote.split()[1]
        shown = t("transforme le devis en facture")
        assert f"Facturer le devis {number} (il sera marqué accepté)" in shown
        assert "Facture brouillon créée depuis le devis" in t("oui")

    def test_a_question_then_a_request_answers_then_previews(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(FATOU)
        before = count(demo, t, "SELECT count(*) FROM purchase_orders")
        reply = t(
            "il reste combien de sucre en poudre ? et commande 10 sacs de sucre en poudre "
            "chez Grands Moulins de Dakar"
        )
        answer, then = reply.split("Ensuite :")
        assert "Sucre en poudre 50 kg" in answer and called(t)[0] == "stock.stock_level"
        assert "Grands Moulins" in then or "Plusieurs produits" in then  # the order, its turn
        assert count(demo, t, "SELECT count(*) FROM purchase_orders") == before


SENT_ORDERS = "SELECT count(*) FROM purchase_orders WHERE status = 'sent'"
ORDERS = "SELECT count(*) FROM purchase_orders"


class TestTwoWritesInOneMessage:
    """Two writes asked in one message are shown together and confirmed by one « oui »."""

    ORDER_AND_SEND = (
        "commande 10 sacs de sucre en poudre 50 kg chez Grands Moulins de Dakar "
        "et envoie-leur le bon directement"
    )

    def test_an_order_made_then_sent_takes_one_yes(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(FATOU)
        orders, sent = count(demo, t, ORDERS), count(demo, t, SENT_ORDERS)
        shown = t(self.ORDER_AND_SEND)
        assert "Une chose à la fois" not in shown
        first, then = shown.split("\nPuis : ")
        assert "bon de commande" in first and "Grands Moulins de Dakar" in first
        assert then.startswith("Marquer le bon de commande BC-") and "comme envoyé" in then
        assert count(demo, t, ORDERS) == orders  # the rehearsal left nothing behind
        done = t("oui")
        assert "créé en brouillon" in done and "marqué envoyé" in done, done
        assert count(demo, t, ORDERS) == orders + 1
        assert count(demo, t, SENT_ORDERS) == sent + 1
        assert t("oui") == "Il n'y a rien à confirmer pour le moment."

    def test_no_to_both_writes_nothing(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(FATOU)
        orders = count(demo, t, ORDERS)
        assert "\nPuis : " in t(self.ORDER_AND_SEND)
        assert "Rien n'a été fait" in t("non")
        assert count(demo, t, ORDERS) == orders

    def test_a_write_then_a_reading_still_follow_each_other(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(FATOU)
        shown = t(
            "commande 10 sacs de sucre en poudre 50 kg chez Grands Moulins de Dakar, "
            "et dis-moi combien il reste de riz"
        )
        assert "\nPuis : " not in shown and "Une chose à la fois" in shown

    def test_two_new_products_each_with_its_price_take_one_yes(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(FATOU)
        products = count(demo, t, PRODUCTS)
        shown = t("nouveaux produits : café Touba 250g à 1 200 F le sachet et thé vert à 900")
        first, then = shown.split("\nPuis : ")
        assert "café Touba 250g" in first and "1\u202f200" in first
        assert "thé vert" in then and "900" in then
        assert count(demo, t, PRODUCTS) == products
        t("oui")
        assert count(demo, t, PRODUCTS) == products + 2


PRODUCTS = "SELECT count(*) FROM products"


class TestAddingToTheRequestShown:
    def test_lines_added_while_the_preview_waits(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        before = count(demo, t, QUOTES)
        t("fais un devis pour le Café des Arts : 2 lampadaires arc")
        shown = t("ajoute aussi 3 heures d'installation stp")
        assert "2 × Lampadaire arc" in shown and "3 × Installation luminaire" in shown, shown
        assert count(demo, t, QUOTES) == before
        assert "Devis D-" in t("oui c'est tout")
        assert count(demo, t, QUOTES) == before + 1

    def test_nothing_is_added_to_a_request_already_done(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        t("fais un devis pour le Café des Arts : 2 lampadaires arc")
        t("oui")
        shown = t("ajoute aussi 3 heures d'installation")
        assert "2 × Lampadaire arc" not in shown  # never the done quote made again


class TestAnEverydayWordReadAsAName:
    """A customer read in everyday words only that matches no one (« pour la fête du
    personnel » → « fête »): the other name the message says is the customer."""

    def test_the_other_name_said_is_the_customer(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        t("facture atelier dubois pour la fête du personnel : 2 lampadaires arc")
        shown = preview(t) or ""
        assert "Atelier Dubois" in shown and "2 × Lampadaire arc" in shown, shown
        assert called(t) == ["finance.create_invoice", "finance.create_invoice"]

    def test_an_unknown_name_is_asked_about_never_swapped(
        self, demo: Container, talk_as: Any
    ) -> None:
        t: Talk = talk_as(CLAIRE)
        before = count(demo, t, INVOICES)
        reply = t("facture pour Diop Frères, à livrer chez Atelier Dubois : 2 lampadaires arc")
        assert preview(t) is None and "Diop Frères" in reply, reply
        t("oui")
        assert count(demo, t, INVOICES) == before


class TestAYesAfterARequestRefused:
    def test_the_yes_is_told_why_nothing_was_done(self, demo: Container, talk_as: Any) -> None:
        t: Talk = talk_as(CLAIRE)
        refused = t("sors 5000 lampadaires arc du stock, casse")
        assert preview(t) is None and "insuffisant" in refused, refused
        again = t("oui")
        assert again.startswith("Il n'y a rien à confirmer : la demande n'a pas été faite.")
        assert "insuffisant" in again
